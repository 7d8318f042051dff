// Vp8Depacketizer under timestamp damage: one packet of a stream carries a wrong RTP timestamp,
// in every position. Never a broken frame: every emitted frame is exactly the packets of one
// original frame, no two frames share a timestamp, and after a dropped reference frame nothing is
// emitted before the next key frame (RFC 7741 §4.4 one timestamp per frame, §4.2 N bit). A packet
// inside a frame (same PictureID, the frame's timestamp before and after it) is repaired instead.
#include <gtest/gtest.h>

#include <set>

#include "core/depack/vp8_depacketizer.h"
#include "../vpx/vpx_test_runs.h"
#include "vp8_test_frames.h"

namespace te {
namespace {

using testing_rtp::cat;
using testing_rtp::Damage;
using testing_rtp::PacketFactory;
using testing_rtp::vp8_key_frame;

constexpr int kFrames = 10;
constexpr int kParts = 3;
constexpr uint32_t kTs0 = 90000;
constexpr uint32_t kStep = 3000;
bool is_key(int f) { return f == 0 || f == 6; }
bool is_nonref(int f) { return f == 3; }  // N=1

const auto desc = testing_rtp::vp8_descriptor;  // (S, PictureID, N)

std::vector<uint8_t> body(int f) {
  if (is_key(f)) return vp8_key_frame(320, 240);
  return {0x31, 0x01, 0x00, 0x11, static_cast<uint8_t>(f)};
}

// The frames (indices) a correct depacketizer emits when a packet of frame `hit` is damaged.
std::set<int> expected(int hit) {
  std::set<int> s;
  int next_key = kFrames;
  for (int f = hit + 1; f < kFrames; f++)
    if (is_key(f)) { next_key = f; break; }
  for (int f = 0; f < kFrames; f++) {
    if (f == hit) continue;
    if (hit == 0 && f < next_key) continue;  // nothing decodes before the first key frame
    if (!is_nonref(hit) && f > hit && f < next_key) continue;
    s.insert(f);
  }
  return s;
}

void run(int damaged, Damage kind) {
  SCOPED_TRACE(::testing::Message() << "packet " << damaged << " damage "
                                    << static_cast<int>(kind));
  PacketFactory pf;
  Vp8Depacketizer d;
  std::vector<int> frame_of;  // packet id → frame index
  uint16_t seq = 65530;       // wraps
  for (int f = 0; f < kFrames; f++) {
    const auto b = body(f);
    const size_t per = (b.size() + kParts - 1) / kParts;
    for (int i = 0; i < kParts; i++) {
      std::vector<uint8_t> chunk(b.begin() + std::min(b.size(), i * per),
                                 b.begin() + std::min(b.size(), (i + 1) * per));
      uint32_t ts = kTs0 + kStep * f;
      if (static_cast<int>(frame_of.size()) == damaged)
        ts = testing_rtp::damaged_timestamp(ts, kind, f == 0, f == kFrames - 1, kStep, 1234567);
      pf.make(seq++, ts, i == kParts - 1,
              cat(desc(i == 0, static_cast<uint16_t>(200 + f), is_nonref(f)), chunk));
      frame_of.push_back(f);
    }
  }
  pf.push_all(d);
  d.flush();

  // The middle packet of a frame sits between two packets with the frame's timestamp and
  // PictureID: only its timestamp is wrong, the frame is kept whole.
  const bool repaired = damaged % kParts == 1;
  const std::set<int> got =
      testing_rtp::pop_whole_frames(d, frame_of, damaged, repaired, kParts, kTs0, kStep);
  if (repaired) {
    EXPECT_EQ(got, expected(-1));
    EXPECT_EQ(d.stats().frames_dropped, 0u);
  } else {
    EXPECT_EQ(got, expected(frame_of[damaged]));
    EXPECT_GE(d.stats().frames_dropped, 1u);
  }
}

TEST(Vp8TimestampDamage, OnePacketWithAWrongTimestampInEveryPosition) {
  for (int k = 0; k < kFrames * kParts; k++)
    for (Damage kind : {Damage::kBogus, Damage::kPrevFrame, Damage::kNextFrame}) run(k, kind);
}

// The field case's shape: a wrong timestamp on a middle packet of a frame. Before, the frame was
// written without its tail (ffmpeg: "Header size larger than data provided").
TEST(Vp8TimestampDamage, MiddlePacketWithTheFramesPictureIdIsRepaired) {
  PacketFactory pf;
  Vp8Depacketizer d;
  const auto key = body(0);
  pf.make(1, 0, false, cat(desc(true, 1, false), {key.begin(), key.begin() + 6}));
  pf.make(2, 0, true, cat(desc(false, 1, false), {key.begin() + 6, key.end()}));
  pf.make(3, 3000, false, cat(desc(true, 2, false), {0x31, 0x01}));
  pf.make(4, 1, false, cat(desc(false, 2, false), {0x00, 0x11}));  // wrong timestamp
  pf.make(5, 3000, true, cat(desc(false, 2, false), {0x22, 0x33}));
  pf.make(6, 6000, true, cat(desc(true, 3, false), {0x31, 0x01, 0x00, 0x44}));
  pf.push_all(d);
  const std::vector<Frame> out = testing_rtp::pop_all(d);
  EXPECT_EQ(testing_rtp::timestamps(out), (std::vector<int64_t>{0, 3000, 6000}));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(testing_rtp::chain_bytes(out[1].data),
            (std::vector<uint8_t>{0x31, 0x01, 0x00, 0x11, 0x22, 0x33}));
  EXPECT_FALSE(d.waiting_for_keyframe());
  EXPECT_EQ(d.stats().frames_dropped, 0u);
}

// Without the PictureID to prove it (or with a loss next to it) the frame is dropped instead, and
// the frames that reference it wait for a key frame.
TEST(Vp8TimestampDamage, MiddlePacketWithoutProofDropsTheFrameAndWaitsForAKeyFrame) {
  for (int variant = 0; variant < 3; variant++) {
    SCOPED_TRACE(variant);
    PacketFactory pf;
    Vp8Depacketizer d;
    const auto key = body(0);
    const uint16_t odd_pid = variant == 0 ? 9 : 2;  // 0: another PictureID
    pf.make(1, 0, true, cat(desc(true, 1, false), key));
    pf.make(2, 3000, false, cat(desc(true, 2, false), {0x31, 0x01}));
    pf.make(3, 999999, variant == 1, cat(desc(false, odd_pid, false), {0x00, 0x11}));  // 1: marker
    pf.make(4, variant == 2 ? 999999 : 3000, true,  // 2: the next packet agrees with the odd one
            cat(desc(false, 2, false), {0x22, 0x33}));
    pf.make(5, 6000, true, cat(desc(true, 3, false), {0x31, 0x01, 0x00, 0x44}));
    pf.push_all(d);
    Frame f;
    ASSERT_TRUE(d.pop(f));
    EXPECT_EQ(f.timestamp, 0);
    EXPECT_FALSE(d.pop(f)) << "frame 3000 is broken and 6000 references it";
    EXPECT_TRUE(d.waiting_for_keyframe());
    EXPECT_TRUE(d.keyframe_needed());
    EXPECT_GE(d.stats().frames_dropped, 2u);
  }
}

// A frame without a marker followed by a proper frame start is still tolerated (no loss).
TEST(Vp8TimestampDamage, MissingMarkerBeforeAFrameStartIsTolerated) {
  PacketFactory pf;
  Vp8Depacketizer d;
  pf.make(1, 0, false, cat(desc(true, 1, false), body(0)));  // no marker
  pf.make(2, 3000, true, cat(desc(true, 2, false), body(1)));
  pf.push_all(d);
  EXPECT_EQ(testing_rtp::timestamps(testing_rtp::pop_all(d)), (std::vector<int64_t>{0, 3000}));
  EXPECT_FALSE(d.waiting_for_keyframe());
}

}  // namespace
}  // namespace te

