// Access unit boundaries (RFC 6184 §5.1): the RTP timestamp is authoritative, the marker bit only a
// hint. Streams that set the marker on every slice, streams without markers, and losses between
// the slices of one access unit.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "core/depack/h264_depacketizer.h"
#include "h264_feed.h"

using namespace te;
using namespace te_test;

namespace {

constexpr uint32_t kI = 7, kP = 5;

struct Harness : H264Feed {
  // Two-slice picture (slices start at macroblock 0 and 40); marker on each slice or only the last.
  void picture(uint32_t ts, uint8_t type, uint32_t frame_num, bool marker_per_slice,
               uint32_t lost_before_second = 0) {
    uint32_t st = type == 5 ? kI : kP;
    send(ts, marker_per_slice, make_slice(type, 3, frame_num, st, 30, 0));
    send(ts, true, make_slice(type, 3, frame_num, st, 30, 40), lost_before_second);
  }
};

void expect_unique_timestamps(const std::vector<Frame>& fr) {
  std::set<int64_t> seen;
  for (const Frame& f : fr) EXPECT_TRUE(seen.insert(f.timestamp).second) << "two frames at " << f.timestamp;
}

TEST(H264AccessUnit, MarkerPerSliceMakesOneFramePerTimestamp) {
  Harness h;
  h.send(0, false, stap_a({kHighSps, kHighPps}));
  h.picture(0, 5, 0, true);
  for (uint32_t i = 1; i < 5; i++) h.picture(3000 * i, 1, i, true);
  h.d.flush();
  auto fr = h.ready();
  ASSERT_EQ(fr.size(), 5u);
  expect_unique_timestamps(fr);
  for (uint32_t i = 0; i < 5; i++) {
    EXPECT_EQ(fr[i].timestamp, int64_t{3000} * i);
    uint8_t t = i == 0 ? 5 : 1;
    uint32_t st = i == 0 ? kI : kP;
    std::vector<std::vector<uint8_t>> nals;
    if (i == 0) nals = {kHighSps, kHighPps};
    nals.push_back(make_slice(t, 3, i, st, 30, 0));
    nals.push_back(make_slice(t, 3, i, st, 30, 40));
    EXPECT_EQ(flatten(fr[i].data), sample(nals)) << i;
  }
  EXPECT_TRUE(fr[0].keyframe);
  EXPECT_EQ(h.d.stats().frames_dropped, 0u);
  EXPECT_EQ(h.d.h264_stats().markers_inside_access_unit, 5u);
  EXPECT_EQ(h.d.h264_stats().duplicate_timestamps, 0u);
}

TEST(H264AccessUnit, AMarkedAccessUnitIsHeldUntilTheTimestampChanges) {
  Harness h;
  h.send(0, true, stap_a({kHighSps, kHighPps, make_slice(5, 3, 0, kI)}));
  EXPECT_TRUE(h.ready().empty());  // more slices with timestamp 0 could still follow
  h.send(3000, true, make_slice(1, 2, 1, kP));
  auto fr = h.ready();
  ASSERT_EQ(fr.size(), 1u);
  EXPECT_EQ(fr[0].timestamp, 0);
  h.d.flush();  // the end of the stream closes the last marked access unit
  fr = h.ready();
  ASSERT_EQ(fr.size(), 1u);
  EXPECT_EQ(fr[0].timestamp, 3000);
  EXPECT_EQ(h.d.h264_stats().markers_inside_access_unit, 0u);
}

TEST(H264AccessUnit, MarkerMissingEntirely) {
  Harness h;
  h.send(0, false, stap_a({kHighSps, kHighPps}));
  for (uint32_t i = 0; i < 4; i++) {
    uint8_t t = i == 0 ? 5 : 1;
    h.send(3000 * i, false, make_slice(t, 3, i, i == 0 ? kI : kP, 30, 0));
    h.send(3000 * i, false, make_slice(t, 3, i, i == 0 ? kI : kP, 30, 40));
  }
  auto fr = h.ready();
  ASSERT_EQ(fr.size(), 3u);  // each closed by the next timestamp
  expect_unique_timestamps(fr);
  for (const Frame& f : fr) EXPECT_EQ(f.hold.count(), f.timestamp == 0 ? 3u : 2u);
  h.d.flush();  // the last one never proved complete (no marker, nothing after it): dropped
  EXPECT_TRUE(h.ready().empty());
  EXPECT_EQ(h.d.stats().frames_dropped, 1u);
}

TEST(H264AccessUnit, LossBetweenTwoSlicesOfOneAccessUnitDropsIt) {
  for (bool marker_per_slice : {false, true}) {
    Harness h;
    h.send(0, false, stap_a({kHighSps, kHighPps}));
    h.picture(0, 5, 0, marker_per_slice);
    h.picture(3000, 1, 1, marker_per_slice);
    // Picture 2: a packet between its two slices is lost (e.g. a middle slice).
    h.picture(6000, 1, 2, marker_per_slice, /*lost_before_second=*/1);
    h.picture(9000, 1, 3, marker_per_slice);  // references the lost picture
    h.picture(12000, 5, 0, marker_per_slice);
    h.d.flush();
    auto fr = h.ready();
    ASSERT_EQ(fr.size(), 3u) << marker_per_slice;
    EXPECT_EQ(fr[0].timestamp, 0);
    EXPECT_EQ(fr[1].timestamp, 3000);
    EXPECT_EQ(fr[2].timestamp, 12000);
    EXPECT_TRUE(fr[2].keyframe);
    EXPECT_TRUE(fr[2].discontinuity);
    EXPECT_EQ(h.d.stats().frames_dropped, 2u);
    EXPECT_GE(h.d.stats().keyframe_requests, 1u);
  }
}

TEST(H264AccessUnit, LossRightAfterAMarkedSliceInAStreamThatMarksSlicesDropsTheHeldUnit) {
  Harness h;
  h.send(0, false, stap_a({kHighSps, kHighPps}));
  h.picture(0, 5, 0, true);
  h.picture(3000, 1, 1, true);  // the stream has shown its markers end slices, not pictures
  // Picture 2's first slice arrives (marker), its second slice is lost, then picture 3.
  h.send(6000, true, make_slice(1, 3, 2, kP, 30, 0));
  h.send(9000, true, make_slice(1, 3, 3, kP, 30, 0), /*lost=*/1);
  h.send(9000, true, make_slice(1, 3, 3, kP, 30, 40));
  h.d.flush();
  auto fr = h.ready();
  ASSERT_EQ(fr.size(), 2u);  // picture 2 may be missing its tail: dropped, and 3 depends on it
  EXPECT_EQ(fr[1].timestamp, 3000);
  EXPECT_TRUE(h.d.waiting_for_keyframe());
}

TEST(H264AccessUnit, LossAfterAMarkedUnitInAStreamThatMarksPicturesKeepsIt) {
  Harness h;
  h.send(0, true, stap_a({kHighSps, kHighPps, make_slice(5, 3, 0, kI)}));
  h.send(3000, true, make_slice(1, 2, 1, kP));
  // A whole non-reference picture (one packet) is lost; the next P carries frame_num 2.
  h.send(9000, true, make_slice(1, 2, 2, kP), /*lost=*/1);
  h.d.flush();
  auto fr = h.ready();
  ASSERT_EQ(fr.size(), 3u);  // the P at 3000 ended with its marker: complete, kept
  EXPECT_EQ(fr[1].timestamp, 3000);
  EXPECT_EQ(fr[2].timestamp, 9000);
  EXPECT_TRUE(fr[2].discontinuity);
  EXPECT_EQ(h.d.h264_stats().losses_recovered, 1u);
}

TEST(H264AccessUnit, NeverTwoFramesWithOneTimestamp) {
  Harness h;
  h.send(0, true, stap_a({kHighSps, kHighPps, make_slice(5, 3, 0, kI)}));
  h.send(3000, true, make_slice(1, 2, 1, kP, 30, 0));
  h.send(3000, true, stap_a({kHighSps, kHighPps}));  // a parameter-set-only packet in between
  // A lone parameter-set access unit of another timestamp, then more of picture 3000.
  h.send(3001, true, stap_a({kHighSps, kHighPps}));
  h.send(3000, true, make_slice(1, 2, 1, kP, 30, 40));
  h.send(6000, true, make_slice(1, 2, 2, kP));
  h.d.flush();
  auto fr = h.ready();
  expect_unique_timestamps(fr);
  ASSERT_EQ(fr.size(), 3u);
  EXPECT_EQ(fr[1].timestamp, 3000);
  EXPECT_EQ(h.d.h264_stats().duplicate_timestamps, 1u);
}

TEST(H264AccessUnit, AnEmptyPayloadWithTheSameTimestampLeavesTheUnitIntact) {
  // What a padding-only packet (RFC 3550 §5.1) looks like once its padding is stripped, should one
  // reach the depacketizer: nothing was lost, the frame stays.
  Harness h;
  h.send(0, true, stap_a({kHighSps, kHighPps, make_slice(5, 3, 0, kI)}));
  h.send(0, false, {});
  h.send(3000, true, make_slice(1, 2, 1, kP));
  h.send(3000, false, {});
  h.d.flush();
  auto fr = h.ready();
  ASSERT_EQ(fr.size(), 2u);
  EXPECT_EQ(h.d.stats().malformed, 2u);
  EXPECT_EQ(h.d.stats().frames_dropped, 0u);
  EXPECT_EQ(h.d.h264_stats().markers_inside_access_unit, 0u);  // nothing followed the marker
}

}  // namespace
