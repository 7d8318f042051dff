// SPS parsing on real x264 parameter sets, the bit reader, and the avcC record.
#include <gtest/gtest.h>

#include <vector>

#include "core/depack/avc_config.h"
#include "core/depack/h264_slice_parser.h"
#include "core/depack/h264_sps_parser.h"
#include "core/util/bit_reader.h"
#include "h264_test_util.h"

using namespace te;
using namespace te_test;

TEST(BitReader, ExpGolomb) {
  // 1 | 010 | 011 | 00100 | 00101 → ue 0,1,2,3 ; se(4) = -2
  const uint8_t d[] = {0xA6, 0x42, 0x80};
  BitReader br(d, sizeof(d));
  EXPECT_EQ(br.read_ue(), 0u);
  EXPECT_EQ(br.read_ue(), 1u);
  EXPECT_EQ(br.read_ue(), 2u);
  EXPECT_EQ(br.read_ue(), 3u);
  EXPECT_EQ(br.read_se(), -2);
  EXPECT_FALSE(br.error());
  EXPECT_EQ(br.read_bits(8), 0u);  // runs past the end: zeros + error
  EXPECT_TRUE(br.error());
}

TEST(BitReader, LongCodesAreErrors) {
  const uint8_t zeros[8] = {0};
  BitReader br(zeros, sizeof(zeros));
  EXPECT_EQ(br.read_ue(), 0u);
  EXPECT_TRUE(br.error());
  const uint8_t bits[] = {0xF0, 0x0F};
  BitReader b2(bits, 2);
  EXPECT_EQ(b2.read_bits(12), 0xF00u);
  EXPECT_EQ(b2.read_bits(4), 0xFu);
  EXPECT_FALSE(b2.error());
}

TEST(H264SpsParser, RealHighProfileSps) {
  H264Sps s;
  ASSERT_TRUE(parse_h264_sps(kHighSps.data(), kHighSps.size(), s));
  EXPECT_EQ(s.profile_idc, 100);
  EXPECT_EQ(s.level_idc, 13);
  EXPECT_EQ(s.width, 320u);
  EXPECT_EQ(s.height, 240u);
  EXPECT_EQ(s.chroma_format_idc, 1u);
  EXPECT_EQ(s.bit_depth_luma, 8u);
  EXPECT_TRUE(s.frame_mbs_only);
  EXPECT_EQ(s.pic_order_cnt_type, 0u);
  EXPECT_EQ(s.log2_max_frame_num, 4u);
  EXPECT_EQ(s.max_num_ref_frames, 4u);
  EXPECT_TRUE(s.vui_present);
  EXPECT_TRUE(s.timing_info_present);
  EXPECT_TRUE(s.bitstream_restriction);
  EXPECT_EQ(s.max_num_reorder_frames, 2u);  // -bf 2
}

TEST(H264SpsParser, RealBaselineSpsWithCropping) {
  H264Sps s;
  ASSERT_TRUE(parse_h264_sps(kBaselineSps.data(), kBaselineSps.size(), s));
  EXPECT_EQ(s.profile_idc, 66);
  EXPECT_EQ(s.width, 322u);   // 21 MBs = 336, cropped
  EXPECT_EQ(s.height, 242u);  // 16 MBs = 256, cropped
  EXPECT_EQ(s.pic_order_cnt_type, 2u);
  EXPECT_EQ(s.max_num_reorder_frames, 0u);
}

TEST(H264SpsParser, RejectsTruncatedAndWrongType) {
  H264Sps s;
  for (size_t n = 0; n < 8; n++) EXPECT_FALSE(parse_h264_sps(kHighSps.data(), n, s)) << n;
  EXPECT_FALSE(parse_h264_sps(kHighPps.data(), kHighPps.size(), s));
  EXPECT_FALSE(parse_h264_sps(nullptr, 0, s));
}

TEST(H264SliceParser, PpsIdsAndFrameNum) {
  H264PpsIds ids;
  ASSERT_TRUE(parse_h264_pps_ids(kHighPps.data(), kHighPps.size(), ids));
  EXPECT_EQ(ids.pps_id, 0u);
  EXPECT_EQ(ids.sps_id, 0u);
  auto slice = make_slice(1, 2, 9, 5, 4, 7);
  H264SliceStart ss;
  ASSERT_TRUE(parse_h264_slice_start(slice.data(), slice.size(), ss));
  EXPECT_EQ(ss.first_mb_in_slice, 7u);
  EXPECT_EQ(ss.slice_type, 5u);
  uint32_t fn = 0;
  ASSERT_TRUE(parse_h264_frame_num(slice.data(), slice.size(), false, 4, fn));
  EXPECT_EQ(fn, 9u);
}

TEST(AvcConfig, RecordBytes) {
  auto r = build_avc_config({kHighSps}, {kHighPps});
  std::vector<uint8_t> expect{1, 0x64, 0x00, 0x0d, 0xFF, 0xE1, 0x00, 25};
  expect.insert(expect.end(), kHighSps.begin(), kHighSps.end());
  expect.push_back(1);
  expect.push_back(0);
  expect.push_back(6);
  expect.insert(expect.end(), kHighPps.begin(), kHighPps.end());
  // High profile extension: chroma_format 1, 8-bit luma/chroma, no SPS extensions.
  expect.insert(expect.end(), {0xFD, 0xF8, 0xF8, 0x00});
  EXPECT_EQ(r, expect);

  auto b = build_avc_config({kBaselineSps}, {kBaselinePps});
  ASSERT_EQ(b.size(), 6 + 2 + kBaselineSps.size() + 1 + 2 + kBaselinePps.size());
  EXPECT_EQ(b[1], 66);
  EXPECT_TRUE(build_avc_config({}, {kHighPps}).empty());
  EXPECT_TRUE(build_avc_config({kHighSps}, {}).empty());
}
