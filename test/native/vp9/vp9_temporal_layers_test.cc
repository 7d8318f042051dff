// Vp9Depacketizer, non-flexible mode with temporal layers (RFC 9628 §4.2 TID / U / TL0PICIDX): an
// SFU that drops upper temporal layers leaves the base layer decodable — no key frame wait — and
// a loss that TL0PICIDX proves hit only upper-layer pictures drops upper-layer pictures until a
// switching-up point (U=1), while a lost base-layer picture waits for a key frame.
#include <gtest/gtest.h>

#include <set>

#include "../vp8/rtp_test_packets.h"
#include "core/depack/vp9_depacketizer.h"

namespace te {
namespace {

using testing_rtp::cat;
using testing_rtp::PacketFactory;

constexpr int kPictures = 24;
uint8_t tid_of(int p) {
  static const uint8_t pattern[4] = {0, 2, 1, 2};
  return pattern[p % 4];
}
bool is_key(int p) { return p == 0 || p == 16; }
// Switching-up points: the TL0 picture 8 (all upper layers may restart after it) and the TL1
// picture 14 (TL2 may restart after it).
bool is_up(int p) { return p == 8 || p == 14; }
uint8_t tl0_of(int p) { return static_cast<uint8_t>(253 + p / 4); }  // wraps

std::vector<uint8_t> key_frame() {
  const uint64_t bits = ((uint64_t{0x4} << 32) | (uint64_t{319} << 16) | 239) << 4;
  std::vector<uint8_t> v = {0x82, 0x49, 0x83, 0x42};
  for (int i = 4; i >= 0; i--) v.push_back(static_cast<uint8_t>(bits >> (8 * i)));
  return v;
}

// Two packets per picture: I (15-bit), P, L, B/E; layer byte TID|U|SID=0|D=0; TL0PICIDX.
std::vector<uint8_t> packet(int p, bool first) {
  const bool inter = !is_key(p);
  std::vector<uint8_t> v = {
      static_cast<uint8_t>(0x80 | (inter ? 0x40 : 0) | 0x20 | (first ? 0x08 : 0x04)),
      static_cast<uint8_t>(0x80 | ((2000 + p) >> 8)), static_cast<uint8_t>(2000 + p),
      static_cast<uint8_t>((tid_of(p) << 5) | (is_up(p) ? 0x10 : 0)), tl0_of(p)};
  if (!first) return cat(v, {0x11, 0x22});
  return cat(v, inter ? std::vector<uint8_t>{0x86, 0x01, static_cast<uint8_t>(p)} : key_frame());
}

struct Result {
  std::set<int> pictures;
  bool keyframe_requested = false;
};

Result run(const std::set<int>& sent, bool renumber, const std::set<int>& lose = {}) {
  PacketFactory pf;
  Vp9Depacketizer d;
  std::vector<int> pic_of;
  uint16_t seq = 65000;
  uint32_t lost = 0;
  int sent_packet = 0;
  Result r;
  for (int p = 0; p < kPictures; p++) {
    if (!sent.count(p)) {
      if (!renumber) {
        seq += 2;
        lost += 2;
      }
      continue;
    }
    for (int part = 0; part < 2; part++) {
      const uint32_t id = pf.make(seq++, 7000 + 3000u * p, part == 1, packet(p, part == 0));
      pic_of.push_back(p);
      if (lose.count(sent_packet++)) {
        lost++;
        continue;
      }
      pf.push(d, id, lost);
      lost = 0;
      if (d.keyframe_needed() && p != 0) r.keyframe_requested = true;
      Frame fr;
      while (d.pop(fr)) {
        r.pictures.insert(pic_of[fr.data.runs()[0].packet]);
        fr.hold.release();
      }
    }
  }
  return r;
}

std::set<int> upto_tid(int top) {
  std::set<int> s;
  for (int p = 0; p < kPictures; p++)
    if (tid_of(p) <= top) s.insert(p);
  return s;
}

TEST(Vp9TemporalLayers, AllLayersDecode) {
  Result r = run(upto_tid(2), true);
  EXPECT_EQ(r.pictures, upto_tid(2));
  EXPECT_FALSE(r.keyframe_requested);
}

TEST(Vp9TemporalLayers, SfuDropsUpperLayersWithRewrittenSequenceNumbers) {
  for (int top : {0, 1}) {
    SCOPED_TRACE(top);
    Result r = run(upto_tid(top), true);
    EXPECT_EQ(r.pictures, upto_tid(top));
    EXPECT_FALSE(r.keyframe_requested);
  }
}

TEST(Vp9TemporalLayers, SfuDropsUpperLayersAndTheGapsShowAsLoss) {
  // The base layer never stops. A gap may have held pictures of any upper layer, and one follows
  // every TL1 picture here, so the TL1 pictures cannot be proven decodable: only TL0 is kept.
  for (int top : {0, 1}) {
    SCOPED_TRACE(top);
    Result r = run(upto_tid(top), false);
    EXPECT_EQ(r.pictures, upto_tid(0));
    EXPECT_FALSE(r.keyframe_requested);
  }
}

TEST(Vp9TemporalLayers, LostUpperLayerPictureWaitsForASwitchingUpPoint) {
  // Picture 6 (TL1) lost whole: upper layers wait for U=1 at picture 8; the base layer goes on.
  std::set<int> sent = upto_tid(2);
  sent.erase(6);
  Result r = run(sent, false);
  std::set<int> want = sent;
  want.erase(7);
  EXPECT_EQ(r.pictures, want);
  EXPECT_FALSE(r.keyframe_requested);
}

TEST(Vp9TemporalLayers, LossInsideATl2PictureKeepsTl1) {
  // The second packet of picture 9 (TL2) lost: TL2 waits for the TL1 switching-up point 14.
  Result r = run(upto_tid(2), true, {19});
  std::set<int> want = upto_tid(2);
  for (int p : {9, 11, 13}) want.erase(p);
  EXPECT_EQ(r.pictures, want);
  EXPECT_FALSE(r.keyframe_requested);
}

TEST(Vp9TemporalLayers, LostBaseLayerPictureWaitsForAKeyFrame) {
  std::set<int> sent = upto_tid(2);
  sent.erase(4);
  Result r = run(sent, false);
  std::set<int> want;
  for (int p : sent)
    if (p < 4 || p >= 16) want.insert(p);
  EXPECT_EQ(r.pictures, want);
  EXPECT_TRUE(r.keyframe_requested);
}

}  // namespace
}  // namespace te
