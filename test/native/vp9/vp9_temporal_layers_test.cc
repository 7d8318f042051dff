// Vp9Depacketizer, non-flexible mode with temporal layers (RFC 9628 §4.2 TID / U / TL0PICIDX): an
// SFU that drops upper temporal layers leaves the base layer decodable — no key frame wait — and
// a loss that TL0PICIDX proves hit only upper-layer pictures drops upper-layer pictures until a
// switching-up point (U=1), while a lost base-layer picture waits for a key frame.
#include <gtest/gtest.h>

#include <set>

#include "../vpx/vpx_test_runs.h"
#include "core/depack/vp9_depacketizer.h"
#include "vp9_test_frames.h"

namespace te {
namespace {

using testing_rtp::cat;
using testing_rtp::vp9_key_frame;

constexpr int kPictures = 24;
uint8_t tid_of(int p) { return testing_rtp::three_layer_tid(p); }
bool is_key(int p) { return p == 0 || p == 16; }
// Switching-up points: the TL0 picture 8 (all upper layers may restart after it) and the TL1
// picture 14 (TL2 may restart after it).
bool is_up(int p) { return p == 8 || p == 14; }
uint8_t tl0_of(int p) { return static_cast<uint8_t>(253 + p / 4); }  // wraps

// Two packets per picture: I (15-bit), P, L, B/E; layer byte TID|U|SID=0|D=0; TL0PICIDX.
std::vector<uint8_t> packet(int p, bool first) {
  const bool inter = !is_key(p);
  std::vector<uint8_t> v = {
      static_cast<uint8_t>(0x80 | (inter ? 0x40 : 0) | 0x20 | (first ? 0x08 : 0x04)),
      static_cast<uint8_t>(0x80 | ((2000 + p) >> 8)), static_cast<uint8_t>(2000 + p),
      static_cast<uint8_t>((tid_of(p) << 5) | (is_up(p) ? 0x10 : 0)), tl0_of(p)};
  if (!first) return cat(v, {0x11, 0x22});
  if (!inter) return cat(v, vp9_key_frame(320, 240));
  return cat(v, {0x86, 0x01, static_cast<uint8_t>(p)});
}

const testing_rtp::LayeredStream kStream = {kPictures, 65000, 7000, packet, tid_of};

testing_rtp::LayeredResult run(const std::set<int>& sent, bool renumber,
                              const std::set<int>& lose = {}) {
  return kStream.run<Vp9Depacketizer>(sent, renumber, lose);
}
std::set<int> upto_tid(int top) { return kStream.upto_tid(top); }

TEST(Vp9TemporalLayers, AllLayersDecode) {
  auto r = run(upto_tid(2), true);
  EXPECT_EQ(r.frames, upto_tid(2));
  EXPECT_FALSE(r.keyframe_requested);
}

TEST(Vp9TemporalLayers, SfuDropsUpperLayersWithRewrittenSequenceNumbers) {
  for (int top : {0, 1}) {
    SCOPED_TRACE(top);
    auto r = run(upto_tid(top), true);
    EXPECT_EQ(r.frames, upto_tid(top));
    EXPECT_FALSE(r.keyframe_requested);
  }
}

TEST(Vp9TemporalLayers, SfuDropsUpperLayersAndTheGapsShowAsLoss) {
  // The base layer never stops. A gap may have held pictures of any upper layer, and one follows
  // every TL1 picture here, so the TL1 pictures cannot be proven decodable: only TL0 is kept.
  for (int top : {0, 1}) {
    SCOPED_TRACE(top);
    auto r = run(upto_tid(top), false);
    EXPECT_EQ(r.frames, upto_tid(0));
    EXPECT_FALSE(r.keyframe_requested);
  }
}

TEST(Vp9TemporalLayers, LostUpperLayerPictureWaitsForASwitchingUpPoint) {
  // Picture 6 (TL1) lost whole: upper layers wait for U=1 at picture 8; the base layer goes on.
  std::set<int> sent = upto_tid(2);
  sent.erase(6);
  auto r = run(sent, false);
  std::set<int> want = sent;
  want.erase(7);
  EXPECT_EQ(r.frames, want);
  EXPECT_FALSE(r.keyframe_requested);
}

TEST(Vp9TemporalLayers, LossInsideATl2PictureKeepsTl1) {
  // The second packet of picture 9 (TL2) lost: TL2 waits for the TL1 switching-up point 14.
  auto r = run(upto_tid(2), true, {19});
  std::set<int> want = upto_tid(2);
  for (int p : {9, 11, 13}) want.erase(p);
  EXPECT_EQ(r.frames, want);
  EXPECT_FALSE(r.keyframe_requested);
}

TEST(Vp9TemporalLayers, LostBaseLayerPictureWaitsForAKeyFrame) {
  std::set<int> sent = upto_tid(2);
  sent.erase(4);
  auto r = run(sent, false);
  std::set<int> want;
  for (int p : sent)
    if (p < 4 || p >= 16) want.insert(p);
  EXPECT_EQ(r.frames, want);
  EXPECT_TRUE(r.keyframe_requested);
}

}  // namespace
}  // namespace te
