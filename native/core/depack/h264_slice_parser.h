// The few leading fields of H.264 PPS and slice headers the depacketizer needs to follow the
// reference chain (ITU-T H.264 §7.3.2.2 pic_parameter_set_rbsp, §7.3.3 slice_header):
//
//   PPS:          pic_parameter_set_id ue(v) | seq_parameter_set_id ue(v) | ...
//   slice header: first_mb_in_slice ue(v) | slice_type ue(v) | pic_parameter_set_id ue(v)
//                 [colour_plane_id u(2) if separate_colour_plane_flag] | frame_num u(v) | ...
//
// frame_num (§7.4.3) is PrevRefFrameNum + 1 for every picture following a reference picture, so
// after a loss a picture whose frame_num is exactly that proves no reference picture was lost.
#pragma once
#include <cstddef>
#include <cstdint>

namespace te {

struct H264PpsIds {
  uint32_t pps_id = 0;
  uint32_t sps_id = 0;
};
// `nal` starts with the NAL header (type 8). False when malformed.
bool parse_h264_pps_ids(const uint8_t* nal, size_t size, H264PpsIds& out);

struct H264SliceStart {
  uint32_t first_mb_in_slice = 0;
  uint32_t slice_type = 0;
  uint32_t pps_id = 0;
};
// Reads first_mb_in_slice, slice_type, pic_parameter_set_id from a slice NAL (type 1 or 5, NAL
// header included; may be only the first bytes of the NAL, e.g. an FU-A start fragment).
bool parse_h264_slice_start(const uint8_t* nal, size_t size, H264SliceStart& out);

// Reads frame_num given the SPS fields it depends on. False when the bytes run out.
bool parse_h264_frame_num(const uint8_t* nal, size_t size, bool separate_colour_plane,
                          uint32_t log2_max_frame_num, uint32_t& frame_num);

}  // namespace te
