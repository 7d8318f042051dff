// Vp9Depacketizer under timestamp damage: one packet carries a wrong RTP timestamp, in every
// position, in non-flexible and flexible mode, with one and with two spatial layers. Never a broken
// picture: every emitted picture is exactly the packets of one original picture, no two share a
// timestamp, and after a dropped picture nothing that may reference it is emitted before the next
// key frame (RFC 9628 §4.1, §4.2). A packet inside a picture (same PictureID, the picture's
// timestamp before and after it) is repaired instead.
#include <gtest/gtest.h>

#include <set>

#include "../vpx/vpx_test_runs.h"
#include "core/depack/vp9_depacketizer.h"
#include "vp9_test_frames.h"

namespace te {
namespace {

using testing_rtp::cat;
using testing_rtp::vp9_key_frame;
using testing_rtp::Damage;
using testing_rtp::PacketFactory;

constexpr int kPictures = 10;
constexpr uint32_t kTs0 = 500000;
constexpr uint32_t kStep = 3000;
bool is_key(int p) { return p == 0 || p == 6; }

std::vector<uint8_t> inter_frame(int p) { return {0x86, 0x01, 0x02, static_cast<uint8_t>(p)}; }

// I (15-bit PictureID), P, L, F, B, E; layer byte TID=0 U=0 SID D; TL0PICIDX (F=0); P_DIFF=1 (F=1, P=1).
std::vector<uint8_t> desc(uint16_t pid, bool p, bool flex, bool b, bool e, uint8_t sid) {
  std::vector<uint8_t> v;
  v.push_back(static_cast<uint8_t>(0x80 | (p ? 0x40 : 0) | 0x20 | (flex ? 0x10 : 0) | (b ? 0x08 : 0) |
                                   (e ? 0x04 : 0)));
  v.push_back(static_cast<uint8_t>(0x80 | (pid >> 8)));
  v.push_back(static_cast<uint8_t>(pid));
  v.push_back(static_cast<uint8_t>((sid << 1) | (sid > 0 ? 1 : 0)));  // D=1 above the base layer
  if (!flex) v.push_back(static_cast<uint8_t>(pid));                   // TL0PICIDX
  if (flex && p) v.push_back(1 << 1);                                   // P_DIFF 1, N=0
  return v;
}

std::set<int> expected(int hit) {
  std::set<int> s;
  int next_key = kPictures;
  for (int p = hit + 1; p < kPictures; p++)
    if (is_key(p)) { next_key = p; break; }
  for (int p = 0; p < kPictures; p++)
    if (p != hit && !(p > hit && p < next_key)) s.insert(p);
  return s;
}

void run(bool flex, int layers, int damaged, Damage kind) {
  SCOPED_TRACE(::testing::Message() << "flex " << flex << " layers " << layers << " packet "
                                    << damaged << " kind " << static_cast<int>(kind));
  PacketFactory pf;
  Vp9Depacketizer d;
  std::vector<int> pic_of;
  uint16_t seq = 100;
  for (int p = 0; p < kPictures; p++) {
    const bool inter = !is_key(p);
    for (int l = 0; l < layers; l++) {
      const auto b = (l == 0 && !inter) ? vp9_key_frame(320, 240) : inter_frame(p);
      const size_t half = b.size() / 2;
      for (int h = 0; h < 2; h++) {
        uint32_t ts = kTs0 + kStep * p;
        if (static_cast<int>(pic_of.size()) == damaged)
          ts = testing_rtp::damaged_timestamp(ts, kind, p == 0, p == kPictures - 1, kStep, 7654321);
        std::vector<uint8_t> part(b.begin() + (h ? half : 0), h ? b.end() : b.begin() + half);
        const bool marker = l == layers - 1 && h == 1;
        pf.make(seq++, ts, marker,
                cat(desc(static_cast<uint16_t>(300 + p), inter, flex, h == 0, h == 1,
                         static_cast<uint8_t>(l)),
                    part));
        pic_of.push_back(p);
      }
    }
  }
  pf.push_all(d);
  d.flush();

  // A packet with the picture's timestamp on both sides (not the first, not the last) is
  // repaired: only its timestamp is wrong, the PictureID proves where it belongs.
  const bool repaired = damaged % (2 * layers) != 0 && damaged % (2 * layers) != 2 * layers - 1;
  const std::set<int> got = testing_rtp::pop_whole_frames(d, pic_of, damaged, repaired, 2 * layers,
                                                            kTs0, kStep);
  EXPECT_EQ(got, expected(repaired ? -1 : pic_of[damaged]));
}

TEST(Vp9TimestampDamage, OnePacketWithAWrongTimestampInEveryPosition) {
  for (bool flex : {false, true})
    for (int layers : {1, 2})
      for (int k = 0; k < kPictures * 2 * layers; k++)
        for (Damage kind : {Damage::kBogus, Damage::kPrevFrame, Damage::kNextFrame})
          run(flex, layers, k, kind);
}

}  // namespace
}  // namespace te
