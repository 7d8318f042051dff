// Test-only driver: RFC 4571 framed RTP (2-byte big-endian length + packet, as GStreamer's
// rtpstreampay writes) → H264Depacketizer → Mp4Muxer → file. Not part of the CMake test glob.
//
//   rtpstream_to_mp4 in.rtpstream out.mp4 [--seekable] [--fragment-ms N] [--drop-every N]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

#include "core/depack/h264_depacketizer.h"
#include "core/mux/mp4/mp4_muxer.h"
#include "core/rtp/rtp_packet.h"
#include "core/rtp/seq_unwrapper.h"

using namespace te;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s in.rtpstream out.mp4 [--seekable] [--fragment-ms N] [--drop-every N]\n", argv[0]);
    return 2;
  }
  MuxerOptions opts;
  int drop_every = 0;
  for (int i = 3; i < argc; i++) {
    if (!std::strcmp(argv[i], "--seekable")) opts.seekable = true;
    else if (!std::strcmp(argv[i], "--fragment-ms") && i + 1 < argc) opts.fragment_ms = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--drop-every") && i + 1 < argc) drop_every = std::atoi(argv[++i]);
  }
  FILE* in = std::fopen(argv[1], "rb");
  if (!in) return 1;
  std::vector<uint8_t> file;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), in)) > 0) file.insert(file.end(), buf, buf + n);
  std::fclose(in);
  int out = ::open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out < 0) return 1;

  ReleaseList released;
  H264Depacketizer depack;
  Mp4Muxer mux(opts);
  SeqUnwrapper seqs;
  TimestampUnwrapper tss;
  int64_t last_seq = -1;
  uint32_t id = 0, lost = 0;
  auto drain = [&]() {
    Frame f;
    while (depack.pop(f)) mux.write(std::move(f));
    OutputChunk c;
    while (mux.pop(c)) {
      uint64_t off = c.offset;
      c.data.for_each([&](const uint8_t* p, size_t len) {
        if (::pwrite(out, p, len, static_cast<off_t>(off)) != static_cast<ssize_t>(len)) std::abort();
        off += len;
      });
    }
  };
  size_t pos = 0;
  while (pos + 2 <= file.size()) {
    size_t len = (size_t{file[pos]} << 8) | file[pos + 1];
    pos += 2;
    if (pos + len > file.size()) break;
    RtpPacket pkt;
    ++id;
    if (parse_rtp(ByteView(file.data() + pos, len), id, pkt) == RtpParseError::kNone) {
      pkt.ext_sequence = seqs.unwrap(pkt.sequence);
      pkt.ext_timestamp = tss.unwrap(pkt.timestamp);
      if (drop_every > 0 && id % static_cast<uint32_t>(drop_every) == 0) {
        lost++;
      } else {
        uint32_t gap = last_seq >= 0 ? static_cast<uint32_t>(pkt.ext_sequence - last_seq - 1) : 0;
        last_seq = pkt.ext_sequence;
        depack.push(pkt, PacketHold(&released, id), gap);
      }
    }
    pos += len;
    drain();
  }
  depack.flush();
  drain();
  mux.finish();
  drain();
  ::close(out);
  const DepacketizerStats& s = depack.stats();
  std::fprintf(stderr,
               "packets=%llu frames=%llu keyframes=%llu dropped=%llu malformed=%llu kf_requests=%llu "
               "lost=%u mux_frames=%llu bytes=%llu delay=%lld fragments=%llu clamps=%llu released=%zu\n",
               (unsigned long long)s.packets, (unsigned long long)s.frames,
               (unsigned long long)s.keyframes, (unsigned long long)s.frames_dropped,
               (unsigned long long)s.malformed, (unsigned long long)s.keyframe_requests, lost,
               (unsigned long long)mux.stats().frames, (unsigned long long)mux.stats().bytes,
               (long long)mux.reorder_delay(), (unsigned long long)mux.mp4_stats().fragments,
               (unsigned long long)mux.mp4_stats().timing_clamps, released.ids.size());
  return 0;
}
