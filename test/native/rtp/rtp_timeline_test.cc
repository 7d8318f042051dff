// RtpTimeline: 32-bit RTP timestamps unwrapped and checked against the arrival clock.
#include <cstdint>
#include <random>

#include <gtest/gtest.h>

#include "core/rtp/rtp_timeline.h"

namespace te {
namespace {

constexpr int64_t kWrap = int64_t{1} << 32;
constexpr int64_t kSec = 1000000;  // µs

struct Placed {
  RtpTimeVerdict v;
  int64_t ext;
};

Placed place(RtpTimeline& t, int64_t ts, int64_t arrival_us) {
  Placed p{RtpTimeVerdict::kOutlier, -1};
  p.v = t.place(static_cast<uint32_t>(ts), arrival_us, p.ext);
  return p;
}

TEST(RtpTimeline, SevenHourPauseAt90kHzKeepsTheTrueTimeLine) {
  // vp8-pause-7h: 10 frames at 30 fps, then 25 200 s of silence (2 268 000 000 ticks > 2^31, so
  // the signed 32-bit step alone says -22 521 s), then 10 frames.
  RtpTimeline t;
  const int64_t ts0 = 4000000000;  // wraps during the pause as well
  for (int i = 0; i < 10; i++) {
    auto p = place(t, ts0 + 3000 * i, i * 33333);
    ASSERT_EQ(p.v, RtpTimeVerdict::kAccepted);
    EXPECT_EQ(p.ext, ts0 + 3000 * i);
  }
  const int64_t pause = int64_t{25200} * 90000;
  for (int i = 10; i < 20; i++) {
    auto p = place(t, ts0 + pause + 3000 * i, 25200 * kSec + i * 33333);
    ASSERT_EQ(p.v, RtpTimeVerdict::kAccepted) << i;
    EXPECT_EQ(p.ext, ts0 + pause + 3000 * i);
  }
}

TEST(RtpTimeline, ManyWrapsInOnePauseAndAudioPauseOver12Hours) {
  RtpTimeline t(RtpTimelineOptions{48000});
  place(t, 100, 0);
  place(t, 100 + 960, 20000);
  // 13 h at 48 kHz = 2 246 400 000 ticks (> 2^31); then 3 wraps and a bit (≈ 74.6 h).
  const int64_t a = int64_t{13} * 3600 * 48000;
  auto p = place(t, 1060 + a, 20000 + 13 * 3600 * kSec);
  ASSERT_EQ(p.v, RtpTimeVerdict::kAccepted);
  EXPECT_EQ(p.ext, 1060 + a);
  const int64_t b = 3 * kWrap + 12345 * 960;
  const int64_t arrival_b = 20000 + 13 * 3600 * kSec + b * kSec / 48000;
  p = place(t, 1060 + a + b, arrival_b);
  ASSERT_EQ(p.v, RtpTimeVerdict::kAccepted);
  EXPECT_EQ(p.ext, 1060 + a + b);
  p = place(t, 1060 + a + b + 960, arrival_b + 20000);
  EXPECT_EQ(p.ext, 1060 + a + b + 960);
}

TEST(RtpTimeline, BFramesAndReorderingStepBackAcrossAWrapWithConstantArrival) {
  // Decode order I0 P3 B1 B2 P6 B4 B5 (3000-tick frames) straddling the 32-bit wrap, every packet
  // pushed with the same arrival time (a caller without a clock): all accepted, exact steps back.
  RtpTimeline t;
  const int64_t base = kWrap - 4 * 3000;
  const int order[] = {0, 3, 1, 2, 6, 4, 5, 9, 7, 8};
  for (int f : order) {
    auto p = place(t, base + 3000 * f, 5 * kSec);
    ASSERT_EQ(p.v, RtpTimeVerdict::kAccepted) << f;
    EXPECT_EQ(p.ext, base + 3000 * f) << f;
  }
  // A packet reordered in the network, 600 ms back (within 1 s): still placed.
  auto p = place(t, base + 3000 * 8 - 54000, 5 * kSec + 1000);
  EXPECT_EQ(p.v, RtpTimeVerdict::kAccepted);
  EXPECT_EQ(p.ext, base + 3000 * 8 - 54000);
}

TEST(RtpTimeline, ConstantArrivalTimesForOrdinaryStreamsTriggerNothing) {
  // 1 fps screen share, Opus DTX (one packet per 400 ms), 30 fps video: arrival never moves.
  RtpTimeline screen;
  for (int i = 0; i < 100; i++) EXPECT_EQ(place(screen, 7 + 90000 * i, 0).v, RtpTimeVerdict::kAccepted);
  RtpTimeline dtx(RtpTimelineOptions{48000});
  for (int i = 0; i < 100; i++) EXPECT_EQ(place(dtx, 19200 * i, 0).v, RtpTimeVerdict::kAccepted);
  RtpTimeline video;
  for (int i = 0; i < 3000; i++) EXPECT_EQ(place(video, 3000 * i, 0).v, RtpTimeVerdict::kAccepted);
}

TEST(RtpTimeline, WithoutAnArrivalClockTheRtpTimeLineIsBelieved) {
  // RFC 4571 files carry no times (the reader numbers packets): a genuine 60 s gap stays, and
  // only a real clock makes the same jump an outlier.
  RtpTimeline none;
  for (int i = 0; i < 60; i++) ASSERT_EQ(place(none, 3000 * i, i).v, RtpTimeVerdict::kAccepted);
  auto p = place(none, 3000 * 59 + 60 * 90000, 60);
  EXPECT_EQ(p.v, RtpTimeVerdict::kAccepted);
  EXPECT_EQ(p.ext, 3000 * 59 + 60 * 90000);
  RtpTimeline real;
  for (int i = 0; i < 60; i++) ASSERT_EQ(place(real, 3000 * i, i * 33333).v, RtpTimeVerdict::kAccepted);
  EXPECT_EQ(place(real, 3000 * 59 + 60 * 90000, 60 * 33333).v, RtpTimeVerdict::kOutlier);
}

TEST(RtpTimeline, BurstyArrivalAfterAStallIsNotAnOutlier) {
  // Network stall: 3 s without packets, then 90 frames arrive within 10 ms. Each packet is
  // compared with the last accepted one, so a burst never adds up.
  RtpTimeline t;
  for (int i = 0; i < 30; i++) ASSERT_EQ(place(t, 3000 * i, i * 33333).v, RtpTimeVerdict::kAccepted);
  for (int i = 30; i < 120; i++) {
    ASSERT_EQ(place(t, 3000 * i, 4 * kSec + (i - 30) * 100).v, RtpTimeVerdict::kAccepted) << i;
  }
}

TEST(RtpTimeline, GenuineGapWhereArrivalAgreesIsNotAnOutlier) {
  RtpTimeline t;
  for (int i = 0; i < 60; i++) place(t, 3000 * i, i * 33333);
  // h264-gap-last-frame: 20 s without packets, the arrival clock says so too.
  auto p = place(t, 3000 * 59 + 20 * 90000, 59 * 33333 + 20 * kSec);
  EXPECT_EQ(p.v, RtpTimeVerdict::kAccepted);
  EXPECT_EQ(p.ext, 3000 * 59 + 20 * 90000);
}

TEST(RtpTimeline, OnePacketStampedPlusOneHourIsAnOutlier) {
  RtpTimeline t(RtpTimelineOptions{48000});
  const int64_t ts0 = 715083055;
  for (int i = 0; i < 75; i++) ASSERT_EQ(place(t, ts0 + 960 * i, i * 20000).v, RtpTimeVerdict::kAccepted);
  EXPECT_EQ(place(t, ts0 + 960 * 75 + 3600 * 48000, 75 * 20000).v, RtpTimeVerdict::kOutlier);
  for (int i = 76; i < 150; i++) {
    auto p = place(t, ts0 + 960 * i, i * 20000);
    ASSERT_EQ(p.v, RtpTimeVerdict::kAccepted);
    EXPECT_EQ(p.ext, ts0 + 960 * i);
  }
}

TEST(RtpTimeline, PacketsStampedFarBackAreOutliersAndDoNotBecomeTheReference) {
  RtpTimeline t;
  const int64_t ts0 = 3387994973;
  for (int i = 0; i < 90; i++) place(t, ts0 + 3000 * i, i * 33333);
  // vp8-last-frame-10s-back: the last frame's three packets, one timestamp, 10 s before where it
  // belongs (13 s before its predecessor): all outliers; one timestamp never re-bases.
  for (int k = 0; k < 3; k++) {
    EXPECT_EQ(place(t, ts0 + 3000 * 90 - 10 * 90000 - 3 * 90000, 90 * 33333 + k).v,
              RtpTimeVerdict::kOutlier);
  }
  // vp8-one-packet-bad-timestamp: one packet inside a frame stamped 1.
  EXPECT_EQ(place(t, 1, 90 * 33333 + 10).v, RtpTimeVerdict::kOutlier);
  auto p = place(t, ts0 + 3000 * 90, 90 * 33333 + 20);
  EXPECT_EQ(p.v, RtpTimeVerdict::kAccepted);
  EXPECT_EQ(p.ext, ts0 + 3000 * 90);
  // Behind by just under the tolerance is still a B-frame-like step.
  EXPECT_EQ(place(t, ts0 + 3000 * 90 - 89000, 90 * 33333 + 30).v, RtpTimeVerdict::kAccepted);
}

TEST(RtpTimeline, PersistentTimestampResetIsRebasedAtTheArrivalDistance) {
  // The encoder restarts its timestamps (same SSRC) at a random value 40 ms after the last
  // accepted packet. Outliers until three distinct, advancing timestamps agree; then the third is
  // placed where the first belongs by arrival (+40 ms) plus its own RTP distance from the first.
  RtpTimeline t;
  for (int i = 0; i < 10; i++) place(t, 1000 + 3000 * i, i * 33333);
  const int64_t last = 1000 + 3000 * 9, last_arrival = 9 * 33333;
  const int64_t reset = 2000000000;
  EXPECT_EQ(place(t, reset, last_arrival + 40000).v, RtpTimeVerdict::kOutlier);
  EXPECT_EQ(place(t, reset, last_arrival + 40100).v, RtpTimeVerdict::kOutlier);  // same frame
  EXPECT_EQ(place(t, reset + 3000, last_arrival + 73333).v, RtpTimeVerdict::kOutlier);
  auto p = place(t, reset + 6000, last_arrival + 106666);
  ASSERT_EQ(p.v, RtpTimeVerdict::kRebased);
  EXPECT_EQ(p.ext, last + 40000 * 90 / 1000 + 6000);
  p = place(t, reset + 9000, last_arrival + 140000);
  EXPECT_EQ(p.v, RtpTimeVerdict::kAccepted);
  EXPECT_EQ(p.ext, last + 3600 + 9000);
}

TEST(RtpTimeline, OutliersThatDisagreeWithEachOtherNeverRebase) {
  RtpTimeline t;
  for (int i = 0; i < 10; i++) place(t, 3000 * i, i * 33333);
  for (int i = 0; i < 50; i++) {
    // Garbage timestamps far from each other and from the stream.
    const uint32_t ts = 500000000u + static_cast<uint32_t>(i) * 100000000u;
    EXPECT_EQ(place(t, ts, 9 * 33333 + i).v, RtpTimeVerdict::kOutlier) << i;
  }
  auto p = place(t, 3000 * 10, 10 * 33333);
  EXPECT_EQ(p.v, RtpTimeVerdict::kAccepted);
  EXPECT_EQ(p.ext, 30000);
}

TEST(RtpTimeline, RestartContinuesAtTheArrivalDistance) {
  RtpTimeline t;
  place(t, 5000, 0);
  t.restart();
  auto p = place(t, 123456789, 2 * kSec);
  EXPECT_EQ(p.v, RtpTimeVerdict::kAccepted);
  EXPECT_EQ(p.ext, 5000 + 180000);
  EXPECT_EQ(place(t, 123456789 + 3000, 2 * kSec + 33333).ext, 5000 + 183000);
}

TEST(RtpTimeline, AnyInputStaysInRange) {
  // Hostile timestamps and arrival times (jumps of centuries, clock steps backwards): the time
  // line never overflows (UBSan) and stays within the documented bound.
  std::mt19937_64 rng(42);
  for (uint32_t rate : {8000u, 48000u, 90000u, 1000000u}) {
    RtpTimeline t(RtpTimelineOptions{rate});
    int64_t arrival = 0;
    for (int i = 0; i < 20000; i++) {
      const uint64_t r = rng();
      arrival += static_cast<int64_t>(r % 4 == 0 ? (r >> 8) % (int64_t{1} << 44) : (r >> 8) % 100000) -
                 (r % 7 == 0 ? 50000 : 0);
      int64_t ext = 0;
      const RtpTimeVerdict v = t.place(static_cast<uint32_t>(r >> 16), arrival, ext);
      if (v != RtpTimeVerdict::kOutlier) {
        ASSERT_LE(ext, int64_t{1} << 46);
        ASSERT_GE(ext, -(int64_t{1} << 46));
      }
      (void)t.peek(static_cast<uint32_t>(r), arrival);
      if (r % 1000 == 0) t.restart();
    }
  }
}

}  // namespace
}  // namespace te
