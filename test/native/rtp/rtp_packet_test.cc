// parse_rtp (RFC 3550 §5.1, §5.3.1, RFC 5761 §4) and for_each_rtp_extension (RFC 8285).
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/rtp/rtp_packet.h"

namespace te {
namespace {

struct Builder {
  uint8_t pt = 96;
  bool marker = false;
  uint16_t seq = 0x1234;
  uint32_t ts = 0xA1B2C3D4;
  uint32_t ssrc = 0x01020304;
  std::vector<uint32_t> csrcs;
  bool ext = false;
  uint16_t ext_profile = 0xBEDE;
  std::vector<uint8_t> ext_data;  // padded to 32-bit words by build()
  std::vector<uint8_t> payload = {0xDE, 0xAD, 0xBE, 0xEF};
  uint8_t padding = 0;

  std::vector<uint8_t> build() const {
    std::vector<uint8_t> b;
    b.push_back(static_cast<uint8_t>(0x80 | (padding ? 0x20 : 0) | (ext ? 0x10 : 0) |
                                     csrcs.size()));
    b.push_back(static_cast<uint8_t>((marker ? 0x80 : 0) | pt));
    b.push_back(seq >> 8);
    b.push_back(seq & 0xFF);
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(ts >> s));
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(ssrc >> s));
    for (uint32_t c : csrcs)
      for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(c >> s));
    if (ext) {
      std::vector<uint8_t> d = ext_data;
      while (d.size() % 4) d.push_back(0);
      b.push_back(ext_profile >> 8);
      b.push_back(ext_profile & 0xFF);
      b.push_back(static_cast<uint8_t>((d.size() / 4) >> 8));
      b.push_back(static_cast<uint8_t>(d.size() / 4));
      b.insert(b.end(), d.begin(), d.end());
    }
    b.insert(b.end(), payload.begin(), payload.end());
    for (int i = 1; i < padding; ++i) b.push_back(0);
    if (padding) b.push_back(padding);
    return b;
  }
};

RtpParseError parse(const std::vector<uint8_t>& b, RtpPacket& p, uint32_t id = 7) {
  return parse_rtp(ByteView(b.data(), b.size()), id, p);
}

std::vector<RtpExtensionElement> elements(const RtpPacket& p, bool* ok = nullptr) {
  std::vector<RtpExtensionElement> v;
  bool r = for_each_rtp_extension(p, [&](const RtpExtensionElement& e) { v.push_back(e); });
  if (ok) *ok = r;
  return v;
}

// A packet carrying the header extension (profile, data), parsed, and its elements walked.
struct ExtensionWalk {
  std::vector<uint8_t> bytes;  // owns what the element views point into
  RtpPacket packet;
  std::vector<RtpExtensionElement> elements;
  bool ok = false;
};

ExtensionWalk walk_extension(std::vector<uint8_t> data, uint16_t profile = 0xBEDE) {
  Builder b;
  b.ext = true;
  b.ext_profile = profile;
  b.ext_data = std::move(data);
  ExtensionWalk w;
  w.bytes = b.build();
  EXPECT_EQ(parse(w.bytes, w.packet), RtpParseError::kNone);
  w.elements = elements(w.packet, &w.ok);
  return w;
}

TEST(RtpPacket, FixedHeaderFields) {
  Builder b;
  b.marker = true;
  auto bytes = b.build();
  RtpPacket p;
  ASSERT_EQ(parse(bytes, p, 42), RtpParseError::kNone);
  EXPECT_EQ(p.id, 42u);
  EXPECT_TRUE(p.marker);
  EXPECT_EQ(p.payload_type, 96);
  EXPECT_EQ(p.sequence, 0x1234);
  EXPECT_EQ(p.timestamp, 0xA1B2C3D4u);
  EXPECT_EQ(p.ssrc, 0x01020304u);
  EXPECT_EQ(p.csrc_count, 0);
  EXPECT_EQ(p.padding, 0);
  EXPECT_TRUE(p.extension.empty());
  ASSERT_EQ(p.payload.size, 4u);
  EXPECT_EQ(p.payload.data, bytes.data() + 12);  // a view, not a copy
  EXPECT_EQ(p.payload_offset(), 12u);
  EXPECT_EQ(p.bytes.size, bytes.size());
}

TEST(RtpPacket, CsrcsAreSkipped) {
  Builder b;
  b.csrcs = {1, 2, 3};
  auto bytes = b.build();
  RtpPacket p;
  ASSERT_EQ(parse(bytes, p), RtpParseError::kNone);
  EXPECT_EQ(p.csrc_count, 3);
  EXPECT_EQ(p.payload_offset(), 24u);
  EXPECT_EQ(p.payload[0], 0xDE);
}

