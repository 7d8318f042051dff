#include "core/mux/ogg/ogg_page_writer.h"

#include <gtest/gtest.h>

#include "core/mux/ogg/ogg_crc.h"
#include "ogg_test_reader.h"

#ifndef TE_SOURCE_DIR
#define TE_SOURCE_DIR "."
#endif

namespace te {
namespace {

std::vector<uint8_t> join(const ByteChain& c) {
  std::vector<uint8_t> v(c.size());
  c.copy_out(v.data(), v.size());
  return v;
}

std::vector<uint8_t> drain(OggPageWriter& w, std::vector<OggPage>* keep = nullptr) {
  std::vector<uint8_t> out;
  OggPage p;
  while (w.pop(p)) {
    auto b = join(p.data);
    out.insert(out.end(), b.begin(), b.end());
    if (keep) keep->push_back(std::move(p));
  }
  return out;
}

TEST(OggCrc, MatchesOpusencPages) {
  auto file = te_test::read_file(TE_SOURCE_DIR "/test/native/audio/data/sine_stereo_20ms.opus");
  ASSERT_FALSE(file.empty());
  auto [pages, packets, parsed] = te_test::read_ogg(file);
  ASSERT_TRUE(parsed);
  ASSERT_GE(pages.size(), 3u);
  for (const auto& pg : pages) {
    std::vector<uint8_t> copy(file.begin() + pg.offset, file.begin() + pg.offset + pg.size);
    std::memset(&copy[22], 0, 4);
    EXPECT_EQ(OggCrc::update(0, copy.data(), copy.size()), pg.crc);
    EXPECT_TRUE(pg.crc_ok);
    // Chunked computation gives the same result.
    uint32_t c = OggCrc::update(0, copy.data(), 5);
    c = OggCrc::update(c, copy.data() + 5, copy.size() - 5);
    EXPECT_EQ(c, pg.crc);
  }
}

TEST(OggPageWriter, LacingFor255And256And510AndEmptyPackets) {
  std::vector<uint8_t> p255(255, 1), p256(256, 2), p510(510, 3);
  ByteChain a, b, c, e;
  a.append_view(p255.data(), 255, 7, 12);
  b.append_view(p256.data(), 256, 8, 12);
  c.append_view(p510.data(), 510, 9, 12);
  ReleaseList rel;
  OggPageWriter w(0x1234);
  w.add_packet(a, PacketHold(&rel, 7), 100);
  w.add_packet(b, PacketHold(&rel, 8), 200);
  w.add_packet(c, PacketHold(&rel, 9), 300);
  w.add_packet(e, PacketHold(), 400);
  w.flush_page(true);
  std::vector<OggPage> kept;
  auto bytes = drain(w, &kept);
  auto [pages, packets, parsed] = te_test::read_ogg(bytes);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].lacing, (std::vector<uint8_t>{255, 0, 255, 1, 255, 255, 0, 0}));
  EXPECT_EQ(pages[0].flags, 0x02 | 0x04);  // BOS (first page) + EOS
  EXPECT_EQ(pages[0].granule, 400);
  EXPECT_EQ(pages[0].serial, 0x1234u);
  EXPECT_TRUE(pages[0].crc_ok);
  ASSERT_EQ(packets.size(), 4u);
  EXPECT_EQ(packets[0].data, p255);
  EXPECT_EQ(packets[1].data, p256);
  EXPECT_EQ(packets[2].data, p510);
  EXPECT_TRUE(packets[3].data.empty());
  // Zero-copy: the body runs point into the packets.
  size_t views = 0;
  for (const ByteRun& r : kept[0].data.runs())
    if (r.packet != kGeneratedRun) views += r.size;
  EXPECT_EQ(views, 255u + 256 + 510);
  EXPECT_TRUE(rel.ids.empty());
  kept.clear();
  EXPECT_EQ(rel.ids, (std::vector<uint32_t>{7, 8, 9}));
}

TEST(OggPageWriter, PacketSpanningPagesHasContinuedFlagAndHoldOnLastPage) {
  // 300 segments worth: 255*299 + 10 bytes, preceded by a 1-byte packet.
  std::vector<uint8_t> small = {42};
  std::vector<uint8_t> big(255 * 299 + 10);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 7);
  ByteChain s, b;
  s.append_view(small.data(), 1, 1, 0);
  b.append_view(big.data(), static_cast<uint32_t>(big.size()), 2, 0);
  ReleaseList rel;
  OggPageWriter w(1);
  w.add_packet(s, PacketHold(&rel, 1), 960);
  w.add_packet(b, PacketHold(&rel, 2), 1920);
  w.flush_page(true);
  std::vector<OggPage> kept;
  auto bytes = drain(w, &kept);
  auto [pages, packets, parsed] = te_test::read_ogg(bytes);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[0].lacing.size(), 255u);
  EXPECT_EQ(pages[0].granule, 960);   // only the small packet ends on page 0
  EXPECT_EQ(pages[0].flags, 0x02);
  EXPECT_EQ(pages[1].flags, 0x01 | 0x04);  // continued + EOS
  EXPECT_EQ(pages[1].granule, 1920);
  EXPECT_EQ(pages[1].sequence, 1u);
  EXPECT_EQ(pages[1].lacing.size(), 300u - 254u);
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_EQ(packets[1].data, big);
  EXPECT_EQ(kept[0].hold.ids(), std::vector<uint32_t>{1});
  EXPECT_EQ(kept[1].hold.ids(), std::vector<uint32_t>{2});
}

TEST(OggPageWriter, PageWithNoCompletedPacketHasGranuleMinusOne) {
  std::vector<uint8_t> big(255 * 600);
  ByteChain b;
  b.append_view(big.data(), static_cast<uint32_t>(big.size()), 2, 0);
  OggPageWriter w(1);
  w.add_packet(b, PacketHold(), 5000);
  w.flush_page(true);
  auto bytes = drain(w);
  auto [pages, packets, parsed] = te_test::read_ogg(bytes);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(pages.size(), 3u);  // 255 + 255 + 91 segments (90 full + the terminating 0)
  EXPECT_EQ(pages[0].granule, -1);
  EXPECT_EQ(pages[1].granule, -1);
  EXPECT_EQ(pages[1].flags, 0x01);
  EXPECT_EQ(pages[2].granule, 5000);
  EXPECT_EQ(pages[2].lacing.size(), 91u);
  EXPECT_EQ(pages[2].lacing.back(), 0);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(packets[0].data.size(), big.size());
}

}  // namespace
}  // namespace te
