// MP4 muxer: init segment and fragment structure, B-frame DTS/CTS, seekable layout and patch.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../h264/h264_test_util.h"
#include "core/depack/avc_config.h"
#include "core/mux/mp4/mp4_decode_timeline.h"
#include "core/mux/mp4/mp4_muxer.h"

using namespace te;
using namespace te_test;

namespace {

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint64_t be64(const uint8_t* p) { return (uint64_t{be32(p)} << 32) | be32(p + 4); }

// Minimal box walker: records every box as "path" → (offset, size) and checks sizes nest exactly.
struct Box {
  std::string path;
  size_t offset, size, header;
};
bool walk(const std::vector<uint8_t>& f, size_t begin, size_t end, const std::string& parent,
          std::vector<Box>& out) {
  static const char* kContainers[] = {"moov", "trak", "mdia", "minf", "stbl", "mvex", "moof",
                                      "traf", "edts", "dinf", "mfra"};
  size_t pos = begin;
  while (pos < end) {
    if (end - pos < 8) return false;
    uint64_t size = be32(&f[pos]);
    size_t header = 8;
    if (size == 1) {
      size = be64(&f[pos + 8]);
      header = 16;
    }
    if (size < header || size > end - pos) return false;
    std::string type(reinterpret_cast<const char*>(&f[pos + 4]), 4);
    std::string path = parent.empty() ? type : parent + "/" + type;
    out.push_back(Box{path, pos, static_cast<size_t>(size), header});
    for (const char* c : kContainers)
      if (type == c && !walk(f, pos + header, pos + size, path, out)) return false;
    if (type == "stsd" && !walk(f, pos + 16, pos + size, path, out)) return false;
    if (path == "moov/trak/mdia/minf/stbl/stsd/avc1" && !walk(f, pos + 86, pos + size, path, out))
      return false;
    pos += size;
  }
  return true;
}
const Box* find(const std::vector<Box>& b, const std::string& path, int nth = 0) {
  for (const Box& x : b)
    if (x.path == path && nth-- == 0) return &x;
  return nullptr;
}

CodecConfigPtr config(bool baseline = false) {
  auto c = std::make_shared<CodecConfig>();
  c->codec = Codec::kH264;
  c->clock_rate = 90000;
  c->width = 320;
  c->height = 240;
  c->sps = {baseline ? kBaselineSps : kHighSps};
  c->pps = {baseline ? kBaselinePps : kHighPps};
  c->private_data = build_avc_config(c->sps, c->pps);
  return c;
}

Frame frame(int64_t ts, bool key, uint8_t fill, size_t n = 10) {
  Frame f;
  f.codec = Codec::kH264;
  f.timestamp = ts;
  f.keyframe = key;
  std::vector<uint8_t> bytes(n, fill);
  f.data.append_copy(bytes);
  return f;
}

// Applies every chunk at its offset: the file a seekable target ends up with.
std::vector<uint8_t> drain(Mp4Muxer& m, size_t* chunks = nullptr) {
  std::vector<uint8_t> file;
  OutputChunk c;
  size_t count = 0;
  while (m.pop(c)) {
    count++;
    std::vector<uint8_t> bytes = flatten(c.data);
    if (file.size() < c.offset + bytes.size()) file.resize(c.offset + bytes.size());
    std::memcpy(file.data() + c.offset, bytes.data(), bytes.size());
  }
  if (chunks) *chunks = count;
  return file;
}

// I P B B P B B | I : decode order, PTS in frames of 3000 ticks, offset by an arbitrary RTP start.
constexpr int64_t kBase = 4000000000LL;  // beyond 32 bits: unwrapped timestamps
const int kPattern[] = {0, 3, 1, 2, 6, 4, 5};

void feed_ibbp(Mp4Muxer& m) {
  for (int i = 0; i < 7; i++) {
    Frame f = frame(kBase + kPattern[i] * 3000, i == 0, static_cast<uint8_t>(i));
    if (i == 0) f.config = config();
    m.write(std::move(f));
  }
  m.write(frame(kBase + 7 * 3000, true, 7));
}

TEST(Mp4DecodeTimeline, RequiredDelay) {
  EXPECT_EQ(Mp4DecodeTimeline::required_delay({0, 3, 1, 2, 6, 4, 5}), 1);
  EXPECT_EQ(Mp4DecodeTimeline::required_delay({0, 3, 2, 1}), 2);  // B-pyramid
  EXPECT_EQ(Mp4DecodeTimeline::required_delay({0, 1, 2}), 0);
}

TEST(Mp4Muxer, FragmentedInitSegmentAndFragment) {
  MuxerOptions o;
  o.fragment_ms = 100;
  Mp4Muxer m(o);
  EXPECT_STREQ(m.mime_type(), "video/mp4");
  m.write(frame(1000, false, 0xEE));  // before the first keyframe: dropped
  feed_ibbp(m);
  size_t chunks = 0;
  std::vector<uint8_t> f = drain(m, &chunks);
  EXPECT_EQ(chunks, 2u);  // init segment + first fragment (the last I is still buffered)
  std::vector<Box> b;
  ASSERT_TRUE(walk(f, 0, f.size(), "", b));
  ASSERT_TRUE(find(b, "ftyp"));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(&f[8]), 4), "iso5");
  for (const char* p : {"moov/mvhd", "moov/trak/tkhd", "moov/trak/edts/elst", "moov/trak/mdia/mdhd",
                        "moov/trak/mdia/hdlr", "moov/trak/mdia/minf/vmhd", "moov/trak/mdia/minf/dinf/dref",
                        "moov/trak/mdia/minf/stbl/stsd/avc1/avcC", "moov/trak/mdia/minf/stbl/stts",
                        "moov/trak/mdia/minf/stbl/stco", "moov/mvex/trex", "moof/mfhd", "moof/traf/tfhd",
                        "moof/traf/tfdt", "moof/traf/trun", "mdat"})
    EXPECT_TRUE(find(b, p)) << p;
  const Box* avcc = find(b, "moov/trak/mdia/minf/stbl/stsd/avc1/avcC");
  std::vector<uint8_t> rec(f.begin() + avcc->offset + 8, f.begin() + avcc->offset + avcc->size);
  EXPECT_EQ(rec, config()->private_data);
  const Box* mdhd = find(b, "moov/trak/mdia/mdhd");
  EXPECT_EQ(be32(&f[mdhd->offset + 20]), 90000u);  // timescale
  const Box* elst = find(b, "moov/trak/edts/elst");
  EXPECT_EQ(be32(&f[elst->offset + 20]), 6000u);  // media_time: VUI max_num_reorder_frames 2 × 3000
  EXPECT_EQ(m.reorder_delay(), 6000);

  const Box* moof = find(b, "moof");
  const Box* tfdt = find(b, "moof/traf/tfdt");
  EXPECT_EQ(f[tfdt->offset + 8], 1);  // version 1
  EXPECT_EQ(be64(&f[tfdt->offset + 12]), 0u);
  const Box* trun = find(b, "moof/traf/trun");
  const uint8_t* t = &f[trun->offset];
  EXPECT_EQ(be32(t + 8) & 0xFFFFFF, 0xF01u);
  ASSERT_EQ(be32(t + 12), 7u);  // sample_count
  const Box* mdat = find(b, "mdat");
  EXPECT_EQ(moof->offset + be32(t + 16), mdat->offset + 8);  // data_offset → first sample byte
  int64_t dts = 0;
  for (int i = 0; i < 7; i++) {
    const uint8_t* s = t + 20 + 16 * i;
    EXPECT_EQ(be32(s), 3000u) << i;                              // duration
    EXPECT_EQ(be32(s + 4), 10u);                                 // size
    EXPECT_EQ(be32(s + 8), i == 0 ? 0x02000000u : 0x01010000u);  // flags
    int64_t cto = static_cast<int32_t>(be32(s + 12));
    EXPECT_EQ(dts + cto, kPattern[i] * 3000 + 6000) << i;  // CT = PTS + delay
    EXPECT_GE(cto, 0);
    dts += 3000;
    EXPECT_EQ(f[mdat->offset + 8 + 10 * i], i);  // payload in decode order
  }
  EXPECT_EQ(mdat->size, 8u + 70);

  m.finish();
  std::vector<uint8_t> rest = drain(m);
  std::vector<Box> b2;
  ASSERT_TRUE(walk(rest, f.size(), rest.size(), "", b2));
  const Box* tfdt2 = find(b2, "moof/traf/tfdt");
  ASSERT_TRUE(tfdt2);
  EXPECT_EQ(be64(&rest[tfdt2->offset + 12]), 21000u);  // cumulative, exact
  const Box* mfhd2 = find(b2, "moof/mfhd");
  EXPECT_EQ(be32(&rest[mfhd2->offset + 12]), 2u);
  EXPECT_EQ(m.mp4_stats().frames_dropped, 1u);
  EXPECT_EQ(m.stats().frames, 8u);
}

