// ITU-T H.264 §7.3.2.2 (PPS ids) and the start of §7.3.3 slice_header(); see h264_slice_parser.h.
#include "h264_slice_parser.h"

#include <vector>

#include "../util/bit_reader.h"
#include "h264_nal.h"

namespace te {

namespace {
// Slice and PPS headers we read are tiny; 64 bytes of EBSP is more than enough.
constexpr size_t kHeaderBytes = 64;
}  // namespace

bool parse_h264_pps_ids(const uint8_t* nal, size_t size, H264PpsIds& out) {
  if (nal == nullptr || size < 2 || h264::nal_type(nal[0]) != h264::kPps) return false;
  std::vector<uint8_t> rbsp;
  h264::nal_to_rbsp(nal + 1, size - 1, rbsp, kHeaderBytes);
  BitReader br(rbsp.data(), rbsp.size());
  H264PpsIds ids;
  ids.pps_id = br.read_ue();
  ids.sps_id = br.read_ue();
  // §7.4.2.2: pic_parameter_set_id 0..255, seq_parameter_set_id 0..31.
  if (br.error() || ids.pps_id > 255 || ids.sps_id > 31) return false;
  out = ids;
  return true;
}

bool parse_h264_slice_start(const uint8_t* nal, size_t size, H264SliceStart& out) {
  if (nal == nullptr || size < 2 || !h264::is_slice(h264::nal_type(nal[0]))) return false;
  std::vector<uint8_t> rbsp;
  h264::nal_to_rbsp(nal + 1, size - 1, rbsp, kHeaderBytes);
  BitReader br(rbsp.data(), rbsp.size());
  H264SliceStart s;
  s.first_mb_in_slice = br.read_ue();
  s.slice_type = br.read_ue();
  s.pps_id = br.read_ue();
  // §7.4.3: slice_type 0..9, pic_parameter_set_id 0..255.
  if (br.error() || s.slice_type > 9 || s.pps_id > 255) return false;
  out = s;
  return true;
}

bool parse_h264_frame_num(const uint8_t* nal, size_t size, bool separate_colour_plane,
                          uint32_t log2_max_frame_num, uint32_t& frame_num) {
  if (nal == nullptr || size < 2 || log2_max_frame_num > 16) return false;
  std::vector<uint8_t> rbsp;
  h264::nal_to_rbsp(nal + 1, size - 1, rbsp, kHeaderBytes);
  BitReader br(rbsp.data(), rbsp.size());
  br.read_ue();  // first_mb_in_slice
  br.read_ue();  // slice_type
  br.read_ue();  // pic_parameter_set_id
  if (separate_colour_plane) br.read_bits(2);  // colour_plane_id
  uint32_t fn = br.read_bits(log2_max_frame_num);
  if (br.error()) return false;
  frame_num = fn;
  return true;
}

}  // namespace te
