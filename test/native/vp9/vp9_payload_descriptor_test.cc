// RFC 9628 §4.2 payload descriptor, §4.2.1 SS; VP9 spec §6.2 key frame header; Annex B
// superframe index.
#include <gtest/gtest.h>

#include <vector>

#include "core/depack/vp9_payload_descriptor.h"
#include "core/depack/vp9_superframe_index.h"
#include "core/depack/vp9_uncompressed_header.h"

namespace te {
namespace {

TEST(Vp9Descriptor, NonFlexibleWithLayersAndTl0) {
  // I P L - B E - -, 15-bit PictureID 0x1234, TID 2 U SID 1 D, TL0PICIDX 0x77, payload.
  const uint8_t d[] = {0xEC, 0x92, 0x34, (2 << 5) | 0x10 | (1 << 1) | 1, 0x77, 0xAA};
  Vp9Descriptor out;
  ASSERT_TRUE(parse_vp9_descriptor(ByteView(d, sizeof(d)), out, nullptr));
  EXPECT_TRUE(out.has_picture_id);
  EXPECT_TRUE(out.picture_id_15);
  EXPECT_EQ(out.picture_id, 0x1234);
  EXPECT_TRUE(out.inter_picture);
  EXPECT_FALSE(out.flexible);
  EXPECT_TRUE(out.begin);
  EXPECT_TRUE(out.end);
  EXPECT_EQ(out.tid, 2);
  EXPECT_TRUE(out.switching_up);
  EXPECT_EQ(out.sid, 1);
  EXPECT_TRUE(out.inter_layer);
  EXPECT_TRUE(out.has_tl0picidx);
  EXPECT_EQ(out.tl0picidx, 0x77);
  EXPECT_EQ(out.num_p_diff, 0);
  EXPECT_EQ(out.size, 5u);
  for (size_t len = 0; len < sizeof(d); len++)
    EXPECT_FALSE(parse_vp9_descriptor(ByteView(d, len), out, nullptr)) << len;
}

TEST(Vp9Descriptor, SevenBitPictureIdNoLayers) {
  const uint8_t d[] = {0x88, 0x05, 0x01};
  Vp9Descriptor out;
  ASSERT_TRUE(parse_vp9_descriptor(ByteView(d, sizeof(d)), out, nullptr));
  EXPECT_FALSE(out.picture_id_15);
  EXPECT_EQ(out.picture_id, 5);
  EXPECT_FALSE(out.inter_picture);
  EXPECT_EQ(out.size, 2u);
}

TEST(Vp9Descriptor, FlexibleReferenceLists) {
  for (int n = 1; n <= 3; n++) {
    // I P L F B, 7-bit PictureID 9, layer byte (no TL0PICIDX in flexible mode), n P_DIFFs.
    std::vector<uint8_t> d = {0xF8, 9, (1 << 5) | (0 << 1)};
    for (int i = 0; i < n; i++) d.push_back(static_cast<uint8_t>(((i + 1) << 1) | (i < n - 1)));
    const size_t dsize = d.size();
    d.push_back(0x00);
    Vp9Descriptor out;
    ASSERT_TRUE(parse_vp9_descriptor(ByteView(d.data(), d.size()), out, nullptr)) << n;
    EXPECT_TRUE(out.flexible);
    EXPECT_FALSE(out.has_tl0picidx);
    ASSERT_EQ(out.num_p_diff, n);
    for (int i = 0; i < n; i++) EXPECT_EQ(out.p_diff[i], i + 1);
    EXPECT_EQ(out.size, dsize);
    for (size_t len = 0; len < d.size(); len++)
      EXPECT_FALSE(parse_vp9_descriptor(ByteView(d.data(), len), out, nullptr)) << n << "/" << len;
  }
  // A fourth P_DIFF (N=1 on the third) and P_DIFF 0 are malformed.
  const uint8_t four[] = {0xD8, 9, 3, 5, 7, 9, 0};
  Vp9Descriptor out;
  EXPECT_FALSE(parse_vp9_descriptor(ByteView(four, sizeof(four)), out, nullptr));
  const uint8_t zero[] = {0xD8, 9, 0, 0};
  EXPECT_FALSE(parse_vp9_descriptor(ByteView(zero, sizeof(zero)), out, nullptr));
}

TEST(Vp9Descriptor, ScalabilityStructure) {
  // I B V, PictureID 1; SS: N_S=2 (3 layers), Y, G; sizes; N_G=2: {TID0,U0,R1,P_DIFF 4},
  // {TID1,U1,R2,P_DIFF 1,2}.
  std::vector<uint8_t> d = {0x8A, 0x01, (2 << 5) | 0x10 | 0x08,
                            0x00, 0xA0, 0x00, 0x5A,   // 160x90
                            0x01, 0x40, 0x00, 0xB4,   // 320x180
                            0x02, 0x80, 0x01, 0x68,   // 640x360
                            0x02,
                            (0 << 5) | (1 << 2), 4,
                            (1 << 5) | 0x10 | (2 << 2), 1, 2};
  const size_t dsize = d.size();
  d.push_back(0x82);
  Vp9Descriptor out;
  Vp9ScalabilityStructure ss;
  ASSERT_TRUE(parse_vp9_descriptor(ByteView(d.data(), d.size()), out, &ss));
  EXPECT_TRUE(out.has_ss);
  EXPECT_EQ(out.size, dsize);
  EXPECT_EQ(ss.num_spatial, 3);
  ASSERT_TRUE(ss.has_resolution);
  EXPECT_EQ(ss.width[0], 160);
  EXPECT_EQ(ss.height[0], 90);
  EXPECT_EQ(ss.width[2], 640);
  EXPECT_EQ(ss.height[2], 360);
  ASSERT_EQ(ss.num_group, 2);
  EXPECT_EQ(ss.group[0].tid, 0);
  EXPECT_EQ(ss.group[0].num_ref, 1);
  EXPECT_EQ(ss.group[0].p_diff[0], 4);
  EXPECT_EQ(ss.group[1].tid, 1);
  EXPECT_TRUE(ss.group[1].switching_up);
  EXPECT_EQ(ss.group[1].num_ref, 2);
  EXPECT_EQ(ss.group[1].p_diff[1], 2);
  for (size_t len = 0; len < d.size(); len++)
    EXPECT_FALSE(parse_vp9_descriptor(ByteView(d.data(), len), out, &ss)) << len;
}

// MSB-first bit writer for building uncompressed headers.
struct Bits {
  std::vector<uint8_t> v;
  size_t n = 0;
  void put(uint32_t value, unsigned bits) {
    for (unsigned i = bits; i-- > 0;) {
      if (n % 8 == 0) v.push_back(0);
      if ((value >> i) & 1) v.back() |= static_cast<uint8_t>(0x80 >> (n % 8));
      n++;
    }
  }
};

std::vector<uint8_t> key_header(int profile, uint16_t w, uint16_t h, uint8_t cs = 2) {
  Bits b;
  b.put(2, 2);
  b.put(profile & 1, 1);
  b.put(profile >> 1, 1);
  if (profile == 3) b.put(0, 1);
  b.put(0, 1);  // show_existing_frame
  b.put(0, 1);  // KEY_FRAME
  b.put(1, 1);  // show_frame
  b.put(0, 1);  // error_resilient_mode
  b.put(0x49, 8);
  b.put(0x83, 8);
  b.put(0x42, 8);
  if (profile >= 2) b.put(1, 1);
  b.put(cs, 3);
  if (cs != 7) {
    b.put(0, 1);
    if (profile == 1 || profile == 3) b.put(0, 3);
  } else if (profile == 1 || profile == 3) {
    b.put(0, 1);
  }
  b.put(w - 1, 16);
  b.put(h - 1, 16);
  b.put(0, 8);
  return b.v;
}

TEST(Vp9FrameHeader, KeyFramesAllProfiles) {
  for (int profile = 0; profile < 4; profile++) {
    for (uint8_t cs : {uint8_t{2}, uint8_t{7}}) {
      auto h = key_header(profile, 1280, 720, cs);
      Vp9FrameHeader fh;
      ASSERT_TRUE(parse_vp9_frame_header(h.data(), h.size(), fh)) << profile;
      EXPECT_EQ(fh.profile, profile);
      EXPECT_TRUE(fh.keyframe);
      EXPECT_TRUE(fh.show_frame);
      EXPECT_EQ(fh.width, 1280);
      EXPECT_EQ(fh.height, 720);
      EXPECT_EQ(fh.bit_depth, profile >= 2 ? 12 : 8);
      // Cut before the frame size: rejected.
      EXPECT_FALSE(parse_vp9_frame_header(h.data(), h.size() - 4, fh));
    }
  }
  auto h = key_header(0, 320, 240);
  h[1] = 0x48;  // broken sync code
  Vp9FrameHeader fh;
  EXPECT_FALSE(parse_vp9_frame_header(h.data(), h.size(), fh));
}

TEST(Vp9FrameHeader, InterAndShowExisting) {
  const uint8_t inter[] = {0x86, 0x00};
  Vp9FrameHeader fh;
  ASSERT_TRUE(parse_vp9_frame_header(inter, 2, fh));
  EXPECT_FALSE(fh.keyframe);
  const uint8_t existing[] = {0x88 | 0x05};  // marker, profile 0, show_existing, idx 5 (partial)
  ASSERT_TRUE(parse_vp9_frame_header(existing, 1, fh));
  EXPECT_TRUE(fh.show_existing_frame);
  EXPECT_FALSE(fh.keyframe);
  const uint8_t bad_marker[] = {0x46, 0x00};
  EXPECT_FALSE(parse_vp9_frame_header(bad_marker, 2, fh));
}

TEST(Vp9SuperframeIndex, RoundTripAllSizeWidths) {
  const uint32_t cases[4][2] = {{10, 200}, {300, 65535}, {70000, 5}, {0x1000000, 3}};
  for (size_t c = 0; c < 4; c++) {
    uint8_t buf[64];
    const size_t n = write_vp9_superframe_index(cases[c], 2, buf);
    EXPECT_EQ(n, vp9_superframe_index_size(cases[c], 2));
    EXPECT_EQ(n, 2 + 2 * (c + 1));
    EXPECT_EQ(buf[0], buf[n - 1]);
    EXPECT_EQ(buf[0] & 0xE0, 0xC0);
    EXPECT_EQ((buf[0] >> 3) & 3, static_cast<int>(c));
    EXPECT_EQ(buf[0] & 7, 1);
    uint32_t back[8];
    ASSERT_EQ(parse_vp9_superframe_index(buf, n, back), 2u);
    EXPECT_EQ(back[0], cases[c][0]);
    EXPECT_EQ(back[1], cases[c][1]);
  }
  uint32_t nine[9] = {};
  uint8_t buf[64];
  EXPECT_EQ(write_vp9_superframe_index(nine, 9, buf), 0u);
  EXPECT_EQ(write_vp9_superframe_index(nine, 0, buf), 0u);
}

}  // namespace
}  // namespace te
