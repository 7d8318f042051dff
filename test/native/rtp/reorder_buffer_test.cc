// ReorderBuffer: in-order release, bounded wait for gaps, duplicates/late, restarts, holds.
#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "core/rtp/reorder_buffer.h"

namespace te {
namespace {

struct Out {
  uint16_t seq;
  int64_t ext;
  uint32_t lost_before;
  uint32_t id;
};

class ReorderTest : public ::testing::Test {
 protected:
  void make(ReorderOptions o = {}) { rb_ = std::make_unique<ReorderBuffer>(o); }

  // A buffer of `max_packets` (small: so it fills or spills) with sequence 0 already delivered.
  void start_ring(uint32_t max_packets, uint32_t restart_gap = ReorderOptions{}.restart_gap) {
    ReorderOptions o;
    o.max_packets = max_packets;
    o.restart_gap = restart_gap;
    make(o);
    put(0, 0);
    pop_all(0);
  }

  // Inserts seq with packet id = next_id_++; the hold is consumed either way.
  bool put(uint16_t seq, int64_t now) {
    RtpPacket p;
    p.sequence = seq;
    p.id = next_id_++;
    inserted_.push_back(p.id);
    return rb_->insert(p, PacketHold(&released_, p.id), now);
  }
  // Pops everything due at `now`; the holds die here (released).
  std::vector<Out> pop_all(int64_t now) {
    std::vector<Out> v;
    ReleasedPacket r;
    while (rb_->pop(now, r)) take(r, v);
    return v;
  }
  std::vector<Out> drain_all() {
    std::vector<Out> v;
    ReleasedPacket r;
    while (rb_->drain(r)) take(r, v);
    return v;
  }
  void take(ReleasedPacket& r, std::vector<Out>& v) {
    EXPECT_EQ(r.hold.count(), 1u);
    EXPECT_EQ(r.hold.ids().front(), r.packet.id);
    v.push_back({r.packet.sequence, r.packet.ext_sequence, r.lost_before, r.packet.id});
    r.hold.release();
  }
  static std::vector<uint16_t> seqs(const std::vector<Out>& v) {
    std::vector<uint16_t> s;
    for (const Out& o : v) s.push_back(o.seq);
    return s;
  }
  // Every id inserted so far was released exactly once.
  void expect_all_released_once() {
    std::vector<uint32_t> a = inserted_, b = released_.ids;
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    EXPECT_EQ(a, b);
  }

  ReleaseList released_;  // declared first: outlives rb_, whose holds release into it
  std::unique_ptr<ReorderBuffer> rb_ = std::make_unique<ReorderBuffer>();
  std::vector<uint32_t> inserted_;
  uint32_t next_id_ = 1;
};

TEST_F(ReorderTest, InOrderIsReleasedImmediately) {
  for (uint16_t s = 100; s < 105; ++s) {
    ASSERT_TRUE(put(s, 0));
    auto v = pop_all(0);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].seq, s);
    EXPECT_EQ(v[0].ext, s);
    EXPECT_EQ(v[0].lost_before, 0u);
  }
  EXPECT_EQ(rb_->buffered(), 0u);
  EXPECT_EQ(rb_->next_deadline_us(), INT64_MAX);
  EXPECT_EQ(rb_->stats().received, 5u);
  EXPECT_EQ(rb_->stats().released, 5u);
  expect_all_released_once();
}

TEST_F(ReorderTest, SequenceWrapThroughTheBuffer) {
  put(65534, 0);
  put(0, 1);      // 65535 missing
  put(65535, 2);  // arrives late but within the wait
  put(1, 3);
  auto v = pop_all(3);
  ASSERT_EQ(seqs(v), (std::vector<uint16_t>{65534, 65535, 0, 1}));
  EXPECT_EQ(v[2].ext, 65536);
  EXPECT_EQ(v[3].ext, 65537);
  for (const Out& o : v) EXPECT_EQ(o.lost_before, 0u);
  EXPECT_EQ(rb_->stats().reordered, 1u);
  EXPECT_EQ(rb_->stats().lost, 0u);
  expect_all_released_once();
}

