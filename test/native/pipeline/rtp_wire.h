// Test helper: RTP datagrams as they come off the wire (RFC 3550 §5.1 fixed header, optional
// padding), kept alive for the whole test, and a clock of arrival times.
#pragma once
#include <cstdint>
#include <deque>
#include <vector>

#include "core/util/byte_view.h"

namespace te_test {

struct WirePacket {
  uint32_t id;
  te::ByteView bytes;
};

class Wire {
 public:
  // A packet with `payload`; `padding` > 0 sets the P bit and appends that many padding octets
  // (the last one counts them all, §5.1).
  WirePacket make(uint16_t seq, uint32_t ts, bool marker, const std::vector<uint8_t>& payload,
                  uint8_t padding = 0, uint32_t ssrc = 0x11223344, uint8_t pt = 96) {
    std::vector<uint8_t> b(12, 0);
    b[0] = static_cast<uint8_t>(0x80 | (padding ? 0x20 : 0));
    b[1] = static_cast<uint8_t>((marker ? 0x80 : 0) | pt);
    b[2] = static_cast<uint8_t>(seq >> 8);
    b[3] = static_cast<uint8_t>(seq);
    for (int i = 0; i < 4; i++) b[4 + i] = static_cast<uint8_t>(ts >> (24 - 8 * i));
    for (int i = 0; i < 4; i++) b[8 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
    b.insert(b.end(), payload.begin(), payload.end());
    for (int i = 0; i < padding; i++) b.push_back(i + 1 == padding ? padding : 0);
    store_.push_back(std::move(b));
    const std::vector<uint8_t>& s = store_.back();
    return WirePacket{next_id_++, te::ByteView(s.data(), s.size())};
  }
  // A padding-only packet as SFUs send for bandwidth probing: P bit, no payload.
  WirePacket padding(uint16_t seq, uint32_t ts, uint8_t octets = 224, uint32_t ssrc = 0x11223344) {
    return make(seq, ts, false, {}, octets, ssrc);
  }

 private:
  std::deque<std::vector<uint8_t>> store_;
  uint32_t next_id_ = 1;
};

}  // namespace te_test
