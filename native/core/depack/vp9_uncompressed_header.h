// The start of the VP9 uncompressed header (VP9 Bitstream & Decoding Process Specification v0.6,
// §6.2 uncompressed_header(), §6.2.1 frame_sync_code(), §6.2.2 color_config(), §6.2.3
// frame_size()), read far enough to tell key frames and their size:
//
//   frame_marker f(2) = 2 | profile_low_bit f(1) | profile_high_bit f(1)
//   [reserved_zero f(1) if Profile == 3] | show_existing_frame f(1)
//   [frame_to_show_map_idx f(3) if show_existing_frame]
//   frame_type f(1) (0 = KEY_FRAME) | show_frame f(1) | error_resilient_mode f(1)
//   key frame: frame_sync_code 0x49 0x83 0x42 | color_config() |
//              frame_width_minus_1 f(16) | frame_height_minus_1 f(16)
#pragma once
#include <cstddef>
#include <cstdint>

namespace te {

struct Vp9FrameHeader {
  uint8_t profile = 0;
  bool show_existing_frame = false;
  bool keyframe = false;
  bool show_frame = false;
  bool error_resilient = false;
  uint8_t bit_depth = 8;
  uint8_t color_space = 0;
  uint16_t width = 0;   // key frames only
  uint16_t height = 0;
};

// Returns false when the bytes are too short, the frame marker or sync code is wrong.
bool parse_vp9_frame_header(const uint8_t* data, size_t size, Vp9FrameHeader& out);

}  // namespace te
