// RtpInput: padding-only packets and timestamp outliers take their sequence slot and are dropped
// after the reorder buffer, carrying loss on to the next delivered packet.
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "core/pipeline/rtp_input.h"
#include "rtp_wire.h"

namespace te {
namespace {

using te_test::Wire;

struct Out {
  uint16_t seq;
  int64_t ts;
  uint32_t lost_before;
};

struct InputFixture : ::testing::Test {
  ReleaseList released;
  Wire wire;
  RtpInputOptions opts;
  std::unique_ptr<RtpInput> in;
  std::vector<Out> out;
  uint32_t pushed = 0;

  void SetUp() override { opts.clock_rate = 90000; }
  RtpInput& input() {
    if (!in) in = std::make_unique<RtpInput>(opts, &released);
    return *in;
  }
  void push(te_test::WirePacket p, int64_t arrival_us) {
    pushed++;
    input().push(p.id, p.bytes, arrival_us);
    ReleasedPacket rp;
    while (input().pop(arrival_us, rp)) take(rp);
  }
  void media(uint16_t seq, uint32_t ts, int64_t arrival_us, bool marker = false) {
    push(wire.make(seq, ts, marker, {0x10, 0x20, 0x30}), arrival_us);
  }
  void take(ReleasedPacket& rp) {
    EXPECT_GT(rp.packet.payload.size, 0u) << "no packet without media reaches a depacketizer";
    out.push_back(Out{rp.packet.sequence, rp.packet.ext_timestamp, rp.lost_before});
    rp.hold.release();
  }
  void finish() {
    ReleasedPacket rp;
    while (input().drain(rp)) take(rp);
    EXPECT_EQ(released.ids.size(), pushed) << "every packet given back exactly once";
  }
  std::vector<uint16_t> seqs() const {
    std::vector<uint16_t> v;
    for (const Out& o : out) v.push_back(o.seq);
    return v;
  }
};

TEST_F(InputFixture, PaddingInsideAndBetweenFramesIsDroppedAndCountedNotMalformed) {
  // Frame 1: seq 10, 11(pad), 12(marker); three probes 13-15; frame 2: 16, 17(pad), 18.
  media(10, 1000, 0);
  push(wire.padding(11, 1000), 10);
  media(12, 1000, 20, true);
  for (uint16_t s = 13; s <= 15; s++) push(wire.padding(s, 1000), 30);
  media(16, 4000, 33333);
  push(wire.make(17, 4000, false, {}), 33340);  // empty payload without the P bit: the same
  media(18, 4000, 33350, true);
  finish();
  EXPECT_EQ(seqs(), (std::vector<uint16_t>{10, 12, 16, 18}));
  for (const Out& o : out) EXPECT_EQ(o.lost_before, 0u) << o.seq;
  EXPECT_EQ(input().stats().padding, 5u);
  EXPECT_EQ(input().stats().malformed, 0u);
  EXPECT_EQ(input().stats().timestamp_outliers, 0u);
  EXPECT_EQ(input().reorder_stats().lost, 0u) << "padding fills its slot: no loss";
}

TEST_F(InputFixture, PaddingWaitsInTheReorderBufferSoItIsNeverNacked) {
  media(10, 1000, 0);
  push(wire.padding(12, 1000), 10);  // 11 missing: the gap is before the padding packet
  EXPECT_EQ(input().missing(8), (std::vector<uint16_t>{11}));
  media(11, 1000, 20, true);  // arrives late: fills the gap
  EXPECT_TRUE(input().missing(8).empty());
  media(13, 4000, 33333);
  finish();
  EXPECT_EQ(seqs(), (std::vector<uint16_t>{10, 11, 13}));
  EXPECT_EQ(out[2].lost_before, 0u);
}

TEST_F(InputFixture, LossBeforePaddingIsReportedOnTheNextDeliveredPacket) {
  opts.reorder.max_wait_us = 0;  // give up gaps at once
  media(10, 1000, 0);
  // 11 lost, 12 padding, 13 lost, 14 padding, 15 media.
  push(wire.padding(12, 1000), 10);
  push(wire.padding(14, 1000), 20);
  media(15, 4000, 33333);
  // Loss right after a padding packet too: 16 padding, 17 lost, 18 media.
  push(wire.padding(16, 4000), 33340);
  media(18, 7000, 66666);
  finish();
  EXPECT_EQ(seqs(), (std::vector<uint16_t>{10, 15, 18}));
  EXPECT_EQ(out[1].lost_before, 2u);
  EXPECT_EQ(out[2].lost_before, 1u);
  EXPECT_EQ(input().reorder_stats().lost, 3u);
  EXPECT_EQ(input().stats().padding, 3u);
}

TEST_F(InputFixture, PaddingTimestampsAreNeitherCheckedNorFollowed) {
  media(10, 1000, 0);
  push(wire.padding(11, 0x80000000u), 10);  // nonsense timestamp on a probe
  media(12, 4000, 33333);
  finish();
  EXPECT_EQ(seqs(), (std::vector<uint16_t>{10, 12}));
  EXPECT_EQ(out[1].ts, 4000);
  EXPECT_EQ(input().stats().timestamp_outliers, 0u);
}

TEST_F(InputFixture, OutlierIsDroppedAsOneLostPacketWithoutANack) {
  for (uint16_t i = 0; i < 10; i++) {
    const bool bad = i == 5;
    media(100 + i, bad ? 1000 + 3000 * i + 3600u * 90000 : 1000 + 3000 * i, i * 33333);
  }
  EXPECT_TRUE(input().missing(8).empty());
  finish();
  EXPECT_EQ(seqs(), (std::vector<uint16_t>{100, 101, 102, 103, 104, 106, 107, 108, 109}));
  EXPECT_EQ(out[5].lost_before, 1u);
  EXPECT_EQ(out[5].ts, 1000 + 3000 * 6);
  EXPECT_EQ(input().stats().timestamp_outliers, 1u);
  EXPECT_EQ(input().reorder_stats().lost, 0u);
}

TEST_F(InputFixture, ReorderedOutlierAndLossBeforeItAddUp) {
  opts.reorder.max_wait_us = 0;
  media(10, 1000, 0);
  // 11 lost; 12 stamped 10 s back; 13 fine.
  media(12, 1000 - 900000, 10);
  media(13, 4000, 33333);
  finish();
  EXPECT_EQ(seqs(), (std::vector<uint16_t>{10, 13}));
  EXPECT_EQ(out[1].lost_before, 2u);
}

TEST_F(InputFixture, TimestampResetWithinOneSsrcIsRebasedAndCounted) {
  for (uint16_t i = 0; i < 10; i++) media(i, 1000 + 3000 * i, i * 33333);
  for (uint16_t i = 10; i < 20; i++) media(i, 3000000000u + 3000 * (i - 10), i * 33333);
  finish();
  EXPECT_EQ(input().stats().timestamp_rebases, 1u);
  EXPECT_EQ(input().stats().timestamp_outliers, 2u);
  ASSERT_EQ(out.size(), 18u);
  // Seq 12 (rebased) lies where the arrival clock says seq 10 starts, plus two frames.
  EXPECT_EQ(out[10].seq, 12);
  EXPECT_EQ(out[10].lost_before, 2u);
  EXPECT_EQ(out[10].ts, 1000 + 3000 * 9 + 3000 + 6000);  // 33 333 µs ≈ 3000 ticks
  for (size_t k = 11; k < out.size(); k++) EXPECT_EQ(out[k].ts - out[k - 1].ts, 3000);
}

TEST_F(InputFixture, SsrcChangeContinuesAtArrivalDistance) {
  media(10, 1000, 0);
  push(wire.make(500, 77777, false, {1, 2, 3}, 0, 0xABCD), 1000000);
  finish();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].ts, 1000 + 90000);
  EXPECT_EQ(input().stats().ssrc_changes, 1u);
}

TEST_F(InputFixture, TrailingPaddingAndOutliersLeaveNothingBehind) {
  media(10, 1000, 0);
  push(wire.padding(11, 1000), 10);
  media(12, 1000 + 3600u * 90000, 20);
  finish();
  EXPECT_EQ(seqs(), (std::vector<uint16_t>{10}));
  EXPECT_EQ(input().stats().padding, 1u);
  EXPECT_EQ(input().stats().timestamp_outliers, 1u);
}

}  // namespace
}  // namespace te
