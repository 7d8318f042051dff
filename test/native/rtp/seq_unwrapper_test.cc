// SeqUnwrapper / TimestampUnwrapper (RFC 3550 §A.1 style extension to 64 bits).
#include <cstdint>

#include <gtest/gtest.h>

#include "core/rtp/seq_unwrapper.h"

namespace te {
namespace {

TEST(SeqUnwrapper, WrapForwardAndBack) {
  SeqUnwrapper u;
  EXPECT_EQ(u.unwrap(65534), 65534);
  EXPECT_EQ(u.unwrap(65535), 65535);
  EXPECT_EQ(u.unwrap(0), 65536);
  EXPECT_EQ(u.unwrap(1), 65537);
  EXPECT_EQ(u.peek(65535), 65535);  // reordered across the wrap
  EXPECT_EQ(u.unwrap(65535), 65535);
  EXPECT_EQ(u.unwrap(2), 65538);
}

TEST(TimestampUnwrapper, MonotonicAcrossWrap) {
  TimestampUnwrapper u;
  EXPECT_EQ(u.unwrap(0xFFFFF000u), 0xFFFFF000ll);
  EXPECT_EQ(u.unwrap(0x00000BB8u), 0x100000BB8ll);  // +0x1BB8 across the wrap
  EXPECT_EQ(u.unwrap(0x00010000u), 0x100010000ll);
}

TEST(TimestampUnwrapper, BFrameBackwardStepsAcrossWrap) {
  // Decode order of I P B B with 3000-tick frames, straddling the 32-bit wrap:
  // presentation timestamps go backwards for B-frames and must stay below their P-frame.
  const uint32_t base = 0xFFFFE000u;
  TimestampUnwrapper u;
  const int64_t i0 = u.unwrap(base);
  const int64_t p3 = u.unwrap(base + 9000);  // wraps
  const int64_t b1 = u.unwrap(base + 3000);  // back before the wrap
  const int64_t b2 = u.unwrap(base + 6000);  // wraps again
  const int64_t p6 = u.unwrap(base + 18000);
  EXPECT_EQ(i0, int64_t{base});
  EXPECT_EQ(p3 - i0, 9000);
  EXPECT_EQ(b1 - i0, 3000);
  EXPECT_EQ(b2 - i0, 6000);
  EXPECT_EQ(p6 - i0, 18000);
  EXPECT_GT(p3, 0xFFFFFFFFll);
  EXPECT_LT(b1, 0x100000000ll);
}

TEST(TimestampUnwrapper, ManyWraps) {
  TimestampUnwrapper u;
  int64_t expect = 0;
  uint32_t ts = 0;
  u.unwrap(ts);
  for (int i = 0; i < 20; ++i) {  // 20 steps of ~1.07e9 ticks: several wraps
    ts += 0x40000000u;
    expect += 0x40000000ll;
    EXPECT_EQ(u.unwrap(ts), expect);
  }
}

}  // namespace
}  // namespace te
