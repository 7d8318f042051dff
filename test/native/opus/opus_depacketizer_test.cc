#include "core/depack/opus_depacketizer.h"

#include <gtest/gtest.h>

#include <vector>

namespace te {
namespace {

struct Packet {
  std::vector<uint8_t> bytes;  // 12-byte fake RTP header + payload
  RtpPacket rtp;
};

Packet make(uint32_t id, int64_t ts, std::vector<uint8_t> payload) {
  Packet p;
  p.bytes.assign(12, 0);
  p.bytes.insert(p.bytes.end(), payload.begin(), payload.end());
  p.rtp.id = id;
  p.rtp.timestamp = static_cast<uint32_t>(ts);
  p.rtp.ext_timestamp = ts;
  p.rtp.ext_sequence = id;
  return p;
}
void bind(Packet& p) {
  p.rtp.bytes = ByteView(p.bytes.data(), p.bytes.size());
  p.rtp.payload = ByteView(p.bytes.data() + 12, p.bytes.size() - 12);
}

TEST(OpusDepacketizer, FramesAreViewsWithTocDurations) {
  ReleaseList released;
  OpusDepacketizerOptions o;
  o.channels = 1;
  OpusDepacketizer d(o);
  std::vector<Packet> pk;
  pk.push_back(make(1, 1000, {0xFC, 1, 2, 3}));      // config 31 stereo-flag, 20 ms
  pk.push_back(make(2, 1960, {0xE3, 0x03}));         // config 28 code 3 M=3: 7.5 ms of DTX
  pk.push_back(make(3, 2320, {0x1B, 0x02, 0, 0}));   // SILK 60 ms code 3 M=2 CBR: 120 ms
  for (auto& p : pk) bind(p);
  d.push(pk[0].rtp, PacketHold(&released, 1), 0);
  d.push(pk[1].rtp, PacketHold(&released, 2), 0);
  d.push(pk[2].rtp, PacketHold(&released, 3), 2);

  Frame f;
  ASSERT_TRUE(d.pop(f));
  EXPECT_EQ(f.timestamp, 1000);
  EXPECT_EQ(f.duration, 960u);
  EXPECT_TRUE(f.keyframe);
  EXPECT_FALSE(f.discontinuity);
  ASSERT_TRUE(f.config);
  EXPECT_EQ(f.config->codec, Codec::kOpus);
  EXPECT_EQ(f.config->clock_rate, 48000u);
  EXPECT_EQ(f.config->channels, 1);  // from the option, not the TOC s bit
  ASSERT_EQ(f.data.runs().size(), 1u);
  EXPECT_EQ(f.data.runs()[0].data, pk[0].bytes.data() + 12);  // zero-copy
  EXPECT_EQ(f.data.runs()[0].packet, 1u);
  EXPECT_EQ(f.data.runs()[0].offset, 12u);
  EXPECT_EQ(f.hold.ids(), std::vector<uint32_t>{1});

  ASSERT_TRUE(d.pop(f));
  EXPECT_EQ(f.duration, 360u);
  EXPECT_FALSE(f.config);
  ASSERT_TRUE(d.pop(f));
  EXPECT_EQ(f.duration, 5760u);
  EXPECT_TRUE(f.discontinuity);
  EXPECT_FALSE(d.pop(f));
  EXPECT_EQ(d.stats().frames, 3u);
  EXPECT_EQ(d.stats().keyframes, 3u);
  EXPECT_EQ(d.opus_stats().lost, 2u);
  EXPECT_FALSE(d.keyframe_needed());
}

TEST(OpusDepacketizer, MalformedAndEmptyAreSkippedAndReleased) {
  ReleaseList released;
  OpusDepacketizer d;
  std::vector<Packet> pk;
  pk.push_back(make(1, 0, {}));                  // empty payload
  pk.push_back(make(2, 960, {0xF9, 1, 2, 3}));   // code 1 with odd payload: [R3]
  pk.push_back(make(3, 1920, {0xFB, 0x00}));     // M = 0: [R5]
  pk.push_back(make(4, 2880, {0xF8, 7}));        // fine
  for (auto& p : pk) bind(p);
  for (uint32_t i = 0; i < 4; ++i) d.push(pk[i].rtp, PacketHold(&released, i + 1), 0);
  EXPECT_EQ(released.ids, (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(d.stats().malformed, 2u);
  EXPECT_EQ(d.opus_stats().empty, 1u);
  EXPECT_EQ(d.stats().frames_dropped, 3u);
  Frame f;
  EXPECT_FALSE(d.pop(f));  // the first valid packet waits for the next one (or the end)
  d.flush();
  ASSERT_TRUE(d.pop(f));
  EXPECT_EQ(f.timestamp, 2880);
  EXPECT_TRUE(f.config);               // the first emitted frame carries the config
  EXPECT_EQ(f.config->channels, 2);
  EXPECT_TRUE(f.discontinuity);        // malformed packets count as lost for the decoder
  EXPECT_FALSE(d.pop(f));
}

}  // namespace
}  // namespace te
