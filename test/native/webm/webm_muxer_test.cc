// WebmMuxer: structure parsed back with a small EBML walker, cluster/block timing, cluster
// splitting, zero-copy blocks, seekable patches (Segment size, Duration, SeekHead, Cues).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "core/mux/webm/webm_ids.h"
#include "core/mux/webm/webm_muxer.h"
#include "ebml_walker.h"

namespace te {
namespace {

using namespace testing_ebml;
namespace id = webm_id;

struct Harness {
  ReleaseList released;
  std::vector<std::unique_ptr<std::vector<uint8_t>>> payloads;
  std::vector<uint8_t> file;
  std::vector<OutputChunk> chunks;  // kept to inspect runs (holds released explicitly)
  size_t patches = 0;

  Frame frame(int64_t ts, bool key, size_t n = 20, Codec codec = Codec::kVP8) {
    const uint32_t pid = static_cast<uint32_t>(payloads.size());
    payloads.emplace_back(new std::vector<uint8_t>(n, static_cast<uint8_t>(pid)));
    Frame f;
    f.codec = codec;
    f.timestamp = ts;
    f.keyframe = key;
    f.data.append_view(payloads.back()->data(), static_cast<uint32_t>(n), pid, 12);
    f.hold = PacketHold(&released, pid);
    return f;
  }
  static CodecConfigPtr vp8_config(uint16_t w = 320, uint16_t h = 240) {
    auto c = std::make_shared<CodecConfig>();
    c->codec = Codec::kVP8;
    c->clock_rate = 90000;
    c->width = w;
    c->height = h;
    return c;
  }
  void drain(Muxer& m) {
    OutputChunk c;
    while (m.pop(c)) {
      if (c.offset != file.size()) patches++;
      if (file.size() < c.offset + c.data.size()) file.resize(c.offset + c.data.size());
      c.data.copy_out(file.data() + c.offset, c.data.size());
      chunks.push_back(std::move(c));
    }
  }
};

struct Block {
  int64_t abs_ms;
  bool key;
  uint64_t size;
};

// Walks Segment → Clusters → SimpleBlocks and returns the blocks with absolute times.
std::vector<Block> blocks_of(const std::vector<uint8_t>& b, const Element& segment,
                             std::vector<int64_t>* cluster_times = nullptr) {
  std::vector<Block> out;
  for (const Element& c : children(b, &segment)) {
    if (c.id != id::kCluster) continue;
    auto kids = children(b, &c);
    const Element* t = find(kids, id::kTimestamp);
    EXPECT_TRUE(t != nullptr);
    if (!t) continue;
    EXPECT_EQ(kids.front().id, id::kTimestamp);
    const int64_t ct = static_cast<int64_t>(read_uint(b, *t));
    if (cluster_times) cluster_times->push_back(ct);
    for (const Element& k : kids) {
      if (k.id != id::kSimpleBlock) continue;
      EXPECT_EQ(b[k.data], 0x81);  // track 1
      const int16_t rel = static_cast<int16_t>((b[k.data + 1] << 8) | b[k.data + 2]);
      out.push_back(Block{ct + rel, (b[k.data + 3] & 0x80) != 0, k.size - 4});
    }
  }
  return out;
}

// Options with 1 s clusters, streaming or seekable (a local file).
MuxerOptions one_second_clusters(bool seekable) {
  MuxerOptions o;
  o.fragment_ms = 1000;
  o.seekable = seekable;
  return o;
}

TEST(WebmMuxer, StreamingStructureAndExactTiming) {
  Harness h;
  WebmMuxer m(one_second_clusters(/*seekable=*/false));
  EXPECT_TRUE(m.monotonic());
  const int64_t base = 0xFFFFFF00ll;  // unwrapped timestamps need not start at 0
  const int n = 100;
  for (int i = 0; i < n; i++) {
    Frame f = h.frame(base + i * 3003, i % 45 == 0);  // 29.97 fps, key frame every 1.5 s
    if (i == 0) f.config = Harness::vp8_config();
    m.write(std::move(f));
    h.drain(m);
  }
  m.finish();
  h.drain(m);
  EXPECT_EQ(h.patches, 0u);
  EXPECT_STREQ(m.mime_type(), "video/webm");

  const auto& b = h.file;
  auto top = children(b, nullptr);
  ASSERT_EQ(top.size(), 2u);
  ASSERT_EQ(top[0].id, id::kEbml);
  auto hdr = children(b, &top[0]);
  EXPECT_EQ(read_string(b, *find(hdr, id::kDocType)), "webm");
  EXPECT_EQ(read_uint(b, *find(hdr, id::kDocTypeVersion)), 4u);
  EXPECT_EQ(read_uint(b, *find(hdr, id::kDocTypeReadVersion)), 2u);
  ASSERT_EQ(top[1].id, id::kSegment);
  EXPECT_TRUE(top[1].unknown_size);
  EXPECT_EQ(top[1].size_length, 8u);

  auto seg = children(b, &top[1]);
  ASSERT_GE(seg.size(), 3u);
  EXPECT_EQ(seg[0].id, id::kInfo);
  auto info = children(b, &seg[0]);
  EXPECT_EQ(read_uint(b, *find(info, id::kTimestampScale)), 1000000u);
  EXPECT_EQ(find(info, id::kDuration), nullptr);
  EXPECT_EQ(read_string(b, *find(info, id::kMuxingApp)), "track-egress");
  EXPECT_EQ(read_string(b, *find(info, id::kWritingApp)), "track-egress");
  EXPECT_EQ(find(seg, id::kCues), nullptr);
  EXPECT_EQ(find(seg, id::kSeekHead), nullptr);

  const Element* tracks = find(seg, id::kTracks);
  ASSERT_TRUE(tracks);
  auto entries = children(b, tracks);
  ASSERT_EQ(entries.size(), 1u);
  auto te_ = children(b, &entries[0]);
  EXPECT_EQ(read_uint(b, *find(te_, id::kTrackNumber)), 1u);
  EXPECT_NE(read_uint(b, *find(te_, id::kTrackUid)), 0u);
  EXPECT_EQ(read_uint(b, *find(te_, id::kTrackType)), 1u);
  EXPECT_EQ(read_string(b, *find(te_, id::kCodecId)), "V_VP8");
  auto video = children(b, find(te_, id::kVideo));
  EXPECT_EQ(read_uint(b, *find(video, id::kPixelWidth)), 320u);
  EXPECT_EQ(read_uint(b, *find(video, id::kPixelHeight)), 240u);

  std::vector<int64_t> cts;
  auto blocks = blocks_of(b, top[1], &cts);
  ASSERT_EQ(blocks.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; i++) {
    // Exact: round(i * 3003 / 90) ms from the tick offset, never accumulated.
    const int64_t expect = static_cast<int64_t>(std::llround(i * 3003 / 90.0));
    EXPECT_EQ(blocks[i].abs_ms, expect) << i;
    EXPECT_EQ(blocks[i].key, i % 45 == 0);
    EXPECT_EQ(blocks[i].size, 20u);
  }
  // Clusters start on time (the first frame at >= 1000 ms), keyframe or not: frames 0, 30, 60, 90.
  const std::vector<int64_t> expect_cts = {0, 1001, 2002, 3003};
  EXPECT_EQ(cts, expect_cts);
  // Every input packet came back once all chunks are gone.
  h.chunks.clear();
  EXPECT_EQ(h.released.ids.size(), static_cast<size_t>(n));
}

// A publisher under load can capture frames < 0.5 ms apart; in 1 ms WebM ticks they would share a
// block time, which demuxers reject ("non monotonically increasing dts"). The later one moves 1 ms
// on, and frames after it are back on the exact rounding (no accumulated shift).
TEST(WebmMuxer, BlockTimesStayStrictlyIncreasingWithoutDrift) {
  Harness h;
  WebmMuxer m{MuxerOptions()};
  const int64_t ticks[] = {0, 3000, 3030, 3060, 6000, 9000};  // 0, 33.3, 33.7, 34, 66.7, 100 ms
  for (size_t i = 0; i < 6; i++) {
    Frame f = h.frame(ticks[i], i == 0);
    if (i == 0) f.config = Harness::vp8_config();
    m.write(std::move(f));
  }
  m.finish();
  h.drain(m);
  auto top = children(h.file, nullptr);
  ASSERT_EQ(top.size(), 2u);
  auto blocks = blocks_of(h.file, top[1], nullptr);
  ASSERT_EQ(blocks.size(), 6u);
  const int64_t expect[] = {0, 33, 34, 35, 67, 100};
  for (size_t i = 0; i < 6; i++) EXPECT_EQ(blocks[i].abs_ms, expect[i]) << i;
}

TEST(WebmMuxer, BlocksAreZeroCopyViewsAndHoldsMove) {
  Harness h;
  WebmMuxer m;
  Frame f = h.frame(0, true, 50);
  f.config = Harness::vp8_config();
  const uint8_t* payload = h.payloads[0]->data();
  m.write(std::move(f));
  m.write(h.frame(3000, false, 60));
  m.finish();
  h.drain(m);
  ASSERT_EQ(h.chunks.size(), 2u);  // header, one cluster
  const OutputChunk& cluster = h.chunks[1];
  EXPECT_EQ(cluster.hold.count(), 2u);
  bool found = false;
  for (const ByteRun& r : cluster.data.runs()) {
    if (r.packet == 0) {
      found = true;
      EXPECT_EQ(r.data, payload);
      EXPECT_EQ(r.size, 50u);
      EXPECT_EQ(r.offset, 12u);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_TRUE(h.released.ids.empty());
  h.chunks.clear();
  EXPECT_EQ(h.released.ids.size(), 2u);
}

TEST(WebmMuxer, NewClusterBeforeInt16Overflow) {
  Harness h;
  MuxerOptions o;
  o.fragment_ms = 60000;  // longer than an int16 of ms: the overflow rule cuts
  WebmMuxer m(o);
  Frame f = h.frame(0, true);
  f.config = Harness::vp8_config();
  m.write(std::move(f));
  m.write(h.frame(90 * 30000, false));          // 30 s: fits in int16
  m.write(h.frame(90 * 40000, false));          // 40 s: needs a new cluster without key frame
  m.write(h.frame(90000ll * 3600 * 5 + 45, false));  // 5 h + 0.5 ms: rounds up, no drift
  m.finish();
  h.drain(m);
  auto top = children(h.file, nullptr);
  std::vector<int64_t> cts;
  auto blocks = blocks_of(h.file, top[1], &cts);
  ASSERT_EQ(blocks.size(), 4u);
  EXPECT_EQ(blocks[1].abs_ms, 30000);
  EXPECT_EQ(blocks[2].abs_ms, 40000);
  EXPECT_EQ(blocks[3].abs_ms, 18000001);
  const std::vector<int64_t> expect = {0, 40000, 18000001};
  EXPECT_EQ(cts, expect);
}

TEST(WebmMuxer, SeekablePatchesDurationSegmentSizeCuesAndSeekHead) {
  Harness h;
  WebmMuxer m(one_second_clusters(/*seekable=*/true));
  EXPECT_FALSE(m.monotonic());
  for (int i = 0; i < 90; i++) {
    Frame f = h.frame(i * 3000, i % 30 == 0, 10 + i);
    if (i == 0) f.config = Harness::vp8_config(640, 480);
    m.write(std::move(f));
  }
  m.finish();
  h.drain(m);
  EXPECT_EQ(h.patches, 3u);
  const auto& b = h.file;
  auto top = children(b, nullptr);
  ASSERT_EQ(top.size(), 2u);
  const Element& segment = top[1];
  EXPECT_FALSE(segment.unknown_size);
  EXPECT_EQ(segment.end(), b.size());  // patched size covers everything incl. Cues
  const uint64_t seg_data = segment.data;

  auto seg = children(b, &segment);
  ASSERT_EQ(seg[0].id, id::kSeekHead);
  EXPECT_EQ(seg[1].id, id::kVoid);
  auto info = children(b, find(seg, id::kInfo));
  const Element* dur = find(info, id::kDuration);
  ASSERT_TRUE(dur);
  EXPECT_DOUBLE_EQ(read_float(b, *dur), 3000.0);  // 90 frames x 3000 ticks, last lasts 3000

  // SeekHead entries point at the elements they name.
  int seeks = 0;
  for (const Element& s : children(b, &seg[0])) {
    ASSERT_EQ(s.id, id::kSeek);
    auto k = children(b, &s);
    const uint64_t target_id = read_uint(b, *find(k, id::kSeekId));
    const uint64_t pos = read_uint(b, *find(k, id::kSeekPosition));
    Element e;
    ASSERT_TRUE(read_element(b, seg_data + pos, e));
    EXPECT_EQ(e.id, target_id);
    seeks++;
  }
  EXPECT_EQ(seeks, 3);

  // Cues: one per cluster (each starts with a key frame), positions point at Cluster IDs.
  const Element* cues = find(seg, id::kCues);
  ASSERT_TRUE(cues);
  std::vector<int64_t> cts;
  blocks_of(b, segment, &cts);
  auto points = children(b, cues);
  ASSERT_EQ(points.size(), cts.size());
  ASSERT_EQ(points.size(), 3u);
  for (size_t i = 0; i < points.size(); i++) {
    auto p = children(b, &points[i]);
    EXPECT_EQ(static_cast<int64_t>(read_uint(b, *find(p, id::kCueTime))), cts[i]);
    auto tp = children(b, find(p, id::kCueTrackPositions));
    EXPECT_EQ(read_uint(b, *find(tp, id::kCueTrack)), 1u);
    const uint64_t pos = read_uint(b, *find(tp, id::kCueClusterPosition));
    ASSERT_LT(seg_data + pos + 4, b.size());
    EXPECT_EQ(b[seg_data + pos], 0x1F);
    EXPECT_EQ(b[seg_data + pos + 1], 0x43);
    EXPECT_EQ(b[seg_data + pos + 2], 0xB6);
    EXPECT_EQ(b[seg_data + pos + 3], 0x75);
  }
  EXPECT_EQ(m.stats().duration, 270000);
}

TEST(WebmMuxer, WaitsForConfigAndSkipsOtherCodecs) {
  Harness h;
  WebmMuxer m;
  m.write(h.frame(0, true));  // no config: skipped
  Frame f = h.frame(3000, true);
  f.config = Harness::vp8_config();
  m.write(std::move(f));
  m.write(h.frame(6000, false, 20, Codec::kVP9));
  m.finish();
  h.drain(m);
  EXPECT_EQ(m.frames_skipped(), 2u);
  auto top = children(h.file, nullptr);
  auto blocks = blocks_of(h.file, top[1]);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].abs_ms, 0);
}

TEST(WebmMuxer, OpusTrackAndFixedLengthClusters) {
  Harness h;
  MuxerOptions o;
  o.fragment_ms = 100;
  WebmMuxer m(o);
  auto cfg = std::make_shared<CodecConfig>();
  cfg->codec = Codec::kOpus;
  cfg->clock_rate = 48000;
  cfg->channels = 2;
  for (int i = 0; i < 25; i++) {
    Frame f = h.frame(i * 960, false, 30, Codec::kOpus);
    if (i == 0) f.config = cfg;
    m.write(std::move(f));
  }
  m.finish();
  h.drain(m);
  EXPECT_STREQ(m.mime_type(), "audio/webm");
  const auto& b = h.file;
  auto top = children(b, nullptr);
  auto seg = children(b, &top[1]);
  auto entry = children(b, &children(b, find(seg, id::kTracks))[0]);
  EXPECT_EQ(read_string(b, *find(entry, id::kCodecId)), "A_OPUS");
  EXPECT_EQ(read_uint(b, *find(entry, id::kTrackType)), 2u);
  const Element* priv = find(entry, id::kCodecPrivate);
  ASSERT_TRUE(priv);
  ASSERT_EQ(priv->size, 19u);
  EXPECT_EQ(0, memcmp(b.data() + priv->data, "OpusHead", 8));
  EXPECT_EQ(b[priv->data + 9], 2);
  EXPECT_EQ(read_uint(b, *find(entry, id::kCodecDelay)), 80000000u);
  EXPECT_EQ(read_uint(b, *find(entry, id::kSeekPreRoll)), 80000000u);
  auto audio = children(b, find(entry, id::kAudio));
  EXPECT_DOUBLE_EQ(read_float(b, *find(audio, id::kSamplingFrequency)), 48000.0);
  EXPECT_EQ(read_uint(b, *find(audio, id::kChannels)), 2u);
  std::vector<int64_t> cts;
  auto blocks = blocks_of(b, top[1], &cts);
  ASSERT_EQ(blocks.size(), 25u);
  for (const Block& bl : blocks) EXPECT_TRUE(bl.key);
  const std::vector<int64_t> expect = {0, 100, 200, 300, 400};
  EXPECT_EQ(cts, expect);
}

// Crash safety of the seekable (local file) mode: before finish() the file is a live WebM of
// every complete cluster; cues then point at the first keyframe of each cluster that has one.
TEST(WebmMuxer, SeekableFileIsPlayableBeforeFinishAndCuesFindKeyframesInsideClusters) {
  Harness h;
  WebmMuxer m(one_second_clusters(/*seekable=*/true));
  for (int i = 0; i < 100; i++) {
    Frame f = h.frame(i * 3003, i == 0 || i == 45);  // keyframes at 0 and 1.5 s only
    if (i == 0) f.config = Harness::vp8_config();
    m.write(std::move(f));
  }
  h.drain(m);
  EXPECT_EQ(h.patches, 0u);
  {
    const auto& b = h.file;  // what a kill -9 leaves
    auto top = children(b, nullptr);
    ASSERT_EQ(top.size(), 2u);
    EXPECT_TRUE(top[1].unknown_size);
    auto seg = children(b, &top[1]);
    auto info = children(b, find(seg, id::kInfo));
    EXPECT_EQ(find(info, id::kDuration), nullptr);  // no Duration 0: a Void keeps its place
    EXPECT_NE(find(info, id::kVoid), nullptr);
    std::vector<int64_t> cts;
    auto blocks = blocks_of(b, top[1], &cts);
    const std::vector<int64_t> expect = {0, 1001, 2002};  // all but the cluster being filled
    EXPECT_EQ(cts, expect);
    EXPECT_EQ(blocks.size(), 90u);
  }
  m.finish();
  h.drain(m);
  EXPECT_EQ(h.patches, 3u);
  const auto& b = h.file;
  auto top = children(b, nullptr);
  EXPECT_FALSE(top[1].unknown_size);
  auto seg = children(b, &top[1]);
  auto info = children(b, find(seg, id::kInfo));
  ASSERT_TRUE(find(info, id::kDuration));
  EXPECT_NEAR(read_float(b, *find(info, id::kDuration)), 100 * 3003 / 90.0, 0.01);
  const Element* cues = find(seg, id::kCues);
  ASSERT_TRUE(cues);
  auto points = children(b, cues);
  ASSERT_EQ(points.size(), 2u);  // clusters 0 and 1 hold a keyframe, 2 and 3 none
  const int64_t expect_time[] = {0, 1502};
  for (int i = 0; i < 2; i++) {
    auto p = children(b, &points[i]);
    EXPECT_EQ(static_cast<int64_t>(read_uint(b, *find(p, id::kCueTime))), expect_time[i]);
    auto tp = children(b, find(p, id::kCueTrackPositions));
    Element cluster;
    ASSERT_TRUE(read_element(b, top[1].data + read_uint(b, *find(tp, id::kCueClusterPosition)), cluster));
    ASSERT_EQ(cluster.id, id::kCluster);
    const Element* rel = find(tp, id::kCueRelativePosition);  // from the Cluster's data start
    ASSERT_TRUE(rel);
    Element block;
    ASSERT_TRUE(read_element(b, cluster.data + read_uint(b, *rel), block));
    ASSERT_EQ(block.id, id::kSimpleBlock);
    EXPECT_EQ(b[block.data + 3] & 0x80, 0x80);  // keyframe flag
    const int64_t ct = static_cast<int64_t>(read_uint(b, *find(children(b, &cluster), id::kTimestamp)));
    EXPECT_EQ(ct + static_cast<int16_t>((b[block.data + 1] << 8) | b[block.data + 2]),
              expect_time[i]);
  }
}

// Item 6 of issue 6: the last frame after a 20 s gap lasts a typical frame; a last frame stamped
// 10 s back is dropped (it would fold the time line), one stamped 10 ms back is placed right after
// its predecessor. The duration never goes negative or back.
TEST(WebmMuxer, LastFrameDurationIsTypicalAndNeverNegative) {
  for (int64_t last_offset : {int64_t{20 * 90000}, int64_t{-10 * 90000}, int64_t{-900}}) {
    Harness h;
    WebmMuxer m(one_second_clusters(/*seekable=*/true));
    for (int i = 0; i < 60; i++) {
      Frame f = h.frame(1000 + i * 3000, i == 0);
      if (i == 0) f.config = Harness::vp8_config();
      m.write(std::move(f));
    }
    m.write(h.frame(1000 + 59 * 3000 + last_offset, false));
    m.finish();
    h.drain(m);
    auto top = children(h.file, nullptr);
    auto blocks = blocks_of(h.file, top[1]);
    for (size_t i = 1; i < blocks.size(); i++) EXPECT_GT(blocks[i].abs_ms, blocks[i - 1].abs_ms);
    auto info = children(h.file, find(children(h.file, &top[1]), id::kInfo));
    const double dur = read_float(h.file, *find(info, id::kDuration));
    if (last_offset > 0) {
      ASSERT_EQ(blocks.size(), 61u);
      EXPECT_EQ(m.stats().duration, 59 * 3000 + 20 * 90000 + 3000);  // 22.0 s, not 42 s
      EXPECT_NEAR(dur, 22000.0, 0.01);
    } else if (last_offset < -90000) {
      ASSERT_EQ(blocks.size(), 60u);
      EXPECT_EQ(m.timestamps_back(), 1u);
      EXPECT_EQ(m.stats().duration, 60 * 3000);  // 2 s, as if it never came
      EXPECT_NEAR(dur, 2000.0, 0.01);
    } else {
      ASSERT_EQ(blocks.size(), 61u);
      EXPECT_EQ(blocks.back().abs_ms, 1967 + 1);  // 1 ms after its predecessor (59 × 33.3 ms)
      EXPECT_EQ(m.stats().duration, (1967 + 1) * 90 + 3000);
    }
  }
}

}  // namespace
}  // namespace te