TEST(Mp4Muxer, TimestampGapIsKept) {
  MuxerOptions o;
  o.fragment_ms = 100000;
  Mp4Muxer m(o);
  Frame f0 = frame(0, true, 1);
  f0.config = config(/*baseline=*/true);  // no reordering announced
  m.write(std::move(f0));
  m.write(frame(3000, false, 2));
  Frame late = frame(93000, false, 3);  // 1 s of missing frames
  late.discontinuity = true;
  m.write(std::move(late));
  m.finish();
  std::vector<uint8_t> f = drain(m);
  std::vector<Box> b;
  ASSERT_TRUE(walk(f, 0, f.size(), "", b));
  const uint8_t* t = &f[find(b, "moof/traf/trun")->offset];
  EXPECT_EQ(be32(t + 20), 3000u);
  EXPECT_EQ(be32(t + 36), 90000u);
  EXPECT_EQ(be32(t + 52), 3000u);  // last = a typical frame (median), not the gap before it
  EXPECT_FALSE(find(b, "moov/trak/edts"));  // no reordering: no edit list
}

TEST(Mp4Muxer, FragmentHoldsAndZeroCopyRuns) {
  ReleaseList rl;
  MuxerOptions o;
  o.fragment_ms = 0;
  Mp4Muxer m(o);
  static const uint8_t packet[20] = {1, 2, 3};
  for (int i = 0; i < 2; i++) {
    Frame f;
    f.codec = Codec::kH264;
    f.timestamp = i * 3000;
    f.keyframe = true;
    if (i == 0) f.config = config();
    f.data.append_view(packet, 20, 50 + i, 0);
    f.hold = PacketHold(&rl, 50 + i);
    m.write(std::move(f));
  }
  OutputChunk c;
  ASSERT_TRUE(m.pop(c));  // init
  ASSERT_TRUE(m.pop(c));  // fragment with frame 0
  EXPECT_EQ(c.hold.ids(), std::vector<uint32_t>{50});
  EXPECT_EQ(c.data.runs().back().data, packet);  // the view itself, not a copy
  EXPECT_EQ(c.data.runs().back().packet, 50u);
  c.hold.release();
  EXPECT_EQ(rl.ids, std::vector<uint32_t>{50});
}

