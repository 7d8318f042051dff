// Test harness shared by the H.264 depacketizer tests: builds RTP packets, feeds them to an
// H264Depacketizer in sequence order, and collects the frames it emits.
#pragma once
#include <cstdint>
#include <vector>

#include "core/depack/h264_depacketizer.h"
#include "h264_test_util.h"

namespace te_test {

// NAL units in the ISO/IEC 14496-15 sample format (4-byte big-endian length before each).
inline std::vector<uint8_t> sample(const std::vector<std::vector<uint8_t>>& nals) {
  std::vector<uint8_t> v;
  for (const auto& n : nals) {
    uint32_t s = static_cast<uint32_t>(n.size());
    v.push_back(static_cast<uint8_t>(s >> 24));
    v.push_back(static_cast<uint8_t>(s >> 16));
    v.push_back(static_cast<uint8_t>(s >> 8));
    v.push_back(static_cast<uint8_t>(s));
    v.insert(v.end(), n.begin(), n.end());
  }
  return v;
}

struct H264Feed {
  explicit H264Feed(uint16_t first_seq = 1) : seq(first_seq) {}
  te::H264Depacketizer d;
  PacketFactory pf;
  uint16_t seq;
  // Sends one packet; `lost` packets are skipped (and reported lost) right before it.
  void send(uint32_t ts, bool marker, const std::vector<uint8_t>& payload, uint32_t lost = 0) {
    seq = static_cast<uint16_t>(seq + lost);
    te::RtpPacket p = pf.make(seq++, ts, marker, payload);
    d.push(p, pf.hold(p), lost);
  }
  // Frames emitted so far (an access unit closes only at the next timestamp or at the end).
  std::vector<te::Frame> ready() {
    std::vector<te::Frame> out;
    te::Frame f;
    while (d.pop(f)) out.push_back(std::move(f));
    return out;
  }
  // Ends the stream (flush) and returns every frame.
  std::vector<te::Frame> frames() {
    d.flush();
    return ready();
  }
};

}  // namespace te_test