TEST(RtpPacket, MaxCsrcsWithExtensionAndPadding) {
  Builder b;
  b.csrcs.assign(15, 0xFFFFFFFF);
  b.ext = true;
  b.ext_data = {0x10, 0xAA, 0x21, 0x01, 0x02, 0x00, 0x00, 0x00};
  b.padding = 5;
  auto bytes = b.build();
  RtpPacket p;
  ASSERT_EQ(parse(bytes, p), RtpParseError::kNone);
  EXPECT_EQ(p.csrc_count, 15);
  EXPECT_EQ(p.extension_profile, 0xBEDE);
  EXPECT_EQ(p.extension.size, 8u);
  EXPECT_EQ(p.payload_offset(), 12u + 60 + 4 + 8);
  EXPECT_EQ(p.payload.size, 4u);
  EXPECT_EQ(p.padding, 5);
}

TEST(RtpPacket, OneByteExtensions) {
  // id 1 len 1 (0xAA), padding, id 2 len 3 (01 02 03), id 14 len 1 (0x55)
  auto w = walk_extension({0x10, 0xAA, 0x00, 0x22, 0x01, 0x02, 0x03, 0xE0, 0x55});
  EXPECT_EQ(w.packet.extension.size, 12u);
  EXPECT_TRUE(w.ok);
  const auto& v = w.elements;
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].id, 1);
  ASSERT_EQ(v[0].data.size, 1u);
  EXPECT_EQ(v[0].data[0], 0xAA);
  EXPECT_EQ(v[1].id, 2);
  ASSERT_EQ(v[1].data.size, 3u);
  EXPECT_EQ(v[1].data[2], 0x03);
  EXPECT_EQ(v[2].id, 14);
  EXPECT_EQ(v[2].data[0], 0x55);
}

TEST(RtpPacket, OneByteId15StopsProcessing) {
  auto w = walk_extension({0x10, 0xAA, 0xF3, 0x20, 0x01, 0x02});
  EXPECT_TRUE(w.ok);
  ASSERT_EQ(w.elements.size(), 1u);
  EXPECT_EQ(w.elements[0].id, 1);
}

TEST(RtpPacket, OneByteElementPastEndIsMalformed) {
  auto w = walk_extension({0x10, 0xAA, 0x23, 0x01});  // id 2 claims 4 bytes, only 1 left
  EXPECT_FALSE(w.ok);
  ASSERT_EQ(w.elements.size(), 1u);  // the element before the bad one is still reported
}

TEST(RtpPacket, TwoByteExtensions) {
  // id 1 len 0, padding, id 200 len 3 (07 08 09), id 16 len 1; profile 0x1005: appbits 5
  auto w = walk_extension({0x01, 0x00, 0x00, 200, 0x03, 0x07, 0x08, 0x09, 16, 0x01, 0x42}, 0x1005);
  EXPECT_EQ(w.packet.extension_profile, 0x1005);
  EXPECT_TRUE(w.ok);
  const auto& v = w.elements;
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].id, 1);
  EXPECT_EQ(v[0].data.size, 0u);
  EXPECT_EQ(v[1].id, 200);
  ASSERT_EQ(v[1].data.size, 3u);
  EXPECT_EQ(v[1].data[0], 0x07);
  EXPECT_EQ(v[2].id, 16);
  EXPECT_EQ(v[2].data[0], 0x42);
}

TEST(RtpPacket, TwoByteTruncatedIsMalformed) {
  auto w = walk_extension({0x00, 0x00, 0x05, 0x09}, 0x1000);  // id 5 claims 9 bytes, 0 left
  EXPECT_TRUE(w.elements.empty());
  EXPECT_FALSE(w.ok);
}

TEST(RtpPacket, UnknownProfileIsNotRfc8285) {
  auto w = walk_extension({1, 2, 3, 4}, 0xABAC);
  EXPECT_TRUE(w.elements.empty());
  EXPECT_FALSE(w.ok);
}

TEST(RtpPacket, NoExtensionIteratesNothing) {
  Builder b;
  auto bytes = b.build();
  RtpPacket p;
  ASSERT_EQ(parse(bytes, p), RtpParseError::kNone);
  bool ok = false;
  EXPECT_TRUE(elements(p, &ok).empty());
  EXPECT_TRUE(ok);
}

TEST(RtpPacket, VisitorReturningFalseStops) {
  Builder b;
  b.ext = true;
  b.ext_data = {0x10, 0xAA, 0x20, 0xBB, 0x30, 0xCC};
  auto bytes = b.build();
  RtpPacket p;
  ASSERT_EQ(parse(bytes, p), RtpParseError::kNone);
  int seen = 0;
  EXPECT_TRUE(for_each_rtp_extension(p, [&](const RtpExtensionElement& e) {
    ++seen;
    return e.id != 2;
  }));
  EXPECT_EQ(seen, 2);
}

