// Vp9Depacketizer: picture assembly, spatial layers + superframe index, SS size, flexible and
// non-flexible loss handling (RFC 9628).
#include <gtest/gtest.h>

#include "../vpx/rtp_test_packets.h"
#include "core/depack/vp9_depacketizer.h"
#include "vp9_test_frames.h"

namespace te {
namespace {

using testing_rtp::cat;
using testing_rtp::chain_bytes;
using testing_rtp::PacketFactory;
using testing_rtp::vp9_key_frame;

std::vector<uint8_t> inter_frame() { return {0x86, 0x01, 0x02, 0x03}; }

struct Layer {
  Layer(std::vector<uint8_t> b, uint8_t s = 0, std::vector<uint8_t> p = {})
      : body(std::move(b)), sid(s), p_diff(std::move(p)) {}
  std::vector<uint8_t> body;
  uint8_t sid = 0;
  std::vector<uint8_t> p_diff;  // flexible mode references
};

struct Vp9Fixture : testing_rtp::DepacketizerFixture<Vp9Depacketizer> {
  uint16_t seq = 500;

  // Descriptor: I (15-bit), P, L, F, B, E, V as given.
  std::vector<uint8_t> desc(uint16_t pid, bool p, bool flex, bool b, bool e, uint8_t sid,
                            const std::vector<uint8_t>& p_diff, const std::vector<uint8_t>& ss) {
    std::vector<uint8_t> v;
    v.push_back(static_cast<uint8_t>(0x80 | (p ? 0x40 : 0) | 0x20 | (flex ? 0x10 : 0) |
                                     (b ? 0x08 : 0) | (e ? 0x04 : 0) | (ss.empty() ? 0 : 0x02)));
    v.push_back(static_cast<uint8_t>(0x80 | (pid >> 8)));
    v.push_back(static_cast<uint8_t>(pid));
    v.push_back(static_cast<uint8_t>(sid << 1));
    if (!flex) v.push_back(0);  // TL0PICIDX
    if (flex && p)
      for (size_t i = 0; i < p_diff.size(); i++)
        v.push_back(static_cast<uint8_t>((p_diff[i] << 1) | (i + 1 < p_diff.size())));
    v.insert(v.end(), ss.begin(), ss.end());
    return v;
  }
  // A picture: each layer split in two packets; marker on the last.
  std::vector<uint32_t> picture(uint32_t ts, uint16_t pid, bool p, bool flex,
                                const std::vector<Layer>& layers,
                                const std::vector<uint8_t>& ss = {}) {
    std::vector<uint32_t> ids;
    for (size_t l = 0; l < layers.size(); l++) {
      const auto& body = layers[l].body;
      const size_t half = body.size() / 2;
      std::vector<uint8_t> a(body.begin(), body.begin() + half), b(body.begin() + half, body.end());
      ids.push_back(pf.make(seq++, ts, false,
                            cat(desc(pid, p, flex, true, false, layers[l].sid, layers[l].p_diff,
                                     l == 0 ? ss : std::vector<uint8_t>{}),
                                a)));
      ids.push_back(pf.make(seq++, ts, l + 1 == layers.size(),
                            cat(desc(pid, p, flex, false, true, layers[l].sid, layers[l].p_diff, {}), b)));
    }
    return ids;
  }
};

TEST_F(Vp9Fixture, SingleLayerKeyAndInter) {
  auto key = vp9_key_frame(320, 240);
  push_all(picture(0, 1, false, false, {{key}}));
  push_all(picture(3000, 2, true, false, {{inter_frame()}}));
  auto fr = pop_all();
  ASSERT_EQ(fr.size(), 2u);
  EXPECT_TRUE(fr[0].keyframe);
  ASSERT_TRUE(fr[0].config);
  EXPECT_EQ(fr[0].config->codec, Codec::kVP9);
  EXPECT_EQ(fr[0].config->width, 320);
  EXPECT_EQ(fr[0].config->height, 240);
  EXPECT_EQ(chain_bytes(fr[0].data), key);  // no superframe index for one frame
  EXPECT_FALSE(fr[1].keyframe);
  EXPECT_FALSE(fr[1].config);
  EXPECT_EQ(chain_bytes(fr[1].data), inter_frame());
  EXPECT_EQ(fr[1].data.runs()[0].packet, 2u);
  EXPECT_EQ(fr[1].data.runs()[0].offset, 12u + 5u);
}

TEST_F(Vp9Fixture, SpatialLayersGetSuperframeIndexAndSsSize) {
  const std::vector<uint8_t> ss = {(1 << 5) | 0x10, 0x01, 0x40, 0x00, 0xB4, 0x02, 0x80, 0x01, 0x68};
  auto l0 = vp9_key_frame(320, 180);
  std::vector<uint8_t> l1(300, 0x5A);
  l1[0] = 0x86;
  push_all(picture(0, 1, false, false, {{l0, 0, {}}, {l1, 1, {}}}, ss));
  auto fr = pop_all();
  ASSERT_EQ(fr.size(), 1u);
  EXPECT_TRUE(fr[0].keyframe);
  ASSERT_TRUE(fr[0].config);
  EXPECT_EQ(fr[0].config->width, 640);
  EXPECT_EQ(fr[0].config->height, 360);
  auto bytes = chain_bytes(fr[0].data);
  uint32_t sizes[8];
  ASSERT_EQ(parse_vp9_superframe_index(bytes.data(), bytes.size(), sizes), 2u);
  EXPECT_EQ(sizes[0], l0.size());
  EXPECT_EQ(sizes[1], l1.size());
  auto expect = cat(l0, l1);
  EXPECT_TRUE(std::equal(expect.begin(), expect.end(), bytes.begin()));
  EXPECT_EQ(bytes.size(), expect.size() + 2 + 2 * 2);  // sizes need 2 bytes each (300)
  EXPECT_EQ(fr[0].hold.count(), 4u);
}

TEST_F(Vp9Fixture, WaitsForKeyframeAtStart) {
  push_all(picture(0, 1, true, false, {{inter_frame()}}));
  EXPECT_TRUE(pop_all().empty());
  EXPECT_TRUE(d.keyframe_needed());
  push_all(picture(3000, 2, false, false, {{vp9_key_frame(320, 240)}}));
  auto fr = pop_all();
  ASSERT_EQ(fr.size(), 1u);
  EXPECT_TRUE(fr[0].discontinuity);
}

TEST_F(Vp9Fixture, NonFlexibleLossWaitsForKeyOrIntraPicture) {
  push_all(picture(0, 1, false, false, {{vp9_key_frame(320, 240)}}));
  auto lossy = picture(3000, 2, true, false, {{inter_frame()}});
  pf.push(d, lossy[1], 1);  // head lost
  push_all(picture(6000, 3, true, false, {{inter_frame()}}));
  EXPECT_EQ(pop_all().size(), 1u);
  EXPECT_TRUE(d.keyframe_needed());
  EXPECT_TRUE(d.waiting_for_keyframe());
  // A picture with P=0 (no inter-picture prediction) restarts decoding.
  push_all(picture(9000, 4, false, false, {{inter_frame()}}));
  auto fr = pop_all();
  ASSERT_EQ(fr.size(), 1u);
  EXPECT_FALSE(fr[0].keyframe);
  EXPECT_TRUE(fr[0].discontinuity);
  EXPECT_FALSE(d.waiting_for_keyframe());
}

TEST_F(Vp9Fixture, NonFlexibleLossBetweenPicturesWithConsecutiveIdsIsHarmless) {
  push_all(picture(0, 1, false, false, {{vp9_key_frame(320, 240)}}));
  auto next = picture(3000, 2, true, false, {{inter_frame()}});
  pf.push(d, next[0], 3);  // e.g. padding-only packets lost
  pf.push(d, next[1]);
  EXPECT_EQ(pop_all().size(), 2u);
  EXPECT_FALSE(d.keyframe_needed());
}

TEST_F(Vp9Fixture, FlexibleModeChecksReferences) {
  push_all(picture(0, 10, false, true, {{vp9_key_frame(320, 240)}}));
  push_all(picture(3000, 11, true, true, {{inter_frame(), 0, {1}}}));
  auto lost = picture(6000, 12, true, true, {{inter_frame(), 0, {1}}});  // never delivered
  auto p13 = picture(9000, 13, true, true, {{inter_frame(), 0, {2}}});   // refs 11
  pf.push(d, p13[0], static_cast<uint32_t>(lost.size()));
  pf.push(d, p13[1]);
  auto fr = pop_all();
  ASSERT_EQ(fr.size(), 3u);
  EXPECT_EQ(fr[2].timestamp, 9000);
  EXPECT_TRUE(fr[2].discontinuity);
  EXPECT_FALSE(d.keyframe_needed());
  push_all(picture(12000, 14, true, true, {{inter_frame(), 0, {1, 2}}}));  // refs 13 and 12 (lost)
  EXPECT_TRUE(pop_all().empty());
  EXPECT_TRUE(d.keyframe_needed());
  push_all(picture(15000, 15, true, true, {{inter_frame(), 0, {2, 4}}}));  // refs 13, 11
  EXPECT_EQ(pop_all().size(), 1u);
}

TEST_F(Vp9Fixture, MalformedAndFlushReleaseAll) {
  push_all(picture(0, 1, false, false, {{vp9_key_frame(320, 240)}}));
  const uint32_t bad = pf.make(seq++, 3000, false, {0xD8, 0x81});  // truncated
  pf.push(d, bad);
  EXPECT_EQ(d.stats().malformed, 1u);
  auto open = picture(6000, 3, true, false, {{inter_frame()}});
  pf.push(d, open[0]);
  d.flush();
  pop_all();
  EXPECT_EQ(pf.released.ids.size(), pf.count() - 1);  // open[1] was never pushed
}

TEST_F(Vp9Fixture, LayerFrameWithoutEndIsBroken) {
  push_all(picture(0, 1, false, false, {{vp9_key_frame(320, 240)}}));
  // B without E, then marker packet starting a new layer frame: B while a frame is open.
  const uint32_t a = pf.make(seq++, 3000, false, cat(desc(2, true, false, true, false, 0, {}, {}), inter_frame()));
  const uint32_t b = pf.make(seq++, 3000, true, cat(desc(2, true, false, true, true, 1, {}, {}), inter_frame()));
  pf.push(d, a);
  pf.push(d, b);
  EXPECT_EQ(pop_all().size(), 1u);
  EXPECT_EQ(d.stats().frames_dropped, 1u);
}

}  // namespace
}  // namespace te