TEST(Mp4Muxer, SeekableLayoutAndPatch) {
  MuxerOptions o;
  o.seekable = true;
  Mp4Muxer m(o);
  EXPECT_FALSE(m.monotonic());
  feed_ibbp(m);
  m.finish();
  std::vector<uint8_t> f = drain(m);
  std::vector<Box> b;
  ASSERT_TRUE(walk(f, 0, f.size(), "", b));
  ASSERT_EQ(b[0].path, "ftyp");
  ASSERT_EQ(b[1].path, "mdat");
  EXPECT_EQ(be32(&f[b[1].offset]), 1u);  // 64-bit largesize form
  EXPECT_EQ(b[1].size, 16u + 80);         // patched to the real size
  ASSERT_EQ(b[2].path, "moov");
  EXPECT_EQ(b[2].offset + b[2].size, f.size());
  const std::string st = "moov/trak/mdia/minf/stbl/";
  const Box* stts = find(b, st + "stts");
  EXPECT_EQ(be32(&f[stts->offset + 12]), 1u);            // one run
  EXPECT_EQ(be32(&f[stts->offset + 16]), 8u);            // 8 samples
  EXPECT_EQ(be32(&f[stts->offset + 20]), 3000u);
  const Box* ctts = find(b, st + "ctts");
  ASSERT_TRUE(ctts);
  const Box* stss = find(b, st + "stss");
  ASSERT_TRUE(stss);
  EXPECT_EQ(be32(&f[stss->offset + 12]), 2u);
  EXPECT_EQ(be32(&f[stss->offset + 16]), 1u);
  EXPECT_EQ(be32(&f[stss->offset + 20]), 8u);
  const Box* stsz = find(b, st + "stsz");
  EXPECT_EQ(be32(&f[stsz->offset + 16]), 8u);
  const Box* co64 = find(b, st + "co64");
  EXPECT_EQ(be64(&f[co64->offset + 16]), b[1].offset + 16);
  EXPECT_FALSE(find(b, "moov/mvex"));
  const Box* mdhd = find(b, "moov/trak/mdia/mdhd");
  EXPECT_EQ(be32(&f[mdhd->offset + 24]), 8u * 3000);  // duration
  // Composition offsets: PTS - DTS + delay, expanded from the run-length table.
  std::vector<uint32_t> offs;
  uint32_t runs = be32(&f[ctts->offset + 12]);
  for (uint32_t r = 0; r < runs; r++)
    for (uint32_t k = 0; k < be32(&f[ctts->offset + 16 + 8 * r]); k++)
      offs.push_back(be32(&f[ctts->offset + 20 + 8 * r]));
  ASSERT_EQ(offs.size(), 8u);
  for (int i = 0; i < 7; i++) EXPECT_EQ(i * 3000 + offs[i], kPattern[i] * 3000u + 6000) << i;
}

