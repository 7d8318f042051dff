// libFuzzer target: Opus packet parser, OpusDepacketizer → OggOpusMuxer and OpusPcmDecoder.
// Input: a config byte, then records [len:1][ts_delta:2 LE][lost:1][len bytes of payload];
// lost bits 0-1: packets lost before, bit 2: SSRC.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/audio/opus_pcm_decoder.h"
#include "core/depack/opus_depacketizer.h"
#include "core/depack/opus_packet.h"
#include "core/mux/ogg/ogg_opus_muxer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace te;
  if (size < 1) return 0;
  const uint8_t cfg = data[0];
  OpusPacketInfo info;
  if (parse_opus_packet(ByteView(data + 1, size - 1), info) == OpusPacketError::kNone)
    opus_packet_has_lbrr(ByteView(data + 1, size - 1), info);

  ReleaseList released;
  OpusDepacketizerOptions dopt;
  dopt.channels = (cfg & 1) ? 1 : 2;
  OpusDepacketizer dep(dopt);
  MuxerOptions mo;
  mo.fragment_ms = (cfg >> 1) & 7 ? 20u * ((cfg >> 1) & 7) : 0u;
  OggOpusOptions oo;
  oo.max_gap_ms = 60000;  // keep gap fills small for the fuzzer
  OggOpusMuxer mux(mo, oo);
  OpusPcmDecoderOptions po;
  static const int rates[4] = {8000, 16000, 24000, 48000};
  po.sample_rate = rates[(cfg >> 4) & 3];
  po.channels = (cfg & 0x40) ? 1 : 2;
  po.max_plc_ms = 200;
  po.max_gap_ms = 10000;
  OpusPcmDecoder dec(po);

  size_t pos = 1;
  int64_t ts = 1000;
  uint32_t id = 0;
  std::vector<RtpPacket> keep;
  while (pos + 4 <= size) {
    size_t len = data[pos];
    int16_t delta = static_cast<int16_t>(data[pos + 1] | data[pos + 2] << 8);
    uint32_t lost = data[pos + 3] & 3;
    const uint32_t ssrc = (data[pos + 3] >> 2) & 1;  // an SSRC change restarts the timing checks
    pos += 4;
    if (len > size - pos) len = size - pos;
    RtpPacket p;
    p.id = id;
    p.bytes = ByteView(data + pos, len);
    p.payload = p.bytes;
    ts += delta;
    p.ext_timestamp = ts;
    p.ext_sequence = id;
    p.ssrc = ssrc;
    dep.push(p, PacketHold(&released, id), lost);
    ++id;
    pos += len;
    Frame f;
    while (dep.pop(f)) {
      dec.decode(f);
      while (dec.available()) dec.consume(dec.available());
      mux.write(std::move(f));
      OutputChunk c;
      while (mux.pop(c)) {
      }
    }
  }
  dep.flush();  // the first packet waits for the second one
  Frame f;
  while (dep.pop(f)) {
    dec.decode(f);
    while (dec.available()) dec.consume(dec.available());
    mux.write(std::move(f));
  }
  mux.finish();
  OutputChunk c;
  while (mux.pop(c)) {
  }
  return 0;
}
