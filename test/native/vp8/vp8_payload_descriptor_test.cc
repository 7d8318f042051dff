// RFC 7741 §4.2 payload descriptor and RFC 6386 §9.1 key frame header parsing.
#include <gtest/gtest.h>

#include <vector>

#include "core/depack/vp8_payload_descriptor.h"

namespace te {
namespace {

struct Combo {
  bool i, m, l, t, k;
};

std::vector<uint8_t> build(const Combo& c, bool n, bool s, uint8_t pid, uint16_t picid,
                           uint8_t tl0, uint8_t tid, bool y, uint8_t keyidx) {
  const bool x = c.i || c.l || c.t || c.k;
  std::vector<uint8_t> v;
  v.push_back(static_cast<uint8_t>((x ? 0x80 : 0) | (n ? 0x20 : 0) | (s ? 0x10 : 0) | pid));
  if (x) v.push_back(static_cast<uint8_t>((c.i ? 0x80 : 0) | (c.l ? 0x40 : 0) | (c.t ? 0x20 : 0) |
                                          (c.k ? 0x10 : 0)));
  if (c.i) {
    if (c.m) {
      v.push_back(static_cast<uint8_t>(0x80 | (picid >> 8)));
      v.push_back(static_cast<uint8_t>(picid));
    } else {
      v.push_back(static_cast<uint8_t>(picid & 0x7F));
    }
  }
  if (c.l) v.push_back(tl0);
  if (c.t || c.k) v.push_back(static_cast<uint8_t>((tid << 6) | (y ? 0x20 : 0) | keyidx));
  return v;
}

TEST(Vp8Descriptor, AllCombinationsAndEveryTruncation) {
  int combos = 0;
  for (int bits = 0; bits < 32; bits++) {
    Combo c{(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0, (bits & 16) != 0};
    if (c.m && !c.i) continue;
    combos++;
    const uint16_t picid = c.m ? 0x5A5A & 0x7FFF : 0x55;
    std::vector<uint8_t> d = build(c, true, true, 3, picid, 0xAB, 2, true, 0x15);
    const size_t dsize = d.size();
    d.push_back(0x42);  // one payload byte
    Vp8Descriptor out;
    ASSERT_TRUE(parse_vp8_descriptor(ByteView(d.data(), d.size()), out)) << bits;
    EXPECT_EQ(out.size, dsize);
    EXPECT_TRUE(out.non_reference);
    EXPECT_TRUE(out.start);
    EXPECT_EQ(out.partition, 3);
    EXPECT_FALSE(out.frame_start());
    EXPECT_EQ(out.has_picture_id, c.i);
    if (c.i) {
      EXPECT_EQ(out.picture_id_15, c.m);
      EXPECT_EQ(out.picture_id, picid);
    }
    EXPECT_EQ(out.has_tl0picidx, c.l);
    if (c.l) {
      EXPECT_EQ(out.tl0picidx, 0xAB);
    }
    EXPECT_EQ(out.has_tid, c.t);
    if (c.t) {
      EXPECT_EQ(out.tid, 2);
      EXPECT_TRUE(out.layer_sync);
    }
    EXPECT_EQ(out.has_keyidx, c.k);
    if (c.k) {
      EXPECT_EQ(out.keyidx, 0x15);
    }
    // Every truncation (including "descriptor but no payload") is rejected.
    for (size_t len = 0; len <= dsize; len++)
      EXPECT_FALSE(parse_vp8_descriptor(ByteView(d.data(), len), out)) << bits << " len " << len;
  }
  EXPECT_EQ(combos, 24);
}

TEST(Vp8Descriptor, MinimalFrameStart) {
  const uint8_t d[] = {0x10, 0x00};
  Vp8Descriptor out;
  ASSERT_TRUE(parse_vp8_descriptor(ByteView(d, 2), out));
  EXPECT_TRUE(out.frame_start());
  EXPECT_FALSE(out.non_reference);
  EXPECT_EQ(out.size, 1u);
}

TEST(Vp8KeyframeHeader, SizeAndScale) {
  // frame tag (P=0 → key frame), start code, 640 with scale 1, 480 with scale 2.
  const uint8_t f[] = {0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x42, 0xe0, 0x81};
  Vp8KeyframeInfo info;
  ASSERT_TRUE(parse_vp8_keyframe_header(f, sizeof(f), info));
  EXPECT_EQ(info.width, 640);
  EXPECT_EQ(info.horizontal_scale, 1);
  EXPECT_EQ(info.height, 480);
  EXPECT_EQ(info.vertical_scale, 2);
  EXPECT_FALSE(parse_vp8_keyframe_header(f, 9, info));
  uint8_t bad[10];
  std::copy(f, f + 10, bad);
  bad[4] = 0x02;
  EXPECT_FALSE(parse_vp8_keyframe_header(bad, 10, info));
  bad[4] = 0x01;
  bad[0] |= 1;  // inter frame
  EXPECT_FALSE(parse_vp8_keyframe_header(bad, 10, info));
  EXPECT_FALSE(vp8_is_keyframe(bad[0]));
}

}  // namespace
}  // namespace te