TEST(Mp4Muxer, NothingWithoutKeyframe) {
  for (bool seekable : {false, true}) {
    MuxerOptions o;
    o.seekable = seekable;
    Mp4Muxer m(o);
    m.write(frame(0, false, 1));
    Frame k = frame(3000, true, 2);  // keyframe but no config
    m.write(std::move(k));
    m.finish();
    EXPECT_TRUE(drain(m).empty());
    EXPECT_EQ(m.mp4_stats().frames_dropped, 2u);
  }
}

// Baseline stream (no reordering) at 30 fps with one keyframe only: fragments are cut on time.
void feed_sparse_keys(Mp4Muxer& m, int frames, int64_t base = kBase) {
  for (int i = 0; i < frames; i++) {
    Frame f = frame(base + i * 3000, i == 0, static_cast<uint8_t>(i));
    if (i == 0) f.config = config(/*baseline=*/true);
    m.write(std::move(f));
  }
}

// trun entries of every moof, in file order: (duration, flags) per sample, plus tfdt per moof.
struct Fragment {
  size_t moof_offset;
  uint64_t tfdt;
  std::vector<uint32_t> durations, flags;
};
std::vector<Fragment> fragments(const std::vector<uint8_t>& f, const std::vector<Box>& b) {
  std::vector<Fragment> out;
  for (int n = 0;; n++) {
    const Box* moof = find(b, "moof", n);
    if (!moof) break;
    Fragment fr;
    fr.moof_offset = moof->offset;
    fr.tfdt = be64(&f[find(b, "moof/traf/tfdt", n)->offset + 12]);
    const uint8_t* t = &f[find(b, "moof/traf/trun", n)->offset];
    for (uint32_t i = 0; i < be32(t + 12); i++) {
      fr.durations.push_back(be32(t + 20 + 16 * i));
      fr.flags.push_back(be32(t + 28 + 16 * i));
    }
    out.push_back(fr);
  }
  return out;
}

