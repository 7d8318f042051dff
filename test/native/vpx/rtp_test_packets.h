// Test helper: builds RTP packets (12-byte header, RFC 3550 §5.1) in stable buffers and feeds
// them to a depacketizer with holds that report into a ReleaseList; a gtest fixture around one
// depacketizer.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "core/depack/depacketizer.h"
#include "core/rtp/seq_unwrapper.h"

namespace te {
namespace testing_rtp {

class PacketFactory {
 public:
  // Returns the packet id.
  uint32_t make(uint16_t seq, uint32_t ts, bool marker, const std::vector<uint8_t>& payload) {
    auto buf = std::make_unique<std::vector<uint8_t>>(12);
    std::vector<uint8_t>& b = *buf;
    b[0] = 0x80;
    b[1] = static_cast<uint8_t>((marker ? 0x80 : 0) | 96);
    b[2] = static_cast<uint8_t>(seq >> 8);
    b[3] = static_cast<uint8_t>(seq);
    for (int i = 0; i < 4; i++) b[4 + i] = static_cast<uint8_t>(ts >> (24 - 8 * i));
    b.insert(b.end(), payload.begin(), payload.end());
    const uint32_t id = static_cast<uint32_t>(bufs_.size());
    RtpPacket p;
    p.id = id;
    p.bytes = ByteView(b.data(), b.size());
    p.payload = ByteView(b.data() + 12, b.size() - 12);
    p.marker = marker;
    p.sequence = seq;
    p.timestamp = ts;
    p.ext_timestamp = ts_unwrap_.unwrap(ts);  // as RtpInput does before depacketizing
    p.payload_type = 96;
    bufs_.push_back(std::move(buf));
    pkts_.push_back(p);
    return id;
  }
  const RtpPacket& packet(uint32_t id) const { return pkts_[id]; }
  const std::vector<uint8_t>& buffer(uint32_t id) const { return *bufs_[id]; }
  void push(Depacketizer& d, uint32_t id, uint32_t lost_before = 0) {
    d.push(pkts_[id], PacketHold(&released, id), lost_before);
  }
  // Pushes every packet made so far, in order, without loss.
  void push_all(Depacketizer& d) {
    for (uint32_t id = 0; id < count(); id++) push(d, id);
  }
  size_t count() const { return pkts_.size(); }
  ReleaseList released;

 private:
  std::vector<std::unique_ptr<std::vector<uint8_t>>> bufs_;
  std::vector<RtpPacket> pkts_;
  TimestampUnwrapper ts_unwrap_;
};

inline std::vector<uint8_t> chain_bytes(const ByteChain& c) {
  std::vector<uint8_t> v;
  c.for_each([&](const uint8_t* p, size_t n) { v.insert(v.end(), p, p + n); });
  return v;
}

inline std::vector<Frame> pop_all(Depacketizer& d) {
  std::vector<Frame> v;
  Frame f;
  while (d.pop(f)) v.push_back(std::move(f));
  return v;
}

inline std::vector<int64_t> timestamps(const std::vector<Frame>& frames) {
  std::vector<int64_t> v;
  for (const Frame& f : frames) v.push_back(f.timestamp);
  return v;
}

// A depacketizer `d` fed by a PacketFactory `pf`.
template <class D>
struct DepacketizerFixture : ::testing::Test {
  PacketFactory pf;
  D d;
  void push_all(const std::vector<uint32_t>& ids) {
    for (uint32_t id : ids) pf.push(d, id);
  }
  std::vector<Frame> pop_all() { return testing_rtp::pop_all(d); }
};

inline std::vector<uint8_t> cat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace testing_rtp
}  // namespace te
