// VP8 RTP payload descriptor and VP8 payload header (RFC 7741 §4.2, §4.3; RFC 6386 §9.1).
//
// Payload descriptor (RFC 7741 §4.2), first bytes of every RTP payload:
//
//        0 1 2 3 4 5 6 7
//       +-+-+-+-+-+-+-+-+
//       |X|R|N|S|R| PID | (REQUIRED)
//       +-+-+-+-+-+-+-+-+
//  X:   |I|L|T|K| RSV   | (OPTIONAL)
//       +-+-+-+-+-+-+-+-+
//  I:   |M| PictureID   | (OPTIONAL)    M=1: PictureID is 15 bits and takes two bytes
//       +-+-+-+-+-+-+-+-+
//       |   PictureID   |
//       +-+-+-+-+-+-+-+-+
//  L:   |   TL0PICIDX   | (OPTIONAL)
//       +-+-+-+-+-+-+-+-+
//  T/K: |TID|Y| KEYIDX  | (OPTIONAL)    present when T or K is set
//       +-+-+-+-+-+-+-+-+
//
// VP8 payload header (RFC 7741 §4.3), first 3 bytes of a frame (S=1, PID=0), and for key frames
// the start code and dimensions that follow (RFC 6386 §9.1):
//
//       +-+-+-+-+-+-+-+-+
//       |Size0|H| VER |P|   P: inverse key frame flag (0 = key frame)
//       +-+-+-+-+-+-+-+-+
//       |     Size1     |
//       |     Size2     |
//       +-+-+-+-+-+-+-+-+
//       | 9d | 01 | 2a  |   start code (key frames only)
//       | Hs(2) W(14) LE|   horizontal scale + width
//       | Vs(2) H(14) LE|   vertical scale + height
#pragma once
#include <cstddef>
#include <cstdint>

#include "../util/byte_view.h"

namespace te {

struct Vp8Descriptor {
  bool extended = false;        // X
  bool non_reference = false;   // N
  bool start = false;           // S: start of a VP8 partition
  uint8_t partition = 0;        // PID (0..7)
  bool has_picture_id = false;  // I
  bool picture_id_15 = false;   // M
  uint16_t picture_id = 0;      // 7 or 15 bits
  bool has_tl0picidx = false;   // L
  uint8_t tl0picidx = 0;
  bool has_tid = false;         // T
  uint8_t tid = 0;              // 2 bits
  bool layer_sync = false;      // Y
  bool has_keyidx = false;      // K
  uint8_t keyidx = 0;           // 5 bits
  size_t size = 0;              // descriptor length in bytes (offset of the VP8 payload)

  // First packet of a frame: start of partition 0 (RFC 7741 §4.4).
  bool frame_start() const { return start && partition == 0; }
};

// Parses the descriptor at the start of `payload`. Returns false when it is truncated or when no
// VP8 payload byte follows it (RFC 7741 §4.2: a packet always carries payload).
bool parse_vp8_descriptor(ByteView payload, Vp8Descriptor& out);

struct Vp8KeyframeInfo {
  uint16_t width = 0;   // 14 bits
  uint16_t height = 0;  // 14 bits
  uint8_t horizontal_scale = 0;
  uint8_t vertical_scale = 0;
};

// The P bit of the VP8 payload header (RFC 7741 §4.3): true for a key frame. Needs >= 1 byte.
inline bool vp8_is_keyframe(uint8_t first_byte) { return (first_byte & 0x01) == 0; }

// Parses the key frame start code and size (RFC 6386 §9.1) from the first 10 bytes of a frame.
// Returns false if fewer than 10 bytes, not a key frame, a wrong start code or a zero size.
bool parse_vp8_keyframe_header(const uint8_t* frame, size_t n, Vp8KeyframeInfo& out);

}  // namespace te