// finish(), then the fragments of everything the muxer wrote (whose boxes must parse).
std::vector<Fragment> finish_fragments(Mp4Muxer& m) {
  m.finish();
  std::vector<uint8_t> f = drain(m);
  std::vector<Box> b;
  EXPECT_TRUE(walk(f, 0, f.size(), "", b));
  return fragments(f, b);
}

TEST(Mp4Muxer, FragmentsAreCutOnTimeWithSparseKeyframes) {
  for (bool crash_safe : {false, true}) {
    MuxerOptions o;
    o.fragment_ms = 1000;
    o.crash_safe = crash_safe;
    Mp4Muxer m(o);
    feed_sparse_keys(m, 100);  // 3.33 s, one keyframe
    // Three fragments are out before the end: nothing but the fragment being filled waits.
    std::vector<uint8_t> live = drain(m);
    std::vector<Box> lb;
    ASSERT_TRUE(walk(live, 0, live.size(), "", lb));
    EXPECT_EQ(fragments(live, lb).size(), 3u) << crash_safe;
    m.finish();
    std::vector<uint8_t> rest = drain(m);
    std::copy(rest.begin() + live.size(), rest.end(), std::back_inserter(live));
    std::vector<Box> b;
    ASSERT_TRUE(walk(live, 0, live.size(), "", b));
    auto fr = fragments(live, b);
    ASSERT_EQ(fr.size(), 4u);
    for (size_t k = 0; k < fr.size(); k++) {
      EXPECT_EQ(fr[k].tfdt, k * 90000u);  // 30 frames (1 s) each
      EXPECT_EQ(fr[k].durations.size(), k < 3 ? 30u : 10u);
      for (size_t i = 0; i < fr[k].flags.size(); i++)
        EXPECT_EQ(fr[k].flags[i], k == 0 && i == 0 ? kMp4SyncSampleFlags : kMp4NonSyncSampleFlags);
      for (uint32_t d : fr[k].durations) EXPECT_EQ(d, 3000u);
    }
    EXPECT_EQ(m.mp4_stats().fragments, 4u);
    EXPECT_EQ(m.stats().duration, 100 * 3000);
    EXPECT_EQ(find(b, "mfra"), nullptr);  // not seekable: append-only, no index
  }
}

TEST(Mp4Muxer, ReorderedStreamsAreStillCutAtKeyframes) {
  // B-frames: decode times come from sorted PTS, so a cut may only come at a keyframe.
  MuxerOptions o;
  o.fragment_ms = 100;
  o.crash_safe = true;
  Mp4Muxer m(o);
  for (int g = 0; g < 3; g++)
    for (int i = 0; i < 7; i++) {
      Frame f = frame(kBase + (g * 7 + kPattern[i]) * 3000, i == 0, static_cast<uint8_t>(i));
      if (g == 0 && i == 0) f.config = config();
      m.write(std::move(f));
    }
  auto fr = finish_fragments(m);
  ASSERT_EQ(fr.size(), 3u);
  for (const Fragment& x : fr) {
    EXPECT_EQ(x.flags[0], kMp4SyncSampleFlags);
    for (uint32_t d : x.durations) EXPECT_EQ(d, 3000u);
  }
  EXPECT_EQ(m.mp4_stats().timing_clamps, 0u);
}

