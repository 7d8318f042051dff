// Padding-only RTP packets (RFC 3550 §5.1 P bit, all payload is padding) inside and between
// frames, in every codec: the container output is byte-for-byte the output without them, none is
// "malformed", and a loss right before a padding packet still breaks the frame it hit.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../h264/h264_test_util.h"
#include "core/pipeline/recorder.h"
#include "rtp_wire.h"

namespace te {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

struct Pkt {
  uint32_t ts;
  bool marker;
  Bytes payload;  // empty: a padding-only packet
};
using Frames = std::vector<std::vector<Pkt>>;  // packets of each frame

// ---- one valid stream per codec: a keyframe, then delta frames, each in 2-3 packets ---------

Frames h264_stream(int n) {
  Frames fs;
  for (int i = 0; i < n; i++) {
    const uint32_t ts = 1000 + 3000 * i;
    std::vector<Pkt> f;
    Bytes slice = i == 0 ? te_test::make_slice(5, 3, 0, 7, 300) : te_test::make_slice(1, 2, i % 16, 5, 200);
    if (i == 0) f.push_back({ts, false, te_test::stap_a({te_test::kHighSps, te_test::kHighPps})});
    auto parts = te_test::fu_a(slice, i == 0 ? 120 : 110);
    for (size_t k = 0; k < parts.size(); k++) f.push_back({ts, k + 1 == parts.size(), parts[k]});
    fs.push_back(std::move(f));
  }
  return fs;
}

Bytes vp8_desc(bool start, uint16_t picid) {
  return {static_cast<uint8_t>(0x80 | (start ? 0x10 : 0)), 0x80, static_cast<uint8_t>(0x80 | (picid >> 8)),
          static_cast<uint8_t>(picid)};
}

Frames vp8_stream(int n) {
  Frames fs;
  for (int i = 0; i < n; i++) {
    const uint32_t ts = 1000 + 3000 * i;
    Bytes body = i == 0 ? Bytes{0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, 0xAA, 0xBB}
                        : Bytes{0x31, 0x01, 0x00, 0x11, 0x22, 0x33};
    Bytes a(body.begin(), body.begin() + 5), b(body.begin() + 5, body.end());
    fs.push_back({{ts, false, cat(vp8_desc(true, static_cast<uint16_t>(i)), a)},
                  {ts, true, cat(vp8_desc(false, static_cast<uint16_t>(i)), b)}});
  }
  return fs;
}

// VP9 descriptor (RFC 9628 §4.2), non-flexible mode: I, P, L, B, E; TL0PICIDX.
Bytes vp9_desc(uint16_t pid, bool p, bool b, bool e) {
  return {static_cast<uint8_t>(0x80 | (p ? 0x40 : 0) | 0x20 | (b ? 0x08 : 0) | (e ? 0x04 : 0)),
          static_cast<uint8_t>(0x80 | (pid >> 8)), static_cast<uint8_t>(pid), 0x00, 0x00};
}

Bytes vp9_key(uint16_t w, uint16_t h) {  // profile 0 key frame header (see vp9 tests)
  const uint32_t wm = w - 1u, hm = h - 1u;
  Bytes v = {0x82, 0x49, 0x83, 0x42};
  uint64_t bits = ((uint64_t{0x4} << 32) | (uint64_t{wm} << 16) | hm) << 4;
  for (int i = 4; i >= 0; i--) v.push_back(static_cast<uint8_t>(bits >> (8 * i)));
  v.push_back(0xEE);
  return v;
}

Frames vp9_stream(int n) {
  Frames fs;
  for (int i = 0; i < n; i++) {
    const uint32_t ts = 1000 + 3000 * i;
    Bytes body = i == 0 ? vp9_key(320, 240) : Bytes{0x86, 0x01, 0x02, 0x03, 0x04, 0x05};
    const size_t half = body.size() / 2;
    Bytes a(body.begin(), body.begin() + half), b(body.begin() + half, body.end());
    const uint16_t pid = static_cast<uint16_t>(i);
    fs.push_back({{ts, false, cat(vp9_desc(pid, i > 0, true, false), a)},
                  {ts, true, cat(vp9_desc(pid, i > 0, false, true), b)}});
  }
  return fs;
}

Frames opus_stream(int n) {
  Frames fs;
  for (int i = 0; i < n; i++) {
    Bytes p = {0xF8};  // TOC: config 31 (CELT FB 20 ms), mono, one frame (RFC 6716 §3.1)
    for (int k = 0; k < 40; k++) p.push_back(static_cast<uint8_t>(i * 7 + k));
    fs.push_back({{static_cast<uint32_t>(960 * i), true, p}});
  }
  return fs;
}

// ---- running a Recorder -------------------------------------------------------------------

struct Result {
  Bytes file;
  RtpInputStats in;
  DepacketizerStats dp;
};

// `pad_inside`: a padding packet after the first packet of every frame; `pad_between`: three
// after every frame. `lose`: indexes (in the final packet order) that never arrive.
Result record(Codec codec, const Frames& frames, bool pad_inside, bool pad_between,
              std::vector<size_t> lose = {}) {
  std::vector<Pkt> seq;
  for (const auto& f : frames) {
    for (size_t k = 0; k < f.size(); k++) {
      seq.push_back(f[k]);
      if (pad_inside && k == 0 && f.size() > 1) seq.push_back({f[k].ts, false, {}});
    }
    if (pad_between)
      for (int p = 0; p < 3; p++) seq.push_back({f.back().ts, false, {}});
  }
  RecorderOptions o;
  o.codec = codec;
  o.channels = 1;
  o.input.clock_rate = codec == Codec::kOpus ? 48000 : 90000;
  o.mux.seekable = true;
  Recorder rec(o);
  EXPECT_TRUE(rec.ok());
  te_test::Wire wire;
  const double tick_us = 1e6 / o.input.clock_rate;
  for (size_t i = 0; i < seq.size(); i++) {
    if (std::find(lose.begin(), lose.end(), i) != lose.end()) continue;
    const Pkt& p = seq[i];
    const uint16_t sn = static_cast<uint16_t>(65000 + i);  // wraps on the way
    auto w = p.payload.empty() ? wire.padding(sn, p.ts) : wire.make(sn, p.ts, p.marker, p.payload);
    rec.push(w.id, w.bytes, static_cast<int64_t>((p.ts - seq[0].ts) * tick_us) + 1000000);
  }
  rec.finish();
  Result r;
  OutputChunk c;
  while (rec.pop(c)) {
    Bytes chunk(c.data.size());
    c.data.copy_out(chunk.data(), chunk.size());
    if (r.file.size() < c.offset + chunk.size()) r.file.resize(c.offset + chunk.size());
    std::copy(chunk.begin(), chunk.end(), r.file.begin() + static_cast<long>(c.offset));
    c = OutputChunk();
  }
  r.in = rec.input_stats();
  r.dp = rec.depacketizer_stats();
  return r;
}

struct CodecCase {
  Codec codec;
  Frames (*stream)(int);
};

class PaddingEveryCodec : public ::testing::TestWithParam<CodecCase> {};

TEST_P(PaddingEveryCodec, OutputIsIdenticalToTheStreamWithoutPadding) {
  const CodecCase cc = GetParam();
  const Frames frames = cc.stream(30);
  const Result plain = record(cc.codec, frames, false, false);
  ASSERT_EQ(plain.dp.frames, 30u) << codec_name(cc.codec);
  ASSERT_GT(plain.file.size(), 0u);
  for (int mode = 1; mode <= 3; mode++) {
    const Result padded = record(cc.codec, frames, mode & 1, mode & 2);
    EXPECT_EQ(padded.dp.frames, 30u) << codec_name(cc.codec) << " mode " << mode;
    EXPECT_EQ(padded.dp.frames_dropped, 0u);
    EXPECT_EQ(padded.dp.malformed, 0u);
    EXPECT_EQ(padded.in.malformed, 0u);
    if ((mode & 2) || frames[0].size() > 1) {
      EXPECT_GT(padded.in.padding, 0u);
    }
    EXPECT_EQ(padded.in.timestamp_outliers, 0u);
    EXPECT_TRUE(padded.file == plain.file) << codec_name(cc.codec) << " mode " << mode;
  }
}

TEST_P(PaddingEveryCodec, LossBeforeAPaddingPacketStillBreaksItsFrame) {
  const CodecCase cc = GetParam();
  const Frames frames = cc.stream(30);
  const bool multi = frames[10].size() > 1;
  size_t before_10 = 0;  // packets before frame 10
  for (int i = 0; i < 10; i++) before_10 += frames[i].size();
  // (a) Frame 10's last packet is lost; three padding packets follow every frame.
  {
    const size_t last = before_10 + frames[10].size() - 1;
    const Result plain = record(cc.codec, frames, false, false, {last});
    const Result padded = record(cc.codec, frames, false, true, {last + 3 * 10});
    if (multi) {
      EXPECT_LT(plain.dp.frames, 30u) << codec_name(cc.codec) << ": the loss must cost a frame";
    }
    EXPECT_GT(padded.in.padding, 0u);
    EXPECT_EQ(padded.dp.frames, plain.dp.frames) << codec_name(cc.codec);
    EXPECT_EQ(padded.dp.frames_dropped, plain.dp.frames_dropped);
    EXPECT_TRUE(padded.file == plain.file) << codec_name(cc.codec);
  }
  // (b) Frame 10's first packet is lost; a padding packet sits between it and the second one.
  if (multi) {
    size_t first_padded = 0;
    for (int i = 0; i < 10; i++) first_padded += frames[i].size() + 1;
    const Result plain = record(cc.codec, frames, false, false, {before_10});
    const Result padded = record(cc.codec, frames, true, false, {first_padded});
    EXPECT_LT(plain.dp.frames, 30u) << codec_name(cc.codec) << ": the loss must cost a frame";
    EXPECT_EQ(padded.dp.frames, plain.dp.frames) << codec_name(cc.codec);
    EXPECT_EQ(padded.dp.frames_dropped, plain.dp.frames_dropped);
    EXPECT_TRUE(padded.file == plain.file) << codec_name(cc.codec);
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, PaddingEveryCodec,
                         ::testing::Values(CodecCase{Codec::kH264, h264_stream}, CodecCase{Codec::kVP8, vp8_stream},
                                           CodecCase{Codec::kVP9, vp9_stream},
                                           CodecCase{Codec::kOpus, opus_stream}),
                         [](const ::testing::TestParamInfo<CodecCase>& i) {
                           return std::string(codec_name(i.param.codec));
                         });

}  // namespace
}  // namespace te