TEST_F(ReorderTest, ReorderWithinWindowWaits) {
  put(10, 0);
  EXPECT_EQ(pop_all(0).size(), 1u);
  put(13, 1000);
  put(12, 2000);
  EXPECT_TRUE(pop_all(2000).empty());  // 11 missing, still waiting
  EXPECT_EQ(rb_->buffered(), 2u);
  EXPECT_EQ(rb_->next_deadline_us(), 1000 + 200000);  // earliest arrival after the gap
  EXPECT_EQ(rb_->missing(), (std::vector<uint16_t>{11}));
  put(11, 5000);
  auto v = pop_all(5000);
  ASSERT_EQ(seqs(v), (std::vector<uint16_t>{11, 12, 13}));
  EXPECT_EQ(rb_->stats().lost, 0u);
  EXPECT_EQ(rb_->stats().reordered, 2u);  // 12 after 13, 11 after 13
  expect_all_released_once();
}

TEST_F(ReorderTest, DuplicateDroppedAndHoldReleasedAtOnce) {
  put(5, 0);
  put(7, 0);
  const size_t before = released_.ids.size();
  EXPECT_FALSE(put(7, 1));  // duplicate while buffered
  EXPECT_EQ(released_.ids.size(), before + 1);
  EXPECT_EQ(released_.ids.back(), next_id_ - 1);
  EXPECT_EQ(rb_->stats().duplicates, 1u);
  EXPECT_EQ(seqs(pop_all(1)), (std::vector<uint16_t>{5}));
  EXPECT_FALSE(put(5, 2));  // duplicate of a released packet: late
  EXPECT_EQ(rb_->stats().late, 1u);
  EXPECT_EQ(rb_->buffered(), 1u);
  drain_all();
  expect_all_released_once();
}

TEST_F(ReorderTest, LateAfterLossDeclared) {
  put(1, 0);
  pop_all(0);
  put(3, 10);
  EXPECT_TRUE(pop_all(10 + 199999).empty());
  auto v = pop_all(10 + 200000);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].seq, 3);
  EXPECT_EQ(v[0].lost_before, 1u);
  EXPECT_EQ(rb_->stats().lost, 1u);
  EXPECT_FALSE(put(2, 300000));  // its slot was given up
  EXPECT_EQ(rb_->stats().late, 1u);
  EXPECT_FALSE(put(0, 300000));  // older than the first packet: late too
  EXPECT_EQ(rb_->stats().late, 2u);
  expect_all_released_once();
}

TEST_F(ReorderTest, LossAfterTimeoutCountsTheGapAndUsesEarliestArrival) {
  put(100, 0);
  pop_all(0);
  put(105, 1000);  // 101-104 missing
  put(104, 50000);
  put(106, 60000);
  EXPECT_EQ(rb_->missing(), (std::vector<uint16_t>{101, 102, 103}));
  EXPECT_EQ(rb_->next_deadline_us(), 201000);
  EXPECT_TRUE(pop_all(200999).empty());
  auto v = pop_all(201000);
  ASSERT_EQ(seqs(v), (std::vector<uint16_t>{104, 105, 106}));
  EXPECT_EQ(v[0].lost_before, 3u);
  EXPECT_EQ(v[1].lost_before, 0u);
  EXPECT_EQ(rb_->stats().lost, 3u);
  EXPECT_TRUE(rb_->missing().empty());
  expect_all_released_once();
}

TEST_F(ReorderTest, SecondGapDeadlineFromItsOwnPackets) {
  put(1, 0);
  pop_all(0);
  put(3, 100);     // gap at 2, known since 100
  put(6, 150000);  // gap at 4-5, known since 150000
  auto v = pop_all(200100);
  ASSERT_EQ(seqs(v), (std::vector<uint16_t>{3}));
  EXPECT_EQ(rb_->next_deadline_us(), 350000);
  EXPECT_TRUE(pop_all(349999).empty());
  v = pop_all(350000);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].lost_before, 2u);
  expect_all_released_once();
}

TEST_F(ReorderTest, LossOnCapacity) {
  start_ring(4);
  put(2, 1);
  put(3, 1);
  put(4, 1);
  EXPECT_TRUE(pop_all(1).empty());
  put(5, 1);  // fourth buffered packet: full, the gap at 1 is given up without waiting
  EXPECT_EQ(rb_->next_deadline_us(), 1);
  auto v = pop_all(1);
  ASSERT_EQ(seqs(v), (std::vector<uint16_t>{2, 3, 4, 5}));
  EXPECT_EQ(v[0].lost_before, 1u);
  expect_all_released_once();
}

