// The PictureID field of the VP8 (RFC 7741 §4.2) and VP9 (RFC 9628 §4.2) payload descriptors, which
// share its layout:
//
//        +-+-+-+-+-+-+-+-+
//        |M| PICTURE ID  |   M=1: a 15-bit PictureID in two bytes
//        +-+-+-+-+-+-+-+-+
//        | EXTENDED PID  |   (M=1 only)
//        +-+-+-+-+-+-+-+-+
#pragma once
#include <cstddef>
#include <cstdint>

#include "../util/byte_view.h"

namespace te {

// Reads the PictureID at p[i], advancing i. False when truncated.
inline bool parse_vpx_picture_id(ByteView p, size_t& i, bool& pid_15, uint16_t& pid) {
  if (i >= p.size) return false;
  const uint8_t b = p[i++];
  if (b & 0x80) {
    if (i >= p.size) return false;
    pid_15 = true;
    pid = static_cast<uint16_t>(((b & 0x7F) << 8) | p[i++]);
  } else {
    pid = b & 0x7F;
  }
  return true;
}

}  // namespace te
