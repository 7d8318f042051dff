// ITU-T H.264 §7.3.2.1.1 seq_parameter_set_data() and Annex E.1.1 vui_parameters().
//
//   profile_idc u(8) | constraint_set0..5 + reserved u(8) | level_idc u(8) | seq_parameter_set_id ue
//   [High profiles: chroma_format_idc ue, (separate_colour_plane u(1)), bit_depth_* ue ue,
//    qpprime_y_zero_transform_bypass u(1), seq_scaling_matrix_present u(1) + scaling lists]
//   log2_max_frame_num_minus4 ue | pic_order_cnt_type ue | (POC fields) | max_num_ref_frames ue
//   gaps_in_frame_num_value_allowed u(1) | pic_width_in_mbs_minus1 ue
//   pic_height_in_map_units_minus1 ue | frame_mbs_only u(1) | (mb_adaptive_frame_field u(1))
//   direct_8x8_inference u(1) | frame_cropping u(1) (4 × ue) | vui_parameters_present u(1) (VUI)
#include "h264_sps_parser.h"

#include <vector>

#include "../util/bit_reader.h"
#include "h264_nal.h"

namespace te {

namespace {

// §7.3.2.1.1.1 scaling_list(): only skipped, the values are not needed.
void skip_scaling_list(BitReader& br, int size) {
  int last = 8, next = 8;
  for (int j = 0; j < size && !br.error(); j++) {
    if (next != 0) {
      int32_t delta = br.read_se();
      if (delta < -128 || delta > 127) {  // §7.4.2.1.1: delta_scale in -128..127
        br.read_bits(33);                  // force the error flag
        return;
      }
      next = (last + delta + 256) % 256;
    }
    last = (next == 0) ? last : next;
  }
}

// Annex E.1.2 hrd_parameters(): skipped.
bool skip_hrd(BitReader& br) {
  uint32_t cpb_cnt_minus1 = br.read_ue();
  if (cpb_cnt_minus1 > 31) return false;  // E.2.2: 0..31
  br.read_bits(4);                         // bit_rate_scale
  br.read_bits(4);                         // cpb_size_scale
  for (uint32_t i = 0; i <= cpb_cnt_minus1 && !br.error(); i++) {
    br.read_ue();  // bit_rate_value_minus1
    br.read_ue();  // cpb_size_value_minus1
    br.read_bit(); // cbr_flag
  }
  br.read_bits(5);  // initial_cpb_removal_delay_length_minus1
  br.read_bits(5);  // cpb_removal_delay_length_minus1
  br.read_bits(5);  // dpb_output_delay_length_minus1
  br.read_bits(5);  // time_offset_length
  return !br.error();
}

bool parse_vui(BitReader& br, H264Sps& s) {
  if (br.read_flag()) {              // aspect_ratio_info_present_flag
    if (br.read_bits(8) == 255) {    // aspect_ratio_idc == Extended_SAR (Table E-1)
      br.read_bits(16);              // sar_width
      br.read_bits(16);              // sar_height
    }
  }
  if (br.read_flag()) br.read_bit();  // overscan_info_present_flag → overscan_appropriate_flag
  if (br.read_flag()) {               // video_signal_type_present_flag
    br.read_bits(3);                  // video_format
    br.read_bit();                    // video_full_range_flag
    if (br.read_flag()) br.read_bits(24);  // colour_description: primaries, transfer, matrix
  }
  if (br.read_flag()) {  // chroma_loc_info_present_flag
    br.read_ue();
    br.read_ue();
  }
  s.timing_info_present = br.read_flag();
  if (s.timing_info_present) {
    s.num_units_in_tick = br.read_bits(32);
    s.time_scale = br.read_bits(32);
    br.read_bit();  // fixed_frame_rate_flag
  }
  bool nal_hrd = br.read_flag();
  if (nal_hrd && !skip_hrd(br)) return false;
  bool vcl_hrd = br.read_flag();
  if (vcl_hrd && !skip_hrd(br)) return false;
  if (nal_hrd || vcl_hrd) br.read_bit();  // low_delay_hrd_flag
  br.read_bit();                          // pic_struct_present_flag
  if (br.error()) return false;
  // Some encoders end the VUI here (truncated SPS); everything above is still valid.
  if (br.bits_left() == 0) return true;
  s.bitstream_restriction = br.read_flag();
  if (s.bitstream_restriction) {
    br.read_bit();  // motion_vectors_over_pic_boundaries_flag
    br.read_ue();   // max_bytes_per_pic_denom
    br.read_ue();   // max_bits_per_mb_denom
    br.read_ue();   // log2_max_mv_length_horizontal
    br.read_ue();   // log2_max_mv_length_vertical
    s.max_num_reorder_frames = br.read_ue();
    s.max_dec_frame_buffering = br.read_ue();
    if (br.error()) {
      s.bitstream_restriction = false;
      return false;
    }
  }
  return !br.error();
}

bool is_high_profile(uint8_t p) {
  // §7.3.2.1.1: the profiles that carry chroma_format_idc and bit depths.
  switch (p) {
    case 100: case 110: case 122: case 244: case 44: case 83: case 86: case 118: case 128:
    case 138: case 139: case 134: case 135:
      return true;
  }
  return false;
}

}  // namespace

bool parse_h264_sps(const uint8_t* nal, size_t size, H264Sps& out) {
  if (nal == nullptr || size < 4 || h264::nal_type(nal[0]) != h264::kSps) return false;
  std::vector<uint8_t> rbsp;
  h264::nal_to_rbsp(nal + 1, size - 1, rbsp);
  BitReader br(rbsp.data(), rbsp.size());
  H264Sps s;
  s.profile_idc = static_cast<uint8_t>(br.read_bits(8));
  s.constraint_flags = static_cast<uint8_t>(br.read_bits(8));
  s.level_idc = static_cast<uint8_t>(br.read_bits(8));
  s.sps_id = br.read_ue();
  if (br.error() || s.sps_id > 31) return false;  // §7.4.2.1.1: 0..31

  if (is_high_profile(s.profile_idc)) {
    s.chroma_format_idc = br.read_ue();
    if (s.chroma_format_idc > 3) return false;
    if (s.chroma_format_idc == 3) s.separate_colour_plane = br.read_flag();
    uint32_t bdl = br.read_ue(), bdc = br.read_ue();
    if (bdl > 6 || bdc > 6) return false;  // bit_depth_*_minus8: 0..6
    s.bit_depth_luma = bdl + 8;
    s.bit_depth_chroma = bdc + 8;
    br.read_bit();  // qpprime_y_zero_transform_bypass_flag
    if (br.read_flag()) {  // seq_scaling_matrix_present_flag
      int lists = (s.chroma_format_idc != 3) ? 8 : 12;
      for (int i = 0; i < lists && !br.error(); i++) {
        if (br.read_flag()) skip_scaling_list(br, i < 6 ? 16 : 64);
      }
    }
  }
  uint32_t l2fn = br.read_ue();
  if (l2fn > 12) return false;  // log2_max_frame_num_minus4: 0..12
  s.log2_max_frame_num = l2fn + 4;
  s.pic_order_cnt_type = br.read_ue();
  if (s.pic_order_cnt_type == 0) {
    if (br.read_ue() > 12) return false;  // log2_max_pic_order_cnt_lsb_minus4
  } else if (s.pic_order_cnt_type == 1) {
    br.read_bit();  // delta_pic_order_always_zero_flag
    br.read_se();   // offset_for_non_ref_pic
    br.read_se();   // offset_for_top_to_bottom_field
    uint32_t cycle = br.read_ue();
    if (cycle > 255) return false;
    for (uint32_t i = 0; i < cycle && !br.error(); i++) br.read_se();
  } else if (s.pic_order_cnt_type != 2) {
    return false;
  }
  s.max_num_ref_frames = br.read_ue();
  s.gaps_in_frame_num_allowed = br.read_flag();
  uint32_t w_mbs = br.read_ue();
  uint32_t h_map = br.read_ue();
  s.frame_mbs_only = br.read_flag();
  if (!s.frame_mbs_only) br.read_bit();  // mb_adaptive_frame_field_flag
  br.read_bit();                          // direct_8x8_inference_flag
  uint32_t crop_l = 0, crop_r = 0, crop_t = 0, crop_b = 0;
  if (br.read_flag()) {  // frame_cropping_flag
    crop_l = br.read_ue();
    crop_r = br.read_ue();
    crop_t = br.read_ue();
    crop_b = br.read_ue();
  }
  if (br.error() || w_mbs > 1023 || h_map > 1023) return false;  // > 16384 px: not a real stream

  // §7.4.2.1.1: frame size and the crop units.
  uint32_t width = (w_mbs + 1) * 16;
  uint32_t height = (2 - (s.frame_mbs_only ? 1 : 0)) * (h_map + 1) * 16;
  uint32_t chroma_array_type = s.separate_colour_plane ? 0 : s.chroma_format_idc;
  uint32_t crop_x = 1, crop_y = 2 - (s.frame_mbs_only ? 1 : 0);
  if (chroma_array_type != 0) {
    uint32_t sub_w = (s.chroma_format_idc == 1 || s.chroma_format_idc == 2) ? 2 : 1;
    uint32_t sub_h = (s.chroma_format_idc == 1) ? 2 : 1;
    crop_x = sub_w;
    crop_y = sub_h * crop_y;
  }
  uint64_t cw = uint64_t{crop_x} * (uint64_t{crop_l} + crop_r);
  uint64_t ch = uint64_t{crop_y} * (uint64_t{crop_t} + crop_b);
  if (cw >= width || ch >= height) return false;
  s.width = width - static_cast<uint32_t>(cw);
  s.height = height - static_cast<uint32_t>(ch);

  s.vui_present = br.read_flag();
  if (br.error()) return false;
  if (s.vui_present && !parse_vui(br, s)) {
    // A broken VUI does not make the size wrong: keep what was parsed before it.
    s.bitstream_restriction = false;
  }
  out = s;
  return true;
}

}  // namespace te