TEST(Mp4Muxer, CrashSafeSeekableAddsIndexAtCleanEnd) {
  MuxerOptions o;
  o.fragment_ms = 1000;
  o.crash_safe = true;
  o.seekable = true;
  Mp4Muxer m(o);
  EXPECT_FALSE(m.monotonic());
  // 3 keyframes: frames 0, 45 and 80 (1.5 s GOP, the last one short).
  for (int i = 0; i < 100; i++) {
    Frame f = frame(kBase + i * 3000, i == 0 || i == 45 || i == 80, static_cast<uint8_t>(i));
    if (i == 0) f.config = config(/*baseline=*/true);
    m.write(std::move(f));
  }
  // What a crash leaves: every chunk so far, appended. A valid fragmented MP4, duration unknown.
  size_t live_chunks = 0;
  std::vector<uint8_t> crashed = drain(m, &live_chunks);
  std::vector<Box> cb;
  ASSERT_TRUE(walk(crashed, 0, crashed.size(), "", cb));
  ASSERT_TRUE(find(cb, "moov/mvex/mehd"));
  const Box* moov0 = find(cb, "moov");
  EXPECT_EQ(be64(&crashed[find(cb, "moov/mvex/mehd")->offset + 12]), 0u);
  EXPECT_EQ(crashed[find(cb, "moov/mvhd")->offset + 8], 1);  // version 1: fixed size
  EXPECT_EQ(fragments(crashed, cb).size(), 3u);
  EXPECT_EQ(find(cb, "mfra"), nullptr);

  m.finish();
  OutputChunk c;
  std::vector<uint8_t> f = crashed;
  size_t patches = 0;
  while (m.pop(c)) {
    std::vector<uint8_t> bytes = flatten(c.data);
    if (c.offset != f.size()) {
      patches++;
      EXPECT_EQ(c.offset, moov0->offset);  // the moov again, in place, same size
      EXPECT_EQ(bytes.size(), moov0->size);
    }
    if (f.size() < c.offset + bytes.size()) f.resize(c.offset + bytes.size());
    std::memcpy(f.data() + c.offset, bytes.data(), bytes.size());
  }
  EXPECT_EQ(patches, 1u);
  std::vector<Box> b;
  ASSERT_TRUE(walk(f, 0, f.size(), "", b));
  const uint64_t total = 100 * 3000;
  EXPECT_EQ(m.stats().duration, static_cast<int64_t>(total));
  EXPECT_EQ(be64(&f[find(b, "moov/mvex/mehd")->offset + 12]), total);
  EXPECT_EQ(be64(&f[find(b, "moov/mvhd")->offset + 32]), total);   // v1: 2×u64 times, timescale
  EXPECT_EQ(be64(&f[find(b, "moov/trak/tkhd")->offset + 36]), total);  // v1: times, id, reserved
  EXPECT_EQ(be64(&f[find(b, "moov/trak/mdia/mdhd")->offset + 32]), total);
  // mfra is last; mfro gives its size (§8.8.11), tfra one entry per fragment with a keyframe.
  const Box& last = b.back();
  EXPECT_EQ(last.path, "mfra/mfro");
  const Box* mfra = find(b, "mfra");
  ASSERT_TRUE(mfra);
  EXPECT_EQ(mfra->offset + mfra->size, f.size());
  EXPECT_EQ(be32(&f[f.size() - 4]), mfra->size);
  const Box* tfra = find(b, "mfra/tfra");
  ASSERT_TRUE(tfra);
  const uint8_t* t = &f[tfra->offset];
  EXPECT_EQ(t[8], 1);                 // version 1
  EXPECT_EQ(be32(t + 12), 1u);        // track_ID
  EXPECT_EQ(be32(t + 16) & 0x3F, 3u);  // 1-byte traf/trun numbers, 4-byte sample number
  auto fr = fragments(f, b);
  ASSERT_EQ(fr.size(), 4u);  // 30 + 30 + 30 + 10 frames
  // Keyframes 0 (fragment 0, sample 1), 45 (fragment 1, sample 16), 80 (fragment 2, sample 21).
  const struct { size_t fragment; uint32_t sample; uint64_t time; } expect[] = {
      {0, 1, 0}, {1, 16, 45 * 3000}, {2, 21, 80 * 3000}};
  ASSERT_EQ(be32(t + 20), 3u);
  for (int k = 0; k < 3; k++) {
    const uint8_t* e = t + 24 + 22 * k;
    EXPECT_EQ(be64(e), expect[k].time) << k;
    EXPECT_EQ(be64(e + 8), fr[expect[k].fragment].moof_offset) << k;
    EXPECT_EQ(e[16], 1);
    EXPECT_EQ(e[17], 1);
    EXPECT_EQ(be32(e + 18), expect[k].sample) << k;
    EXPECT_EQ(fr[expect[k].fragment].flags[expect[k].sample - 1], kMp4SyncSampleFlags) << k;
  }
}

