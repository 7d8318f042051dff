// Vp8Depacketizer: frame assembly, zero-copy views, key frame config, loss handling (RFC 7741).
#include <gtest/gtest.h>

#include <algorithm>

#include "core/depack/vp8_depacketizer.h"
#include "../vpx/rtp_test_packets.h"
#include "vp8_test_frames.h"

namespace te {
namespace {

using testing_rtp::cat;
using testing_rtp::chain_bytes;
using testing_rtp::PacketFactory;
using testing_rtp::vp8_descriptor;
using testing_rtp::vp8_key_frame;

std::vector<uint8_t> delta_payload() { return {0x31, 0x01, 0x00, 0x11, 0x22}; }

struct Vp8Fixture : testing_rtp::DepacketizerFixture<Vp8Depacketizer> {
  uint16_t seq = 100;

  // One frame in `parts` packets; returns the ids.
  std::vector<uint32_t> frame(uint32_t ts, uint16_t picid, const std::vector<uint8_t>& body,
                              int parts = 2, bool n = false) {
    std::vector<uint32_t> ids;
    size_t per = (body.size() + parts - 1) / parts;
    for (int i = 0; i < parts; i++) {
      std::vector<uint8_t> chunk(body.begin() + std::min(body.size(), i * per),
                                 body.begin() + std::min(body.size(), (i + 1) * per));
      ids.push_back(
          pf.make(seq++, ts, i == parts - 1, cat(vp8_descriptor(i == 0, picid, n), chunk)));
    }
    return ids;
  }
};

TEST_F(Vp8Fixture, AssemblesKeyframeZeroCopyWithConfig) {
  auto body = vp8_key_frame(320, 240);
  auto ids = frame(1000, 7, body, 3);
  push_all(ids);
  auto frames = pop_all();
  ASSERT_EQ(frames.size(), 1u);
  Frame& f = frames[0];
  EXPECT_EQ(f.codec, Codec::kVP8);
  EXPECT_TRUE(f.keyframe);
  EXPECT_EQ(f.timestamp, 1000);
  ASSERT_TRUE(f.config);
  EXPECT_EQ(f.config->width, 320);
  EXPECT_EQ(f.config->height, 240);
  EXPECT_EQ(f.config->clock_rate, 90000u);
  EXPECT_EQ(chain_bytes(f.data), body);
  // Zero-copy: every run points into the packet it names, right after the 4-byte descriptor.
  ASSERT_EQ(f.data.runs().size(), 3u);
  for (size_t i = 0; i < 3; i++) {
    const ByteRun& r = f.data.runs()[i];
    EXPECT_EQ(r.packet, ids[i]);
    EXPECT_EQ(r.offset, 12u + 4u);
    EXPECT_EQ(r.data, pf.buffer(ids[i]).data() + 16);
  }
  EXPECT_EQ(f.hold.count(), 3u);
  EXPECT_TRUE(pf.released.ids.empty());
  f.hold.release();
  EXPECT_EQ(pf.released.ids.size(), 3u);
  EXPECT_EQ(d.stats().keyframes, 1u);
}

TEST_F(Vp8Fixture, ConfigOnlyWhenSizeChanges) {
  push_all(frame(0, 1, vp8_key_frame(320, 240)));
  push_all(frame(3000, 2, delta_payload()));
  push_all(frame(6000, 3, vp8_key_frame(320, 240)));
  push_all(frame(9000, 4, vp8_key_frame(640, 360)));
  auto fr = pop_all();
  ASSERT_EQ(fr.size(), 4u);
  EXPECT_TRUE(fr[0].config);
  EXPECT_FALSE(fr[1].keyframe);
  EXPECT_FALSE(fr[1].config);
  EXPECT_TRUE(fr[2].keyframe);
  EXPECT_FALSE(fr[2].config);
  ASSERT_TRUE(fr[3].config);
  EXPECT_EQ(fr[3].config->width, 640);
  EXPECT_EQ(fr[3].config->height, 360);
}

TEST_F(Vp8Fixture, WaitsForFirstKeyframe) {
  push_all(frame(0, 1, delta_payload()));
  EXPECT_TRUE(pop_all().empty());
  EXPECT_TRUE(d.keyframe_needed());
  EXPECT_EQ(d.stats().frames_dropped, 1u);
  EXPECT_EQ(pf.released.ids.size(), 2u);  // dropped packets go back at once
  push_all(frame(3000, 2, vp8_key_frame(320, 240)));
  auto fr = pop_all();
  ASSERT_EQ(fr.size(), 1u);
  EXPECT_TRUE(fr[0].keyframe);
  EXPECT_TRUE(fr[0].discontinuity);
}

TEST_F(Vp8Fixture, LossInReferenceFrameDropsUntilKeyframe) {
  push_all(frame(0, 1, vp8_key_frame(320, 240)));
  auto lossy = frame(3000, 2, delta_payload(), 3);
  pf.push(d, lossy[0]);
  pf.push(d, lossy[2], 1);  // lossy[1] lost
  push_all(frame(6000, 3, delta_payload()));
  auto fr = pop_all();
  ASSERT_EQ(fr.size(), 1u);  // only the key frame
  EXPECT_TRUE(d.keyframe_needed());
  EXPECT_EQ(d.stats().keyframe_requests, 1u);
  EXPECT_EQ(d.stats().frames_dropped, 2u);
  push_all(frame(9000, 4, vp8_key_frame(320, 240)));
  fr = pop_all();
  ASSERT_EQ(fr.size(), 1u);
  EXPECT_TRUE(fr[0].keyframe);
  EXPECT_TRUE(fr[0].discontinuity);
  EXPECT_FALSE(d.waiting_for_keyframe());
}

TEST_F(Vp8Fixture, LossInNonReferenceFrameContinues) {
  push_all(frame(0, 10, vp8_key_frame(320, 240)));
  auto lossy = frame(3000, 11, delta_payload(), 3, /*n=*/true);
  pf.push(d, lossy[0]);
  pf.push(d, lossy[2], 1);
  push_all(frame(6000, 12, delta_payload()));
  auto fr = pop_all();
  ASSERT_EQ(fr.size(), 2u);
  EXPECT_EQ(fr[1].timestamp, 6000);
  EXPECT_TRUE(fr[1].discontinuity);
  EXPECT_FALSE(d.keyframe_needed());
}

TEST_F(Vp8Fixture, HeadOfNonReferenceFrameLostWithConsecutivePictureIds) {
  push_all(frame(0, 10, vp8_key_frame(320, 240)));
  auto lossy = frame(3000, 11, delta_payload(), 2, true);
  pf.push(d, lossy[1], 1);  // first packet lost; second shows N=1 and PictureID 11
  push_all(frame(6000, 12, delta_payload()));
  EXPECT_EQ(pop_all().size(), 2u);
  EXPECT_FALSE(d.keyframe_needed());
}

TEST_F(Vp8Fixture, WholeFrameLostNeedsKeyframe) {
  push_all(frame(0, 10, vp8_key_frame(320, 240)));
  auto gone = frame(3000, 11, delta_payload(), 2, true);  // never delivered
  (void)gone;
  auto next = frame(6000, 12, delta_payload());
  pf.push(d, next[0], 2);
  pf.push(d, next[1]);
  EXPECT_EQ(pop_all().size(), 1u);
  EXPECT_TRUE(d.keyframe_needed());
}

TEST_F(Vp8Fixture, PictureIdWrapIsConsecutive) {
  push_all(frame(0, 0x7FFF, vp8_key_frame(320, 240)));
  auto lossy = frame(3000, 0, delta_payload(), 3, true);
  pf.push(d, lossy[0]);
  pf.push(d, lossy[2], 1);
  push_all(frame(6000, 1, delta_payload()));
  EXPECT_EQ(pop_all().size(), 2u);
  EXPECT_FALSE(d.keyframe_needed());
}

TEST_F(Vp8Fixture, MalformedPacketCountsAndBreaksFrame) {
  push_all(frame(0, 1, vp8_key_frame(320, 240)));
  auto f2 = frame(3000, 2, delta_payload(), 3);
  pf.push(d, f2[0]);
  const uint32_t bad = pf.make(seq++, 3000, false, {0x80});  // X=1 but no extension byte
  pf.push(d, bad);
  pf.push(d, f2[2]);
  EXPECT_EQ(d.stats().malformed, 1u);
  EXPECT_EQ(pop_all().size(), 1u);
  EXPECT_TRUE(d.keyframe_needed());
  EXPECT_NE(std::find(pf.released.ids.begin(), pf.released.ids.end(), bad), pf.released.ids.end());
}

TEST_F(Vp8Fixture, MissingMarkerFrameEndsOnTimestampChange) {
  push_all(frame(0, 1, vp8_key_frame(320, 240)));
  const uint32_t a = pf.make(seq++, 3000, false, cat(vp8_descriptor(true, 2), delta_payload()));
  pf.push(d, a);
  push_all(frame(6000, 3, delta_payload()));
  auto fr = pop_all();
  ASSERT_EQ(fr.size(), 3u);
  EXPECT_EQ(fr[1].timestamp, 3000);
}

TEST_F(Vp8Fixture, FlushDropsIncompleteAndReleasesEverything) {
  push_all(frame(0, 1, vp8_key_frame(320, 240)));
  const uint32_t a = pf.make(seq++, 3000, false, cat(vp8_descriptor(true, 2), delta_payload()));
  pf.push(d, a);
  d.flush();
  {
    auto fr = pop_all();
    EXPECT_EQ(fr.size(), 1u);
  }
  EXPECT_EQ(pf.released.ids.size(), pf.count());
}

TEST_F(Vp8Fixture, TimestampUnwrapsAcrossWrap) {
  push_all(frame(0xFFFFF000u, 1, vp8_key_frame(320, 240)));
  push_all(frame(0x00000100u, 2, delta_payload()));
  auto fr = pop_all();
  ASSERT_EQ(fr.size(), 2u);
  EXPECT_EQ(fr[1].timestamp - fr[0].timestamp, 0x1100);
}

}  // namespace
}  // namespace te