TEST_F(ReorderTest, CapacityGivesUpOnlyTheOldestGap) {
  start_ring(3);
  put(2, 1);
  put(4, 1);
  put(5, 1);  // full: release 2 (lost 1); then 2 buffered with gap 3 -> wait again
  auto v = pop_all(1);
  ASSERT_EQ(seqs(v), (std::vector<uint16_t>{2}));
  EXPECT_EQ(rb_->missing(), (std::vector<uint16_t>{3}));
  put(3, 2);
  EXPECT_EQ(seqs(pop_all(2)), (std::vector<uint16_t>{3, 4, 5}));
  expect_all_released_once();
}

TEST_F(ReorderTest, RestartDrainsOldThenContinues) {
  put(1000, 0);
  pop_all(0);
  put(1002, 10);  // 1001 missing: waits
  put(1003, 10);
  EXPECT_TRUE(pop_all(20).empty());
  put(40000, 30);  // jump > restart_gap: publisher reconnected
  EXPECT_EQ(rb_->stats().restarts, 1u);
  EXPECT_TRUE(rb_->missing().empty());  // the old gap is no longer waited for
  // 39997 unwraps (relative to 40000) into the old run's gap at 1001: it must not fill it.
  EXPECT_FALSE(put(39997, 31));
  EXPECT_EQ(rb_->stats().late, 1u);
  put(40002, 40);
  put(40001, 50);
  auto v = pop_all(50);
  ASSERT_EQ(seqs(v), (std::vector<uint16_t>{1002, 1003, 40000, 40001, 40002}));
  EXPECT_EQ(v[0].lost_before, 1u);
  EXPECT_EQ(v[2].lost_before, 0u);  // first packet after the restart
  EXPECT_EQ(v[2].ext, 1004);         // ext_sequence stays monotonic
  EXPECT_EQ(v[4].ext, 1006);
  EXPECT_FALSE(put(39999, 60));  // before the new start: late
  expect_all_released_once();
}

TEST_F(ReorderTest, RestartBackwardsAndAcrossWrap) {
  put(30000, 0);
  pop_all(0);
  put(10, 1);     // -29990: restart
  put(65535, 2);  // 11 before the new start (across the wrap): late
  put(11, 3);
  auto v = pop_all(3);
  ASSERT_EQ(seqs(v), (std::vector<uint16_t>{10, 11}));
  EXPECT_EQ(rb_->stats().restarts, 1u);
  EXPECT_EQ(rb_->stats().late, 1u);
  EXPECT_EQ(v[0].lost_before, 0u);
  expect_all_released_once();
}

TEST_F(ReorderTest, JumpWithinRestartGapIsLoss) {
  put(0, 0);
  pop_all(0);
  put(2000, 1);  // a 1999-packet outage, bigger than the initial ring
  EXPECT_TRUE(pop_all(1).empty());
  auto v = pop_all(200001);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].lost_before, 1999u);
  EXPECT_EQ(rb_->stats().restarts, 0u);
  expect_all_released_once();
}

TEST_F(ReorderTest, DrainReleasesEverythingInOrder) {
  put(1, 0);
  put(4, 0);
  put(3, 0);
  put(7, 0);
  auto v = drain_all();
  ASSERT_EQ(seqs(v), (std::vector<uint16_t>{1, 3, 4, 7}));
  EXPECT_EQ(v[1].lost_before, 1u);
  EXPECT_EQ(v[3].lost_before, 2u);
  EXPECT_EQ(rb_->stats().lost, 3u);
  EXPECT_EQ(rb_->buffered(), 0u);
  ReleasedPacket r;
  EXPECT_FALSE(rb_->drain(r));
  expect_all_released_once();
}

TEST_F(ReorderTest, MissingListIsBoundedAndOrdered) {
  put(65530, 0);
  pop_all(0);
  put(65533, 1);
  put(2, 1);  // missing: 65531 65532 65534 65535 0 1
  EXPECT_EQ(rb_->missing(), (std::vector<uint16_t>{65531, 65532, 65534, 65535, 0, 1}));
  EXPECT_EQ(rb_->missing(3), (std::vector<uint16_t>{65531, 65532, 65534}));
  put(65535, 2);
  EXPECT_EQ(rb_->missing(), (std::vector<uint16_t>{65531, 65532, 65534, 0, 1}));
  drain_all();
  EXPECT_TRUE(rb_->missing().empty());
  expect_all_released_once();
}

