// H.264 sequence parameter set parser (ITU-T H.264 §7.3.2.1.1 seq_parameter_set_data, §7.4.2.1.1
// semantics, Annex E.1.1 vui_parameters / E.1.2 hrd_parameters).
//
// Extracts what the muxers need: profile/level (for avcC), the coded size with frame cropping
// applied (§7.4.2.1.1 CropUnitX/CropUnitY), frame_mbs_only, pic_order_cnt_type, log2_max_frame_num
// (to read frame_num in slice headers) and, when the VUI carries bitstream_restriction,
// max_num_reorder_frames.
#pragma once
#include <cstddef>
#include <cstdint>

namespace te {

struct H264Sps {
  uint8_t profile_idc = 0;
  uint8_t constraint_flags = 0;  // constraint_set0..5_flag + reserved_zero_2bits (the avcC byte)
  uint8_t level_idc = 0;
  uint32_t sps_id = 0;
  uint32_t chroma_format_idc = 1;  // 4:2:0 unless a High profile SPS says otherwise
  bool separate_colour_plane = false;
  uint32_t bit_depth_luma = 8;
  uint32_t bit_depth_chroma = 8;
  uint32_t log2_max_frame_num = 4;
  uint32_t pic_order_cnt_type = 0;
  uint32_t max_num_ref_frames = 0;
  bool gaps_in_frame_num_allowed = false;
  bool frame_mbs_only = true;
  uint32_t width = 0;   // luma samples, cropping applied
  uint32_t height = 0;
  bool vui_present = false;
  bool timing_info_present = false;
  uint32_t num_units_in_tick = 0;
  uint32_t time_scale = 0;
  bool bitstream_restriction = false;
  uint32_t max_num_reorder_frames = 0;  // valid when bitstream_restriction
  uint32_t max_dec_frame_buffering = 0;
};

// Parses a complete SPS NAL unit (starting with the 1-byte NAL header, type 7, emulation
// prevention bytes still in place). Returns false on malformed or truncated input; never reads
// out of bounds.
bool parse_h264_sps(const uint8_t* nal, size_t size, H264Sps& out);

}  // namespace te
