// Vp8Depacketizer with temporal scalability (RFC 7741 §4.2 TID / Y / TL0PICIDX): an SFU that drops
// the upper temporal layers (with or without rewriting sequence numbers) leaves the base layer
// decodable — no key frame wait, no PLI — and a loss that TL0PICIDX proves hit only upper-layer
// frames drops upper-layer frames until a layer sync (Y=1), while a lost base-layer frame still
// waits for a key frame.
#include <gtest/gtest.h>

#include <set>

#include "core/depack/vp8_depacketizer.h"
#include "../vpx/vpx_test_runs.h"
#include "vp8_test_frames.h"

namespace te {
namespace {

using testing_rtp::cat;

// Three-layer pattern 0-2-1-2 (as libvpx's temporal scalability); key frames at 0 and 16.
constexpr int kFrames = 24;
uint8_t tid_of(int f) { return testing_rtp::three_layer_tid(f); }
bool is_key(int f) { return f == 0 || f == 16; }
// Layer sync: the first frame of layers 1 and 2 after each key frame, and every TL1 frame of
// group 2 of each key period (frame 10), as an encoder would mark them.
bool is_sync(int f) { return f == 1 || f == 2 || f == 17 || f == 18 || f == 10; }
uint8_t tl0_of(int f) { return static_cast<uint8_t>(250 + f / 4); }  // wraps at 256

std::vector<uint8_t> packet(int f, bool start) {
  std::vector<uint8_t> v = {static_cast<uint8_t>(0x80 | (start ? 0x10 : 0)), 0xE0,  // X; I L T
                            static_cast<uint8_t>(0x80 | ((1000 + f) >> 8)),
                            static_cast<uint8_t>(1000 + f), tl0_of(f),
                            static_cast<uint8_t>((tid_of(f) << 6) | (is_sync(f) ? 0x20 : 0))};
  if (!start) return cat(v, {0x77, 0x88});
  if (is_key(f)) return cat(v, testing_rtp::vp8_key_frame(320, 240));
  return cat(v, {0x31, 0x01, 0x00, static_cast<uint8_t>(f)});
}

const testing_rtp::LayeredStream kStream = {kFrames, 60000, 90000, packet, tid_of};

testing_rtp::LayeredResult run(const std::set<int>& sent, bool renumber,
                              const std::set<int>& lose = {}) {
  return kStream.run<Vp8Depacketizer>(sent, renumber, lose);
}
std::set<int> upto_tid(int top) { return kStream.upto_tid(top); }

TEST(Vp8TemporalLayers, AllLayersDecode) {
  const std::set<int> all = upto_tid(2);
  auto r = run(all, true);
  EXPECT_EQ(r.frames, all);
  EXPECT_FALSE(r.keyframe_requested);
}

TEST(Vp8TemporalLayers, SfuDropsUpperLayersWithRewrittenSequenceNumbers) {
  for (int top : {0, 1}) {
    SCOPED_TRACE(top);
    const std::set<int> sent = upto_tid(top);
    auto r = run(sent, true);
    EXPECT_EQ(r.frames, sent);  // PictureIDs jump, the layers kept are whole
    EXPECT_FALSE(r.keyframe_requested);
  }
}

TEST(Vp8TemporalLayers, SfuDropsUpperLayersAndTheGapsShowAsLoss) {
  for (int top : {0, 1}) {
    SCOPED_TRACE(top);
    const std::set<int> sent = upto_tid(top);
    auto r = run(sent, false);
    // The base layer goes on. A gap may have held frames of any upper layer, so TL1 frames
    // continue only from their layer sync frames (2, 10, 18).
    std::set<int> want;
    for (int f : sent)
      if (tid_of(f) == 0 || is_sync(f)) want.insert(f);
    EXPECT_EQ(r.frames, want);
    EXPECT_FALSE(r.keyframe_requested);
  }
}

TEST(Vp8TemporalLayers, LostUpperLayerFrameWaitsForLayerSyncNotForAKeyFrame) {
  // Frame 6 (TL1) is lost whole: upper-layer frames go until their layer sync — TL1 at frame 10
  // (Y=1), TL2 (which may reference TL1 and TL2 frames) at the key frame 16; the base layer never
  // stops and no key frame is requested.
  const std::set<int> all = upto_tid(2);
  std::set<int> sent = all;
  sent.erase(6);
  auto r = run(sent, false);
  std::set<int> want = sent;
  for (int f : {7, 9, 11, 13, 15}) want.erase(f);
  EXPECT_EQ(r.frames, want);
  EXPECT_FALSE(r.keyframe_requested);
}

TEST(Vp8TemporalLayers, LostBaseLayerFrameWaitsForAKeyFrame) {
  const std::set<int> all = upto_tid(2);
  std::set<int> sent = all;
  sent.erase(8);  // TL0: TL0PICIDX of frame 9 onwards proves a base frame is missing
  auto r = run(sent, false);
  std::set<int> want;
  for (int f : all)
    if (f < 8 || f >= 16) want.insert(f);
  EXPECT_EQ(r.frames, want);
  EXPECT_TRUE(r.keyframe_requested);
}

TEST(Vp8TemporalLayers, LossInsideAnUpperLayerFrameKeepsTheBaseLayer) {
  // Packet 1 of frame 5 (TL2) lost: frame 5 is broken; 6 (TL1) and 8 (TL0) go on, 7 (TL2, not a
  // sync) waits; TL2 comes back with the key frame 16 and its sync frame 18 — frame 9 is TL2 and
  // not a sync, so it stays dropped until then.
  const std::set<int> all = upto_tid(2);
  auto r = run(all, true, {11});
  std::set<int> want = all;
  for (int f : {5, 7, 9, 11, 13, 15}) want.erase(f);
  EXPECT_EQ(r.frames, want);
  EXPECT_FALSE(r.keyframe_requested);
}

}  // namespace
}  // namespace te
