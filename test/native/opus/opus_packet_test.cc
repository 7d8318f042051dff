#include "core/depack/opus_packet.h"

#include <gtest/gtest.h>

#include <vector>

namespace te {
namespace {

OpusPacketError parse(const std::vector<uint8_t>& v, OpusPacketInfo& info) {
  return parse_opus_packet(ByteView(v.data(), v.size()), info);
}

// RFC 6716 §3.1 Table 2, in 48 kHz samples.
uint32_t expected_frame(int config) {
  if (config < 12) return std::vector<uint32_t>{480, 960, 1920, 2880}[config % 4];
  if (config < 16) return config % 2 ? 960 : 480;
  return std::vector<uint32_t>{120, 240, 480, 960}[config % 4];
}

TEST(OpusPacket, DurationsForEveryConfigAndCode) {
  for (int config = 0; config < 32; ++config) {
    for (int s = 0; s < 2; ++s) {
      const uint8_t toc = static_cast<uint8_t>(config << 3 | s << 2);
      const uint32_t f = expected_frame(config);
      OpusPacketInfo info;
      // code 0: one frame (here 3 bytes)
      ASSERT_EQ(parse({toc, 1, 2, 3}, info), OpusPacketError::kNone);
      EXPECT_EQ(info.duration, f);
      EXPECT_EQ(info.frame_count, 1);
      EXPECT_EQ(info.stereo, s == 1);
      EXPECT_EQ(info.config, config);
      // code 1: two equal frames
      ASSERT_EQ(parse({static_cast<uint8_t>(toc | 1), 1, 2, 3, 4}, info), OpusPacketError::kNone);
      EXPECT_EQ(info.duration, 2 * f);
      EXPECT_EQ(info.first_frame_size, 2u);
      // code 2: first frame 1 byte, second 2 bytes
      ASSERT_EQ(parse({static_cast<uint8_t>(toc | 2), 1, 9, 8, 7}, info), OpusPacketError::kNone);
      EXPECT_EQ(info.duration, 2 * f);
      EXPECT_EQ(info.first_frame_size, 1u);
      // code 3: every M up to 120 ms is valid, one more is not ([R5])
      const uint32_t max_m = 5760 / f;
      for (uint32_t m = 1; m <= 48; ++m) {
        OpusPacketError e = parse({static_cast<uint8_t>(toc | 3), static_cast<uint8_t>(m)}, info);
        if (m <= max_m) {
          ASSERT_EQ(e, OpusPacketError::kNone) << config << " m=" << m;
          EXPECT_EQ(info.duration, m * f);
          EXPECT_EQ(info.frame_count, m);
        } else {
          EXPECT_EQ(e, OpusPacketError::kBadFrameCount) << config << " m=" << m;
        }
      }
    }
  }
}

TEST(OpusPacket, ModesAndBandwidths) {
  EXPECT_EQ(opus_config_mode(0), OpusMode::kSilk);
  EXPECT_EQ(opus_config_mode(11), OpusMode::kSilk);
  EXPECT_EQ(opus_config_mode(12), OpusMode::kHybrid);
  EXPECT_EQ(opus_config_mode(16), OpusMode::kCelt);
  EXPECT_EQ(opus_config_bandwidth(4), OpusBandwidth::kMedium);
  EXPECT_EQ(opus_config_bandwidth(13), OpusBandwidth::kSuperWide);
  EXPECT_EQ(opus_config_bandwidth(15), OpusBandwidth::kFull);
  EXPECT_EQ(opus_config_bandwidth(20), OpusBandwidth::kWide);
  EXPECT_EQ(opus_config_bandwidth(31), OpusBandwidth::kFull);
}

TEST(OpusPacket, TocOnlyIsAZeroLengthFrame) {
  OpusPacketInfo info;
  ASSERT_EQ(parse({0xF8}, info), OpusPacketError::kNone);  // config 31, code 0
  EXPECT_EQ(info.duration, 960u);
  EXPECT_EQ(info.first_frame_size, 0u);
}

TEST(OpusPacket, MalformedPacketsAreRejected) {
  OpusPacketInfo info;
  EXPECT_EQ(parse({}, info), OpusPacketError::kEmpty);  // [R1]
  std::vector<uint8_t> big(1 + 1276, 0);
  big[0] = 0xF8;
  EXPECT_EQ(parse(big, info), OpusPacketError::kFrameTooLong);  // [R2]
  big.resize(1 + 1275);
  EXPECT_EQ(parse(big, info), OpusPacketError::kNone);
  EXPECT_EQ(parse({0xF9, 1, 2, 3}, info), OpusPacketError::kCode1OddSize);  // [R3]
  std::vector<uint8_t> c1(1 + 2 * 1276, 0);
  c1[0] = 0xF9;
  EXPECT_EQ(parse(c1, info), OpusPacketError::kFrameTooLong);
  EXPECT_EQ(parse({0xFA}, info), OpusPacketError::kBadLength);           // [R4] no length byte
  EXPECT_EQ(parse({0xFA, 5, 1, 2}, info), OpusPacketError::kBadLength);  // [R4] 5 > 2
  EXPECT_EQ(parse({0xFA, 252}, info), OpusPacketError::kBadLength);      // 2-byte length cut
  EXPECT_EQ(parse({0xFB}, info), OpusPacketError::kBadFrameCount);       // code 3 w/o count
  EXPECT_EQ(parse({0xFB, 0}, info), OpusPacketError::kBadFrameCount);    // [R5] M = 0
  EXPECT_EQ(parse({0xFB, 0x03, 1, 2, 3, 4}, info), OpusPacketError::kCbrNotDivisible);  // [R6]
  EXPECT_EQ(parse({0xFB, 0x41, 9, 1, 2}, info), OpusPacketError::kBadPadding);    // [R6]
  EXPECT_EQ(parse({0xFB, 0x41, 255}, info), OpusPacketError::kBadPadding);        // cut chain
  EXPECT_EQ(parse({0xFB, 0x82, 9, 1, 2}, info), OpusPacketError::kBadLength);     // [R7]
  EXPECT_EQ(parse({0xFB, 0x82, 252}, info), OpusPacketError::kBadLength);
}

TEST(OpusPacket, Code3PaddingAndVbr) {
  OpusPacketInfo info;
  // p=1, M=1: padding length 255 → 254 + next byte (10) = 264 bytes of padding.
  std::vector<uint8_t> v = {0xFB, 0x41, 255, 10, 0xAA, 0xBB};
  v.resize(v.size() + 264, 0);
  ASSERT_EQ(parse(v, info), OpusPacketError::kNone);
  EXPECT_EQ(info.first_frame_offset, 4u);
  EXPECT_EQ(info.first_frame_size, 2u);
  // VBR, M=3: lengths 1 and 2 (the third takes the rest: 3 bytes).
  ASSERT_EQ(parse({0xFB, 0x83, 1, 2, 0xA, 0xB, 0xB, 0xC, 0xC, 0xC}, info), OpusPacketError::kNone);
  EXPECT_EQ(info.duration, 3 * 960u);
  EXPECT_EQ(info.first_frame_offset, 4u);
  EXPECT_EQ(info.first_frame_size, 1u);
  // Two-byte length: 252 + 4*1 = 256.
  std::vector<uint8_t> c2 = {0xFA, 252, 1};
  c2.resize(3 + 256 + 5, 0);
  ASSERT_EQ(parse(c2, info), OpusPacketError::kNone);
  EXPECT_EQ(info.first_frame_size, 256u);
  c2.resize(3 + 255);
  EXPECT_EQ(parse(c2, info), OpusPacketError::kBadLength);
}

TEST(OpusPacket, LbrrFlagFromTheFirstByte) {
  OpusPacketInfo info;
  // SILK NB 20 ms mono: bits VAD, LBRR → LBRR is bit 1 (0x40).
  std::vector<uint8_t> p = {0x08, 0x40, 0x00};
  ASSERT_EQ(parse(p, info), OpusPacketError::kNone);
  EXPECT_TRUE(opus_packet_has_lbrr(ByteView(p.data(), p.size()), info));
  p[1] = 0x80;  // VAD only
  EXPECT_FALSE(opus_packet_has_lbrr(ByteView(p.data(), p.size()), info));
  // SILK 60 ms (3 VAD flags) stereo: mid LBRR is bit 3, side LBRR is bit 7.
  p = {0x1C, 0x01, 0x00};
  ASSERT_EQ(parse(p, info), OpusPacketError::kNone);
  EXPECT_TRUE(opus_packet_has_lbrr(ByteView(p.data(), p.size()), info));
  p[1] = 0x10;
  EXPECT_TRUE(opus_packet_has_lbrr(ByteView(p.data(), p.size()), info));
  p[1] = 0xEE;
  EXPECT_FALSE(opus_packet_has_lbrr(ByteView(p.data(), p.size()), info));
  // CELT never has LBRR; an empty frame has none either.
  p = {0xF8, 0xFF};
  ASSERT_EQ(parse(p, info), OpusPacketError::kNone);
  EXPECT_FALSE(opus_packet_has_lbrr(ByteView(p.data(), p.size()), info));
  p = {0x08};
  ASSERT_EQ(parse(p, info), OpusPacketError::kNone);
  EXPECT_FALSE(opus_packet_has_lbrr(ByteView(p.data(), p.size()), info));
}

}  // namespace
}  // namespace te
