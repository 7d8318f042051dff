// VP9 test payloads shared by the VP9 depacketizer tests (VP9 spec §6.2 uncompressed header).
#pragma once
#include <cstdint>
#include <vector>

namespace te {
namespace testing_rtp {

// Profile 0 key frame header for w x h (see vp9_payload_descriptor_test.cc for the layout).
inline std::vector<uint8_t> vp9_key_frame(uint16_t w, uint16_t h) {
  // 0x82: marker 10, profile 0, show_existing 0, KEY_FRAME, show_frame 1, error_res 0, then sync
  // code, color_space 2 + color_range 0 (4 bits), 16-bit w-1, 16-bit h-1 (spanning nibbles).
  const uint32_t wm = w - 1u, hm = h - 1u;
  std::vector<uint8_t> v = {0x82, 0x49, 0x83, 0x42};
  uint64_t bits = (uint64_t{0x4} << 32) | (uint64_t{wm} << 16) | hm;  // 36 bits
  bits <<= 4;                                                        // pad to 40
  for (int i = 4; i >= 0; i--) v.push_back(static_cast<uint8_t>(bits >> (8 * i)));
  v.push_back(0xEE);
  return v;
}

}  // namespace testing_rtp
}  // namespace te