namespace te {
namespace {

// Depacketizer::emit, the last line of defence: a frame whose timestamp equals one of the recent
// emitted frames' (here not the last one, which the VP8 rules catch themselves) is dropped and
// counted, decoding waits for a key frame, and the dropped key frame's new size still reaches the
// muxer with the next key frame.
TEST(DepacketizerEmit, NeverTwoFramesWithOneTimestamp) {
  PacketFactory pf;
  Vp8Depacketizer d;
  pf.make(1, 0, true, cat(desc(true, 1, false), vp8_key_frame(320, 240)));
  pf.make(2, 3000, true, cat(desc(true, 2, false), {0x31, 0x01, 0x00, 1}));  // delta
  pf.make(3, 0, true, cat(desc(true, 3, false), vp8_key_frame(640, 240)));  // ts 0 again
  pf.make(4, 6000, true, cat(desc(true, 4, false), {0x31, 0x01, 0x00, 2}));  // delta: must wait
  pf.make(5, 9000, true, cat(desc(true, 5, false), vp8_key_frame(640, 240)));
  pf.push_all(d);
  const std::vector<Frame> out = testing_rtp::pop_all(d);
  EXPECT_EQ(testing_rtp::timestamps(out), (std::vector<int64_t>{0, 3000, 9000}));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(out[2].keyframe);
  EXPECT_TRUE(out[2].discontinuity);
  ASSERT_TRUE(out[2].config);
  EXPECT_EQ(out[2].config->width, 640);
  EXPECT_EQ(d.stats().frames_dropped, 2u);
  EXPECT_EQ(d.stats().frames, 3u);
}

}  // namespace
}  // namespace te
