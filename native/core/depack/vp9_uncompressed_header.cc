// VP9 uncompressed header, key frame part (VP9 bitstream spec §6.2, §6.2.1-§6.2.3, semantics
// §7.2). Layout drawn in vp9_uncompressed_header.h.
#include "vp9_uncompressed_header.h"

#include "vp9_bit_reader.h"

namespace te {

bool parse_vp9_frame_header(const uint8_t* data, size_t size, Vp9FrameHeader& h) {
  h = Vp9FrameHeader();
  Vp9BitReader br(data, size);
  if (br.f(2) != 2) return false;  // frame_marker
  const uint32_t low = br.f(1);
  const uint32_t high = br.f(1);
  h.profile = static_cast<uint8_t>((high << 1) | low);
  if (h.profile == 3 && br.f(1) != 0) return false;  // reserved_zero
  h.show_existing_frame = br.f(1) != 0;
  if (h.show_existing_frame) {
    br.f(3);  // frame_to_show_map_idx
    return !br.failed();
  }
  h.keyframe = br.f(1) == 0;  // frame_type: KEY_FRAME = 0
  h.show_frame = br.f(1) != 0;
  h.error_resilient = br.f(1) != 0;
  if (!h.keyframe) return !br.failed();
  // §6.2.1 frame_sync_code
  if (br.f(8) != 0x49 || br.f(8) != 0x83 || br.f(8) != 0x42) return false;
  // §6.2.2 color_config
  if (h.profile >= 2) h.bit_depth = br.f(1) ? 12 : 10;  // ten_or_twelve_bit
  h.color_space = static_cast<uint8_t>(br.f(3));
  if (h.color_space != 7) {  // != CS_RGB
    br.f(1);                 // color_range
    if (h.profile == 1 || h.profile == 3) {
      br.f(1);  // subsampling_x
      br.f(1);  // subsampling_y
      br.f(1);  // reserved_zero
    }
  } else if (h.profile == 1 || h.profile == 3) {
    br.f(1);  // reserved_zero
  }
  // §6.2.3 frame_size
  h.width = static_cast<uint16_t>(br.f(16) + 1);
  h.height = static_cast<uint16_t>(br.f(16) + 1);
  return !br.failed();
}

}  // namespace te
