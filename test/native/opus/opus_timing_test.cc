// OpusDepacketizer timing checks (RFC 7587 §4.1–§4.2: the RTP timestamp is the encoder's sample
// clock; DTX leaves out whole frames): zero and overlapping steps, gaps that are not whole frames,
// one wrongly stamped packet in every position, and what real streams do (frame-size switches,
// DTX, loss, a first-packet lookahead overlap, SSRC changes, long pauses).
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "core/depack/opus_depacketizer.h"

namespace te {
namespace {

constexpr uint8_t kSilk20 = 0x08;    // config 1: SILK NB 20 ms, mono, code 0
constexpr uint8_t kSilk60 = 0x18;    // config 3: SILK NB 60 ms
constexpr uint8_t kCelt2_5 = 0xE0;   // config 28: CELT FB 2.5 ms
constexpr uint8_t kHybrid10 = 0x70;  // config 14: Hybrid FB 10 ms

struct Stream {
  struct P {
    std::vector<uint8_t> bytes;
    RtpPacket rtp;
  };
  std::vector<P> pk;
  ReleaseList released;
  OpusDepacketizer d;
  std::vector<int64_t> out_ts;  // the emitted frames' timestamps, in order

  void add(int64_t ts, uint8_t toc, uint32_t ssrc = 1) {
    P p;
    p.bytes.assign(12, 0);
    p.bytes.push_back(toc);
    p.bytes.push_back(0x55);
    p.bytes.push_back(0x66);
    p.rtp.id = static_cast<uint32_t>(pk.size());
    p.rtp.timestamp = static_cast<uint32_t>(ts);
    p.rtp.ext_timestamp = ts;
    p.rtp.ssrc = ssrc;
    pk.push_back(std::move(p));
  }
  void drain(std::vector<uint32_t>& out) {
    Frame f;
    while (d.pop(f)) {
      out.push_back(f.data.runs()[0].packet);
      out_ts.push_back(f.timestamp);
      f.hold.release();
    }
  }
  // Pushes every packet (lost_before from `losses`) and returns the emitted packets' ids.
  std::vector<uint32_t> run(const std::set<uint32_t>& losses = {}) {
    std::vector<uint32_t> out;
    for (auto& p : pk) {
      p.rtp.bytes = ByteView(p.bytes.data(), p.bytes.size());
      p.rtp.payload = ByteView(p.bytes.data() + 12, p.bytes.size() - 12);
      d.push(p.rtp, PacketHold(&released, p.rtp.id), losses.count(p.rtp.id) ? 1 : 0);
      drain(out);
    }
    d.flush();
    drain(out);
    return out;
  }
};

std::vector<uint32_t> all_but(uint32_t n, std::set<uint32_t> skip) {
  std::vector<uint32_t> v;
  for (uint32_t i = 0; i < n; i++)
    if (!skip.count(i)) v.push_back(i);
  return v;
}

TEST(OpusTiming, RealStreamShapesAreValid) {
  Stream s;
  int64_t ts = 4294960000LL;  // near the 32-bit wrap (ext timestamps keep counting)
  s.add(ts, kSilk20);
  ts += 960;
  s.add(ts, kSilk60);  // 20 → 60 → 2.5 → 10 ms switches, contiguous
  ts += 2880;
  s.add(ts, kCelt2_5);
  ts += 120;
  s.add(ts, kHybrid10);
  ts += 480;
  s.add(ts, kSilk20);
  ts += 960 + 7 * 960;  // DTX: 7 whole 20 ms frames left out
  s.add(ts, kSilk20);
  ts += 960 + 2 * 480;  // DTX after a 20 ms packet into 10 ms frames: 10 ms units
  s.add(ts, kHybrid10);
  ts += 480 + 3 * 48000;  // a 3 s pause (not whole frames: left to the muxer)
  s.add(ts + 17, kSilk20);
  EXPECT_EQ(s.run(), all_but(8, {}));
  EXPECT_EQ(s.d.stats().timing_invalid, 0u);
  EXPECT_EQ(s.d.stats().malformed, 0u);
  EXPECT_EQ(s.d.stats().frames, 8u);
}

TEST(OpusTiming, FirstPacketLookaheadOverlapIsAllowedOnlyThere) {
  Stream s;
  s.add(1000, kSilk20);
  s.add(1000 + 960 - 312, kSilk20);  // overlaps the first by 312 (the encoder's lookahead)
  s.add(1000 + 2 * 960 - 312, kSilk20);
  s.add(1000 + 3 * 960 - 312 - 200, kSilk20);  // a later overlap (< 120 ticks would be jitter)
  s.add(1000 + 4 * 960 - 312, kSilk20);
  EXPECT_EQ(s.run(), all_but(5, {3}));
  EXPECT_EQ(s.d.stats().timing_invalid, 1u);
  EXPECT_EQ(s.d.stats().frames_dropped, 1u);
}

TEST(OpusTiming, ZeroStepOverlapAndPartialFrameGapsAreInvalid) {
  Stream s;
  s.add(0, kSilk20);
  s.add(960, kSilk20);
  s.add(960, kSilk20);          // step 0
  s.add(1920, kSilk20);
  s.add(1920 + 500, kSilk20);   // starts inside the previous packet
  s.add(2880, kSilk20);
  s.add(3840 + 700, kSilk20);   // a 700-tick gap: not whole frames (and the next one fits the last good one)
  s.add(4800, kSilk20);
  EXPECT_EQ(s.run(), all_but(8, {2, 4, 6}));
  EXPECT_EQ(s.d.stats().timing_invalid, 3u);
  EXPECT_EQ(s.d.stats().frames_dropped, 3u);
}

TEST(OpusTiming, AfterALossOnlyOrderIsChecked) {
  Stream s;
  s.add(0, kSilk20);
  s.add(960 + 333, kSilk20);  // packets lost before it: any gap is possible
  s.add(960 + 333 + 960, kSilk20);
  s.add(960 + 333 + 960, kSilk20);  // lost before, but a zero step is never valid
  EXPECT_EQ(s.run({1, 3}), all_but(4, {3}));
  EXPECT_EQ(s.d.stats().timing_invalid, 1u);
}

TEST(OpusTiming, OneReStampingCostsOnePacketAndAnSsrcChangeNone) {
  Stream s;
  s.add(0, kSilk20);
  s.add(960, kSilk20);
  s.add(1920 + 3333, kSilk20);  // an SFU resumed the track with a gap of no whole frames
  s.add(1920 + 3333 + 960, kSilk20);
  s.add(1920 + 3333 + 1920, kSilk20);
  s.add(777777, kSilk20, 2);  // a new SSRC: RtpInput rebased it, the timing starts afresh
  s.add(777777 + 960 - 100, kSilk20, 2);  // and its first two packets may overlap (pre-skip)
  EXPECT_EQ(s.run(), all_but(7, {2}));
  EXPECT_EQ(s.d.stats().timing_invalid, 1u);
}

TEST(OpusTiming, BackwardJumpsOverOneSecondAreLeftToTheMuxer) {
  Stream s;
  s.add(500000, kSilk20);
  s.add(500960, kSilk20);
  s.add(500960 - 48001, kSilk20);        // sender clock restart: the muxer re-bases
  s.add(500960 - 48001 + 960, kSilk20);  // ...continuing from there
  s.add(500960 - 48001 - 1000, kSilk20); // a small step back: overlap
  EXPECT_EQ(s.run(), all_but(5, {4}));
}

// One packet of a clean 20 ms stream carries a wrong timestamp, in every position and in several
// ways: no two emitted frames share a timestamp, no emitted packet is placed inside another, and
// the packets around it stay (a packet moved by whole frames looks like DTX, so the one or two
// packets it now collides with may go instead).
TEST(OpusTiming, OnePacketWithAWrongTimestampInEveryPosition) {
  constexpr uint32_t kN = 20;
  const int64_t kDamage[] = {1, 77, 119, 120, -119, 480, -480, 959, -960, 960, 2 * 960, 12345, -12345};
  for (uint32_t k = 0; k < kN; k++) {
    for (int64_t delta : kDamage) {
      SCOPED_TRACE(::testing::Message() << "packet " << k << " off by " << delta);
      Stream s;
      for (uint32_t i = 0; i < kN; i++) s.add(100000 + 960 * int64_t{i} + (i == k ? delta : 0), kSilk20);
      const auto out = s.run();
      std::set<int64_t> starts;
      int64_t end = INT64_MIN;
      for (size_t j = 0; j < out.size(); j++) {
        const int64_t ts = s.out_ts[j];  // as emitted (a few ticks of jitter are snapped)
        EXPECT_LT(ts - s.pk[out[j]].rtp.ext_timestamp, 120) << "moved by more than the jitter";
        EXPECT_GT(ts - s.pk[out[j]].rtp.ext_timestamp, -120) << "moved by more than the jitter";
        EXPECT_TRUE(starts.insert(ts).second) << "two frames with one timestamp";
        if (out[j] != 0 && out[j] != 1) {
          EXPECT_GE(ts, end) << "overlaps the packet before";
        }
        end = ts + 960;
      }
      std::set<uint32_t> kept(out.begin(), out.end());
      for (uint32_t i = 0; i < kN; i++)
        if (i + 1 < k || i > k + 2) {
          EXPECT_TRUE(kept.count(i)) << "packet " << i << " lost";
        }
      EXPECT_LE(s.d.stats().timing_invalid, 2u);
    }
  }
}

// livekit-server 1.13.5 forwards an rtc-node publisher's packets, around a mute, with steps of
// 961, 965, 974, 1921 … ticks: a few ticks of wall-clock jitter on the 20 ms grid. Each packet is
// emitted (none refused, none concealed downstream) at the nearest grid step, so the frames stay
// back to back; a step that also leaves out whole frames keeps that gap.
TEST(OpusTiming, JitterOfAFewTicksIsSnappedToTheFrameGrid) {
  Stream s;
  const int64_t base = 4294967296LL - 3000;  // across the 32-bit wrap
  const int64_t steps[] = {960, 961, 965, 974, 1921, 959, 946, 960, 960 + 119, 960 - 119};
  const int64_t want[] = {960, 960, 960, 960, 1920, 960, 960, 960, 960, 960};
  int64_t ts = base;
  s.add(ts, kSilk20);
  for (int64_t st : steps) {
    ts += st;
    s.add(ts, kSilk20);
  }
  EXPECT_EQ(s.run(), all_but(11, {}));
  EXPECT_EQ(s.d.stats().timing_invalid, 0u);
  EXPECT_EQ(s.d.stats().timing_snapped, 8u);
  ASSERT_EQ(s.out_ts.size(), 11u);
  int64_t expect = base;
  EXPECT_EQ(s.out_ts[0], expect);
  for (size_t i = 0; i < 10; i++) {
    expect += want[i];
    EXPECT_EQ(s.out_ts[i + 1], expect) << "frame " << i + 1;
  }
}

TEST(OpusTiming, ASenderAlwaysOneTickOffStaysBackToBack) {
  for (const int64_t off : {1, -1, 7}) {
    SCOPED_TRACE(off);
    Stream s;
    // (From the second step on: a first pair that overlaps is the lookahead, kept.)
    s.add(1000, kSilk20);
    for (int i = 1; i < 500; i++) s.add(1960 + (960 + off) * int64_t{i - 1}, kSilk20);
    EXPECT_EQ(s.run().size(), 500u);
    EXPECT_EQ(s.d.stats().timing_invalid, 0u);
    EXPECT_EQ(s.d.stats().timing_snapped, 498u);
    ASSERT_EQ(s.out_ts.size(), 500u);
    for (size_t i = 0; i < 500; i++) EXPECT_EQ(s.out_ts[i], 1000 + 960 * int64_t(i));
  }
}

TEST(OpusTiming, OffsetsOfOneOpusUnitOrMoreAreNotJitter) {
  Stream s;
  s.add(0, kSilk20);
  s.add(960, kSilk20);
  s.add(1920 + 120, kSilk20);        // 2.5 ms off the grid: not whole frames, refused
  s.add(2880, kSilk20);
  s.add(3840 + 3 * 960 + 5, kSilk20);  // 3 frames left out (DTX), 5 ticks of jitter: kept as a gap
  s.add(3840 + 4 * 960 + 5, kSilk20);  // back on its (shifted) grid: not snapped
  s.add(3840 + 5 * 960 + 5 - 120, kSilk20);  // overlaps the packet before by 2.5 ms: refused
  EXPECT_EQ(s.run(), all_but(7, {2, 6}));
  EXPECT_EQ(s.d.stats().timing_invalid, 2u);
  EXPECT_EQ(s.d.stats().timing_snapped, 1u);
  const std::vector<int64_t> want = {0, 960, 2880, 3840 + 3 * 960, 3840 + 4 * 960};
  EXPECT_EQ(s.out_ts, want);
}

TEST(OpusTiming, AfterALossJitterIsSnappedAndOtherStepsKept) {
  Stream s;
  s.add(0, kSilk20);
  s.add(960, kSilk20);
  s.add(960 + 3 * 960 + 3, kSilk20);      // two packets lost before it, 3 ticks late
  s.add(960 + 5 * 960 + 3 + 333, kSilk20);  // one lost before it, any gap: kept as stamped
  EXPECT_EQ(s.run({2, 3}), all_but(4, {}));
  EXPECT_EQ(s.d.stats().timing_snapped, 1u);
  const std::vector<int64_t> want = {0, 960, 960 + 3 * 960, 960 + 5 * 960 + 333};
  EXPECT_EQ(s.out_ts, want);
}

TEST(OpusTiming, TheFirstPairsLookaheadIsNotSnapped) {
  Stream s;
  s.add(1000, kSilk20);
  s.add(1000 + 960 - 50, kSilk20);  // a 50-tick overlap: the pre-skip, kept
  s.add(1000 + 2 * 960 - 50 + 2, kSilk20);
  EXPECT_EQ(s.run(), all_but(3, {}));
  const std::vector<int64_t> want = {1000, 1000 + 960 - 50, 1000 + 2 * 960 - 50};
  EXPECT_EQ(s.out_ts, want);
  EXPECT_EQ(s.d.stats().timing_snapped, 1u);
}

}  // namespace
}  // namespace te