// The three file layouts, 1 s fragments: 0 streaming, 1 seekable, 2 seekable and crash-safe.
MuxerOptions layout_options(int layout) {
  MuxerOptions o;
  o.fragment_ms = 1000;
  o.seekable = layout != 0;
  o.crash_safe = layout == 2;
  return o;
}

// Item 6 of issue 6: 2 s of frames, a 20 s gap, one last frame → 22.0 s + one frame, not 42 s.
TEST(Mp4Muxer, LastFrameAfterGapLastsATypicalFrame) {
  for (int layout = 0; layout < 3; layout++) {
    Mp4Muxer m(layout_options(layout));
    feed_sparse_keys(m, 60);
    m.write(frame(kBase + 59 * 3000 + 20 * 90000, false, 0x60));
    m.finish();
    drain(m);
    EXPECT_EQ(m.stats().duration, 59 * 3000 + 20 * 90000 + 3000) << layout;
  }
}

// A frame stamped 10 s back is not B-frame reordering: dropped, the time line is untouched.
TEST(Mp4Muxer, FrameFarBackInTimeIsDroppedNotFolded) {
  for (int layout = 0; layout < 3; layout++) {
    Mp4Muxer m(layout_options(layout));
    feed_sparse_keys(m, 90);
    m.write(frame(kBase + 89 * 3000 - 10 * 90000, false, 0x61));
    m.finish();
    std::vector<uint8_t> f = drain(m);
    EXPECT_EQ(m.mp4_stats().timestamps_back, 1u);
    EXPECT_EQ(m.stats().frames, 90u);
    EXPECT_EQ(m.stats().duration, 90 * 3000) << layout;
    std::vector<Box> b;
    ASSERT_TRUE(walk(f, 0, f.size(), "", b));
    EXPECT_FALSE(find(b, "moov/trak/edts")) << layout;  // no reorder delay invented
    if (layout != 1) {
      uint64_t next = 0;
      for (const Fragment& x : fragments(f, b)) {
        EXPECT_EQ(x.tfdt, next);  // decode times continue, never back
        for (uint32_t d : x.durations) next += d;
      }
    }
  }
}

// Baseline has no B-frames: a frame stamped a little back is a bad timestamp, not reordering, so
// fragments are still cut on time afterwards and decode times still only go forward.
TEST(Mp4Muxer, BaselineBackstepDoesNotStopCuttingOnTime) {
  MuxerOptions o;
  o.fragment_ms = 1000;
  o.crash_safe = true;
  Mp4Muxer m(o);
  for (int i = 0; i < 100; i++) {
    int64_t ts = kBase + i * 3000 - (i == 40 ? 4500 : 0);  // frame 40 stamped 1.5 frames early
    Frame f = frame(ts, i == 0, static_cast<uint8_t>(i));
    if (i == 0) f.config = config(/*baseline=*/true);
    m.write(std::move(f));
  }
  auto fr = finish_fragments(m);
  EXPECT_EQ(fr.size(), 4u);
  uint64_t next = 0;
  for (const Fragment& x : fr) {
    EXPECT_EQ(x.tfdt, next);
    for (uint32_t d : x.durations) {
      EXPECT_GT(d, 0u);
      next += d;
    }
  }
  EXPECT_EQ(m.mp4_stats().timestamps_back, 0u);  // within 1 s: kept
}

}  // namespace