TEST(RtpPacket, PaddingRemoved) {
  Builder b;
  b.padding = 3;
  auto bytes = b.build();
  RtpPacket p;
  ASSERT_EQ(parse(bytes, p), RtpParseError::kNone);
  EXPECT_EQ(p.padding, 3);
  EXPECT_EQ(p.payload.size, 4u);
}

TEST(RtpPacket, PaddingOnlyProbeHasEmptyPayload) {
  Builder b;
  b.payload.clear();
  b.padding = 255;
  auto bytes = b.build();
  RtpPacket p;
  ASSERT_EQ(parse(bytes, p), RtpParseError::kNone);
  EXPECT_TRUE(p.payload.empty());
  EXPECT_EQ(p.padding, 255);
}

TEST(RtpPacket, EmptyPayloadIsValid) {
  Builder b;
  b.payload.clear();
  auto bytes = b.build();
  RtpPacket p;
  ASSERT_EQ(parse(bytes, p), RtpParseError::kNone);
  EXPECT_TRUE(p.payload.empty());
}

TEST(RtpPacket, BadPadding) {
  Builder b;
  b.padding = 1;
  auto bytes = b.build();
  RtpPacket p;
  bytes.back() = 0;  // count 0
  EXPECT_EQ(parse(bytes, p), RtpParseError::kBadPadding);
  bytes.back() = 6;  // payload 4 + pad byte 1 = 5 bytes after the header
  EXPECT_EQ(parse(bytes, p), RtpParseError::kBadPadding);
  bytes.back() = 5;  // exactly everything after the header
  EXPECT_EQ(parse(bytes, p), RtpParseError::kNone);
  EXPECT_TRUE(p.payload.empty());
}

TEST(RtpPacket, PaddingCannotEatTheExtension) {
  Builder b;
  b.ext = true;
  b.ext_data = {0x10, 0xAA, 0, 0};
  b.payload.clear();
  b.padding = 1;
  auto bytes = b.build();
  bytes.back() = 2;  // would reach into the extension
  RtpPacket p;
  EXPECT_EQ(parse(bytes, p), RtpParseError::kBadPadding);
}

TEST(RtpPacket, BadVersion) {
  Builder b;
  for (uint8_t v : {0, 1, 3}) {
    auto bytes = b.build();
    bytes[0] = static_cast<uint8_t>((bytes[0] & 0x3F) | (v << 6));
    RtpPacket p;
    EXPECT_EQ(parse(bytes, p), RtpParseError::kBadVersion) << int(v);
  }
}

TEST(RtpPacket, RtcpRejected) {
  // RR with no report blocks: 8 bytes (RFC 3550 §6.4.2); PT 200..207 and the whole 192..223 range.
  for (int pt = 192; pt <= 223; ++pt) {
    std::vector<uint8_t> rtcp = {0x80, static_cast<uint8_t>(pt), 0x00, 0x01, 1, 2, 3, 4};
    RtpPacket p;
    EXPECT_EQ(parse(rtcp, p), RtpParseError::kRtcp) << pt;
    rtcp.resize(28, 0);
    EXPECT_EQ(parse(rtcp, p), RtpParseError::kRtcp) << pt;
  }
  // Neighbours are RTP: M=1 with PT 63 and PT 96.
  for (int b1 : {128 + 63, 128 + 96}) {
    Builder b;
    auto bytes = b.build();
    bytes[1] = static_cast<uint8_t>(b1);
    RtpPacket p;
    EXPECT_EQ(parse(bytes, p), RtpParseError::kNone) << b1;
  }
}

TEST(RtpPacket, TruncatedAtEveryLength) {
  Builder b;
  b.csrcs = {9, 10};
  b.ext = true;
  b.ext_data = {0x10, 0xAA, 0x21, 1, 2};
  b.payload.clear();
  const auto full = b.build();  // 12 + 8 + 4 + 8 = 32: header, CSRCs, extension; no payload
  ASSERT_EQ(full.size(), 32u);
  for (size_t n = 0; n < full.size(); ++n) {
    std::vector<uint8_t> cut(full.begin(), full.begin() + n);  // exact-size heap copy for ASan
    RtpPacket p;
    EXPECT_EQ(parse(cut, p), RtpParseError::kTooShort) << n;
  }
  RtpPacket p;
  EXPECT_EQ(parse(full, p), RtpParseError::kNone);
}

TEST(RtpPacket, NullViewIsTooShort) {
  RtpPacket p;
  EXPECT_EQ(parse_rtp(ByteView(), 1, p), RtpParseError::kTooShort);
}

}  // namespace
}  // namespace te
