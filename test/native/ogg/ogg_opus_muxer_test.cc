#include "core/mux/ogg/ogg_opus_muxer.h"

#include <gtest/gtest.h>

#include <memory>

#include "core/depack/opus_packet.h"
#include "ogg_test_reader.h"

namespace te {
namespace {

// Input packets owned by the test; frames are views into them (like the real pipeline).
struct Source {
  std::vector<std::unique_ptr<std::vector<uint8_t>>> buffers;
  ReleaseList released;
  bool first = true;

  Frame frame(int64_t ts, std::vector<uint8_t> payload, uint8_t channels = 2) {
    buffers.push_back(std::make_unique<std::vector<uint8_t>>(std::move(payload)));
    const auto& b = *buffers.back();
    const uint32_t id = static_cast<uint32_t>(buffers.size());
    Frame f;
    f.timestamp = ts;
    OpusPacketInfo info;
    if (parse_opus_packet(ByteView(b.data(), b.size()), info) == OpusPacketError::kNone)
      f.duration = info.duration;
    f.keyframe = true;
    if (first) {
      auto c = std::make_shared<CodecConfig>();
      c->codec = Codec::kOpus;
      c->clock_rate = 48000;
      c->channels = channels;
      f.config = c;
      first = false;
    }
    f.data.append_view(b.data(), static_cast<uint32_t>(b.size()), id, 0);
    f.hold = PacketHold(&released, id);
    return f;
  }
};

std::vector<uint8_t> drain(Muxer& m) {
  std::vector<uint8_t> out;
  OutputChunk c;
  while (m.pop(c)) {
    EXPECT_EQ(c.offset, out.size());  // append-only
    std::vector<uint8_t> b(c.data.size());
    c.data.copy_out(b.data(), b.size());
    out.insert(out.end(), b.begin(), b.end());
  }
  return out;
}

std::vector<uint8_t> celt20(uint8_t fill, size_t n = 40) {
  std::vector<uint8_t> p(n, fill);
  p[0] = 0xFC;  // config 31 (CELT FB 20 ms), stereo, code 0
  return p;
}

// finish(), then everything the muxer wrote, read back as Ogg pages and packets.
te_test::OggContents finish_ogg(OggOpusMuxer& m) {
  m.finish();
  return te_test::read_ogg(drain(m));
}

TEST(OggOpusMuxer, HeadersAndPagesAndEos) {
  Source src;
  MuxerOptions mo;
  mo.fragment_ms = 100;
  OggOpusMuxer m(mo);
  EXPECT_STREQ(m.mime_type(), "audio/ogg");
  for (int i = 0; i < 12; ++i) m.write(src.frame(5000 + 960 * i, celt20(static_cast<uint8_t>(i)), 1));
  auto [pages, packets, parsed] = finish_ogg(m);
  ASSERT_TRUE(parsed);
  ASSERT_GE(pages.size(), 4u);
  // Page 0: OpusHead alone, BOS, granule 0 (RFC 7845 §3, §5.1).
  const std::vector<uint8_t> head = {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, 1, 0, 0,
                                     0x80, 0xBB, 0, 0, 0, 0, 0};
  EXPECT_EQ(pages[0].flags, 0x02);
  EXPECT_EQ(pages[0].granule, 0);
  EXPECT_EQ(pages[0].lacing, std::vector<uint8_t>{19});
  EXPECT_EQ(pages[0].body, head);
  // Page 1: OpusTags alone.
  const std::string tags_text = std::string("OpusTags") + std::string("\x0c\0\0\0", 4) +
                                "track-egress" + std::string("\x01\0\0\0", 4) +
                                std::string("\x20\0\0\0", 4) + "ENCODER=track-egress passthrough";
  EXPECT_EQ(pages[1].flags, 0);
  EXPECT_EQ(pages[1].granule, 0);
  EXPECT_EQ(std::string(pages[1].body.begin(), pages[1].body.end()), tags_text);
  ASSERT_EQ(packets.size(), 2u + 12u);
  // Audio: passthrough bytes, 100 ms pages (5 packets), granules = end sample of last packet.
  for (int i = 0; i < 12; ++i) EXPECT_EQ(packets[2 + i].data, celt20(static_cast<uint8_t>(i)));
  ASSERT_EQ(pages.size(), 5u);
  EXPECT_EQ(pages[2].granule, 5 * 960);
  EXPECT_EQ(pages[3].granule, 10 * 960);
  EXPECT_EQ(pages[4].granule, 12 * 960);
  EXPECT_EQ(pages[4].flags, 0x04);  // EOS only on the last
  for (size_t i = 0; i < pages.size(); ++i) {
    EXPECT_TRUE(pages[i].crc_ok);
    EXPECT_EQ(pages[i].sequence, i);
    EXPECT_EQ(pages[i].serial, OggOpusOptions().serial);
  }
  EXPECT_EQ(m.stats().frames, 12u);
  EXPECT_EQ(m.stats().duration, 12 * 960);
  EXPECT_EQ(m.stats().first_timestamp, 5000);
  EXPECT_EQ(m.stats().bytes, pages.back().offset + pages.back().size);  // the file is all pages
  EXPECT_EQ(m.ogg_stats().gap_packets, 0u);
  EXPECT_EQ(src.released.ids.size(), 12u);  // all chunks consumed → every packet released
}

// Crash safety: audio pages go out every fragment_ms (1 s for `record`), so before finish() all but
// the last second of audio is already in the output, as complete pages.
TEST(OggOpusMuxer, PagesAreFlushedOnTimeBeforeTheEnd) {
  Source src;
  MuxerOptions mo;
  mo.fragment_ms = 1000;
  OggOpusMuxer m(mo);
  for (int i = 0; i < 175; ++i) m.write(src.frame(960 * i, celt20(static_cast<uint8_t>(i))));  // 3.5 s
  auto live = drain(m);  // what a kill -9 leaves
  std::vector<te_test::TestPage> pages;
  std::vector<te_test::TestPacket> packets;
  ASSERT_TRUE(te_test::read_ogg(live, pages, packets));
  ASSERT_EQ(pages.size(), 2u + 3u);  // headers + three 1 s pages
  for (int k = 0; k < 3; ++k) EXPECT_EQ(pages[2 + k].granule, (k + 1) * 48000);
  EXPECT_EQ(packets.size(), 2u + 150u);
}

TEST(OggOpusMuxer, HoldsFollowTheChunksAndPayloadIsNotCopied) {
  Source src;
  OggOpusMuxer m;
  for (int i = 0; i < 3; ++i) m.write(src.frame(960 * i, celt20(1)));
  m.finish();
  OutputChunk c;
  size_t view_bytes = 0;
  std::vector<OutputChunk> chunks;
  while (m.pop(c)) chunks.push_back(std::move(c));
  for (const auto& ch : chunks)
    for (const ByteRun& r : ch.data.runs())
      if (r.packet != kGeneratedRun) view_bytes += r.size;
  EXPECT_EQ(view_bytes, 3 * 40u);
  EXPECT_TRUE(src.released.ids.empty());  // still referenced by the chunks
  chunks.clear();
  EXPECT_EQ(src.released.ids.size(), 3u);
}

TEST(OggOpusMuxer, GapsAreFilledSoGranuleFollowsTheRtpClock) {
  Source src;
  OggOpusMuxer m;
  const int64_t t0 = 4294960000LL;  // near the 32-bit wrap, already unwrapped upstream
  m.write(src.frame(t0, celt20(1)));
  m.write(src.frame(t0 + 960, celt20(2)));
  // 400 ms DTX gap + 7.5 ms odd remainder: next packet at 1920 + 19200 + 360.
  m.write(src.frame(t0 + 1920 + 19200 + 360, celt20(3)));
  auto [pages, packets, parsed] = finish_ogg(m);
  ASSERT_TRUE(parsed);
  uint64_t sum = 0;
  size_t generated = 0;
  for (size_t i = 2; i < packets.size(); ++i) {
    OpusPacketInfo info;
    ASSERT_EQ(parse_opus_packet(ByteView(packets[i].data.data(), packets[i].data.size()), info),
              OpusPacketError::kNone);
    if (packets[i].data.size() == 2) {
      generated++;
      EXPECT_EQ(info.code, 3);
      EXPECT_EQ(info.first_frame_size, 0u);  // zero-length frames: PLC
      EXPECT_TRUE(info.stereo);
    }
    sum += info.duration;
  }
  EXPECT_EQ(sum, 1920u + 19200 + 360 + 960);
  EXPECT_EQ(pages.back().granule, static_cast<int64_t>(sum));
  EXPECT_EQ(m.ogg_stats().gap_samples, 19200u + 360);
  EXPECT_EQ(m.ogg_stats().gap_packets, generated);
  // 19200 = 20 x 20 ms → 4 packets of 6 frames... (120 ms each) = 3 x 120 + 1 x 40 ms; 360 = 3 x 2.5 ms.
  EXPECT_EQ(generated, 5u);
  EXPECT_EQ(packets[packets.size() - 2].data, (std::vector<uint8_t>{0xE7, 0x03}));  // CELT FB 2.5 ms x3
}

// The first two packets overlap by the encoder lookahead (GStreamer stamps the second packet 312
// samples early): the muxer writes that as the OpusHead pre-skip (RFC 7845 §4.2), so the
// playable length (granule − pre-skip) equals the RTP span and no gap packets are needed.
TEST(OggOpusMuxer, FirstPacketOverlapBecomesPreSkip) {
  Source src;
  OggOpusMuxer m;
  m.write(src.frame(1000, celt20(1)));
  EXPECT_FALSE([&] { OutputChunk c; return m.pop(c); }()) << "headers wait for the second packet";
  m.write(src.frame(1000 + 648, celt20(2)));
  m.write(src.frame(1000 + 648 + 960, celt20(3)));
  auto [pages, packets, parsed] = finish_ogg(m);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(packets.size(), 5u);  // OpusHead, OpusTags, 3 audio packets: no fillers
  EXPECT_EQ(te_test::le(&packets[0].data[10], 2), 312u);
  EXPECT_EQ(pages.back().granule - 312, 648 + 960 + 960);
  EXPECT_EQ(m.stats().duration, 648 + 960 + 960);  // the RTP span, not counting the pre-skip
  EXPECT_EQ(m.ogg_stats().gap_packets, 0u);
}

TEST(OggOpusMuxer, OddGapsDoNotDrift) {
  Source src;
  OggOpusMuxer m;
  // Packets of 20 ms with 1000-sample gaps (not a multiple of 2.5 ms) for a long time.
  int64_t ts = 0;
  for (int i = 0; i < 500; ++i) {
    m.write(src.frame(ts, celt20(1, 3)));
    ts += 960 + 1000;
  }
  auto [pages, packets, parsed] = finish_ogg(m);
  ASSERT_TRUE(parsed);
  const int64_t rtp_end = ts - 1000;  // end of the last packet on the RTP timeline
  EXPECT_LE(std::llabs(pages.back().granule - rtp_end), 60);
  EXPECT_EQ(m.ogg_stats().dropped, 0u);
}

TEST(OggOpusMuxer, BackwardsTimestampsAreDroppedAndRestartsRebase) {
  Source src;
  OggOpusMuxer m;
  m.write(src.frame(100000, celt20(1)));
  m.write(src.frame(100960, celt20(2)));
  m.write(src.frame(100000, celt20(3)));   // goes back 20 ms: dropped
  m.write(src.frame(10, celt20(4)));       // goes back > 1 s: sender restart, continue
  m.write(src.frame(970, celt20(5)));
  m.finish();
  drain(m);
  EXPECT_EQ(m.ogg_stats().dropped, 1u);
  EXPECT_EQ(m.ogg_stats().timestamp_resets, 1u);
  EXPECT_EQ(m.stats().duration, 4 * 960);
  EXPECT_EQ(m.ogg_stats().gap_packets, 0u);
}

TEST(OggOpusMuxer, NoFramesNoOutputAndPreSkipOption) {
  {
    OggOpusMuxer m;
    m.finish();
    EXPECT_TRUE(drain(m).empty());
  }
  Source src;
  OggOpusOptions o;
  o.pre_skip = 312;
  o.comment = nullptr;
  OggOpusMuxer m(MuxerOptions{}, o);
  m.write(src.frame(0, celt20(1)));
  auto [pages, packets, parsed] = finish_ogg(m);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(pages.size(), 3u);
  EXPECT_EQ(pages[0].body[9], 2);  // channels
  EXPECT_EQ(te_test::le(&pages[0].body[10], 2), 312u);
  EXPECT_EQ(pages[1].body.size(), 8u + 4 + 12 + 4);  // no comment
  EXPECT_EQ(pages[2].granule, 960);  // granule counts pre-skip samples (RFC 7845 §4)
  EXPECT_EQ(pages[2].flags, 0x04);
}

TEST(OggOpusMuxer, LargePacketsSpanPages) {
  Source src;
  OggOpusMuxer m;
  // Code 3 CBR, 6 x 20 ms frames of 1200 bytes = 7202 bytes: 29 segments per packet.
  std::vector<uint8_t> big(2 + 6 * 1200, 0x55);
  big[0] = 0xFB;
  big[1] = 6;
  for (int i = 0; i < 20; ++i) m.write(src.frame(5760 * i, big));
  auto [pages, packets, parsed] = finish_ogg(m);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(packets.size(), 22u);
  bool saw_continued = false;
  for (const auto& p : pages) {
    EXPECT_LE(p.lacing.size(), 255u);
    EXPECT_TRUE(p.crc_ok);
    if (p.flags & 1) saw_continued = true;
  }
  EXPECT_TRUE(saw_continued);
  for (size_t i = 2; i < packets.size(); ++i) EXPECT_EQ(packets[i].data, big);
  EXPECT_EQ(pages.back().granule, 20 * 5760);
}

}  // namespace
}  // namespace te
