// VP8 test payloads shared by the VP8 depacketizer tests (RFC 7741 §4.2 descriptor, RFC 6386 §9.1
// key frame header).
#pragma once
#include <cstdint>
#include <vector>

namespace te {
namespace testing_rtp {

// Payload descriptor with X=1, I=1 and a 15-bit PictureID; S and N as given, PID 0.
inline std::vector<uint8_t> vp8_descriptor(bool start, uint16_t picid, bool n = false) {
  return {static_cast<uint8_t>(0x80 | (n ? 0x20 : 0) | (start ? 0x10 : 0)), 0x80,
          static_cast<uint8_t>(0x80 | (picid >> 8)), static_cast<uint8_t>(picid)};
}

// A key frame of w x h: frame tag (P=0), start code, size, two payload bytes.
inline std::vector<uint8_t> vp8_key_frame(uint16_t w, uint16_t h) {
  return {0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, static_cast<uint8_t>(w), static_cast<uint8_t>(w >> 8),
          static_cast<uint8_t>(h), static_cast<uint8_t>(h >> 8), 0xAA, 0xBB};
}

}  // namespace testing_rtp
}  // namespace te
