// Test-only driver (not a unit test): RFC 4571 framed RTP (2-byte big-endian length + packet, as
// GStreamer's rtpstreampay writes) → OpusDepacketizer → OggOpusMuxer (out.ogg) and
// OpusPcmDecoder (out.s16, interleaved s16le).
// Usage: rtpstream_to_ogg in.rtpstream out.ogg out.s16 [channels=2] [pcm_rate=48000]
//                         [drop_every=0 (simulate loss of every Nth packet)]
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/audio/opus_pcm_decoder.h"
#include "core/depack/opus_depacketizer.h"
#include "core/mux/ogg/ogg_opus_muxer.h"
#include "core/rtp/rtp_packet.h"
#include "core/rtp/seq_unwrapper.h"

int main(int argc, char** argv) {
  using namespace te;
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s in.rtpstream out.ogg out.s16 [channels] [rate] [drop_every]\n",
                 argv[0]);
    return 2;
  }
  const int channels = argc > 4 ? std::atoi(argv[4]) : 2;
  const int rate = argc > 5 ? std::atoi(argv[5]) : 48000;
  const int drop_every = argc > 6 ? std::atoi(argv[6]) : 0;
  FILE* in = std::fopen(argv[1], "rb");
  FILE* ogg = std::fopen(argv[2], "wb");
  FILE* pcm = std::fopen(argv[3], "wb");
  if (!in || !ogg || !pcm) return 1;
  std::vector<std::vector<uint8_t>> buffers;  // input packets live until the end (simple)
  uint8_t lenb[2];
  while (std::fread(lenb, 1, 2, in) == 2) {
    std::vector<uint8_t> b((lenb[0] << 8) | lenb[1]);
    if (std::fread(b.data(), 1, b.size(), in) != b.size()) break;
    buffers.push_back(std::move(b));
  }
  std::fclose(in);

  ReleaseList released;
  OpusDepacketizerOptions dopt;
  dopt.channels = static_cast<uint8_t>(channels);
  OpusDepacketizer dep(dopt);
  OggOpusMuxer mux;
  OpusPcmDecoderOptions popt;
  popt.sample_rate = rate;
  popt.channels = channels;
  OpusPcmDecoder dec(popt);
  if (!dec.ok()) {
    std::fprintf(stderr, "decoder: %d\n", dec.status());
    return 1;
  }
  SeqUnwrapper seq;
  TimestampUnwrapper tsu;
  int64_t last_seq = -1;
  auto drain = [&] {
    Frame f;
    while (dep.pop(f)) {
      dec.decode(f);
      while (dec.available()) {
        std::fwrite(dec.data(), 2, dec.available(), pcm);
        dec.consume(dec.available());
      }
      mux.write(std::move(f));
    }
    OutputChunk c;
    while (mux.pop(c)) c.data.for_each([&](const uint8_t* p, size_t n) { std::fwrite(p, 1, n, ogg); });
  };
  for (uint32_t i = 0; i < buffers.size(); ++i) {
    RtpPacket p;
    if (parse_rtp(ByteView(buffers[i].data(), buffers[i].size()), i, p) != RtpParseError::kNone)
      continue;
    p.ext_sequence = seq.unwrap(p.sequence);
    p.ext_timestamp = tsu.unwrap(p.timestamp);
    if (drop_every > 0 && i % drop_every == static_cast<uint32_t>(drop_every - 1)) continue;
    const uint32_t lost = last_seq < 0 ? 0 : static_cast<uint32_t>(p.ext_sequence - last_seq - 1);
    last_seq = p.ext_sequence;
    dep.push(p, PacketHold(&released, i), lost);
    drain();
  }
  dep.flush();
  drain();
  mux.finish();
  drain();
  std::fclose(ogg);
  std::fclose(pcm);
  const auto& ds = dep.stats();
  const auto& os = mux.ogg_stats();
  const auto& ps = dec.stats();
  std::fprintf(stderr,
               "packets=%llu frames=%llu malformed=%llu empty=%llu | ogg pages=%llu gap_packets=%llu "
               "gap_samples=%llu duration=%lld | pcm decoded=%llu concealed=%llu fec=%llu "
               "errors=%llu released=%zu/%zu\n",
               (unsigned long long)ds.packets, (unsigned long long)ds.frames,
               (unsigned long long)ds.malformed, (unsigned long long)dep.opus_stats().empty,
               (unsigned long long)os.pages, (unsigned long long)os.gap_packets,
               (unsigned long long)os.gap_samples, (long long)mux.stats().duration,
               (unsigned long long)ps.samples_decoded, (unsigned long long)ps.samples_concealed,
               (unsigned long long)ps.fec_used, (unsigned long long)ps.decode_errors,
               released.ids.size(), buffers.size());
  return 0;
}