TEST_F(ReorderTest, DestructorReleasesBufferedHolds) {
  put(1, 0);
  put(3, 0);
  put(5, 0);
  rb_.reset();
  expect_all_released_once();
}

TEST_F(ReorderTest, SparseSpreadBeyondRingSpills) {
  // A stuck front gap with packets spread wider than the ring: they spill and still come out
  // in order, with the right loss counts.
  start_ring(8, 200);
  const uint16_t s[] = {2, 50, 90, 140, 60, 30, 3, 185};
  for (uint16_t q : s) EXPECT_TRUE(put(q, 1));
  EXPECT_FALSE(put(140, 1));  // duplicate in the spill
  EXPECT_FALSE(put(2, 1));    // duplicate in the ring
  EXPECT_EQ(rb_->buffered(), 8u);
  auto v = pop_all(1);  // full: only the oldest gap (1) is given up
  ASSERT_EQ(seqs(v), (std::vector<uint16_t>{2, 3}));
  EXPECT_EQ(v[0].lost_before, 1u);
  EXPECT_EQ(rb_->missing(2), (std::vector<uint16_t>{4, 5}));
  v = pop_all(200001);  // every remaining gap has waited long enough
  ASSERT_EQ(seqs(v), (std::vector<uint16_t>{30, 50, 60, 90, 140, 185}));
  EXPECT_EQ(v[0].lost_before, 26u);
  EXPECT_EQ(v[5].lost_before, 44u);
  EXPECT_EQ(rb_->stats().restarts, 0u);
  expect_all_released_once();
}

TEST_F(ReorderTest, FarBelowRingEvictsTopToSpill) {
  start_ring(8, 100);
  put(50, 1);  // ring: 50..57
  put(57, 1);
  put(3, 1);  // 57 - 3 >= 8: 57 and 50 move out of the ring
  put(1, 1);
  auto v = pop_all(1);
  ASSERT_EQ(seqs(v), (std::vector<uint16_t>{1}));
  v = drain_all();
  ASSERT_EQ(seqs(v), (std::vector<uint16_t>{3, 50, 57}));
  EXPECT_EQ(v[0].lost_before, 1u);
  EXPECT_EQ(v[1].lost_before, 46u);
  expect_all_released_once();
}

TEST_F(ReorderTest, ClockGoingBackwardsDoesNotExtendTheWait) {
  put(1, 1000000);
  pop_all(1000000);
  put(3, 1000000);
  EXPECT_TRUE(pop_all(500).empty());  // clamped to 1000000
  EXPECT_EQ(pop_all(1200000).size(), 1u);
  expect_all_released_once();
}

TEST_F(ReorderTest, RingGrowsAndKeepsOrder) {
  // 300 packets arrive in reverse after a leading gap (ring starts at 64 slots).
  put(0, 0);
  pop_all(0);
  for (int s = 300; s >= 2; --s) put(static_cast<uint16_t>(s), 1);
  EXPECT_TRUE(pop_all(2).empty());
  put(1, 3);
  auto v = pop_all(3);
  ASSERT_EQ(v.size(), 300u);
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(v[i].seq, i + 1);
  expect_all_released_once();
}

TEST_F(ReorderTest, SteadyStateLongRunWithWrap) {
  // 200k packets with a small reordering pattern; crosses the 16-bit wrap three times.
  int64_t t = 0;
  uint32_t out = 0;
  int64_t last_ext = -1;
  ReleasedPacket r;
  for (int base = 0; base < 200000; base += 4) {
    const int order[] = {0, 2, 1, 3};
    for (int k : order) {
      RtpPacket p;
      p.sequence = static_cast<uint16_t>(base + k);
      p.id = next_id_++;
      ASSERT_TRUE(rb_->insert(p, PacketHold(&released_, p.id), t));
      while (rb_->pop(t, r)) {
        EXPECT_EQ(r.packet.ext_sequence, last_ext + 1);
        EXPECT_EQ(r.lost_before, 0u);
        last_ext = r.packet.ext_sequence;
        r.hold.release();
        ++out;
      }
      t += 500;
    }
  }
  EXPECT_EQ(out, 200000u);
  EXPECT_EQ(released_.ids.size(), 200000u);
}

}  // namespace
}  // namespace te
