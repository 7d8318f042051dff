// Test-only driver (not part of te_core or te_tests): reads an RFC 4571 framed RTP dump
// (2-byte big-endian length + RTP packet, as written by GStreamer's rtpstreampay), runs the VP8 or
// VP9 depacketizer and the WebM muxer, and writes the result.
//
//   rtpstream_to_webm vp8|vp9 in.rtpstream out.webm [--seekable] [--drop-every N] [--fragment-ms M]
//
// Build (from the repo root):
//   g++ -std=c++17 -g -O1 -fsanitize=address,undefined -Inative test/native/tools/rtpstream_to_webm.cc \
//     native/core/rtp/rtp_packet.cc native/core/depack/vp8_*.cc native/core/depack/vp9_*.cc \
//     native/core/mux/webm/*.cc -o /tmp/rtpstream_to_webm
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "core/depack/vp8_depacketizer.h"
#include "core/depack/vp9_depacketizer.h"
#include "core/mux/webm/webm_muxer.h"
#include "core/rtp/rtp_packet.h"

using namespace te;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s vp8|vp9 in out [--seekable] [--drop-every N] [--fragment-ms M]\n", argv[0]);
    return 2;
  }
  const bool vp9 = std::strcmp(argv[1], "vp9") == 0;
  MuxerOptions mo;
  unsigned drop_every = 0;
  for (int i = 4; i < argc; i++) {
    if (!std::strcmp(argv[i], "--seekable")) mo.seekable = true;
    else if (!std::strcmp(argv[i], "--drop-every") && i + 1 < argc) drop_every = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--fragment-ms") && i + 1 < argc) mo.fragment_ms = std::atoi(argv[++i]);
  }
  FILE* in = std::fopen(argv[2], "rb");
  FILE* out = std::fopen(argv[3], "wb");
  if (!in || !out) return 2;

  std::unique_ptr<Depacketizer> depack;
  if (vp9) depack.reset(new Vp9Depacketizer());
  else depack.reset(new Vp8Depacketizer());
  WebmMuxer mux(mo);
  ReleaseList released;
  std::vector<std::unique_ptr<std::vector<uint8_t>>> buffers;  // packet id = index
  size_t packets = 0, live_max = 0;

  auto drain = [&]() {
    Frame f;
    while (depack->pop(f)) mux.write(std::move(f));
    OutputChunk c;
    while (mux.pop(c)) {
      std::fseek(out, static_cast<long>(c.offset), SEEK_SET);
      c.data.for_each([&](const uint8_t* p, size_t n) { std::fwrite(p, 1, n, out); });
      c.hold.release();
    }
    for (uint32_t id : released.ids) buffers[id].reset();
    released.ids.clear();
    size_t live = 0;
    for (auto& b : buffers) live += b != nullptr;
    if (live > live_max) live_max = live;
  };

  bool have_seq = false;
  uint16_t last_seq = 0;
  uint32_t dropped_pending = 0;
  uint8_t lenbuf[2];
  while (std::fread(lenbuf, 1, 2, in) == 2) {
    const size_t len = (lenbuf[0] << 8) | lenbuf[1];
    auto buf = std::make_unique<std::vector<uint8_t>>(len);
    if (std::fread(buf->data(), 1, len, in) != len) break;
    packets++;
    if (drop_every && packets % drop_every == 0) {
      dropped_pending++;
      continue;
    }
    const uint32_t id = static_cast<uint32_t>(buffers.size());
    RtpPacket pkt;
    if (parse_rtp(ByteView(buf->data(), buf->size()), id, pkt) != RtpParseError::kNone) continue;
    uint32_t lost = 0;
    if (have_seq) lost = static_cast<uint16_t>(pkt.sequence - last_seq - 1);
    have_seq = true;
    last_seq = pkt.sequence;
    (void)dropped_pending;
    dropped_pending = 0;
    buffers.push_back(std::move(buf));
    depack->push(pkt, PacketHold(&released, id), lost);
    drain();
  }
  depack->flush();
  drain();
  mux.finish();
  drain();
  size_t live = 0;
  for (auto& b : buffers) live += b != nullptr;
  const DepacketizerStats& s = depack->stats();
  std::fprintf(stderr,
               "packets=%zu frames=%llu keyframes=%llu dropped=%llu malformed=%llu kf_requests=%llu "
               "bytes=%llu live_after=%zu live_max=%zu\n",
               packets, (unsigned long long)s.frames, (unsigned long long)s.keyframes,
               (unsigned long long)s.frames_dropped, (unsigned long long)s.malformed,
               (unsigned long long)s.keyframe_requests, (unsigned long long)mux.stats().bytes, live,
               live_max);
  std::fclose(out);
  std::fclose(in);
  return live == 0 ? 0 : 1;
}
