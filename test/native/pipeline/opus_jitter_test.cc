// RTP → Ogg and RTP → PCM with a few ticks of timestamp jitter on the 20 ms grid, as
// livekit-server 1.13.5 forwards around a mute (steps of 961, 965, 974, 1921 …): the output is
// the output of the same packets stamped exactly — no concealment of real packets, Ogg granule
// positions exact (RFC 7845 §4) — while a real gap (whole frames left out) is still concealed.
#include <algorithm>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "core/pipeline/pcm_pipeline.h"
#include "core/pipeline/recorder.h"
#include "rtp_wire.h"

namespace te {
namespace {

constexpr int kPackets = 60;

std::vector<uint8_t> opus_packet(int i) {
  std::vector<uint8_t> p = {0xF8};  // TOC: CELT FB 20 ms, mono, one frame (RFC 6716 §3.1)
  for (int k = 0; k < 40; k++) p.push_back(static_cast<uint8_t>(i * 13 + k));
  return p;
}

// RTP timestamps of kPackets packets: `steps[i]` between packet i and i + 1 (960 past its end).
std::vector<uint32_t> stamps(const std::vector<int64_t>& steps) {
  std::vector<uint32_t> ts;
  int64_t t = 4294967296LL - 20 * 960;  // wraps on the way
  for (int i = 0; i < kPackets; i++) {
    ts.push_back(static_cast<uint32_t>(t));
    t += i < static_cast<int>(steps.size()) ? steps[static_cast<size_t>(i)] : 960;
  }
  return ts;
}

// Exact steps, with packet 30's 20 ms left out when `gap` (a mute's DTX, a lost packet).
std::vector<int64_t> exact(bool gap) {
  std::vector<int64_t> s(kPackets, 960);
  if (gap) s[29] = 1920;
  return s;
}

// livekit-server's steps after a mute, repeated; 1921 where `gap`.
std::vector<int64_t> jittered(bool gap) {
  const int64_t seen[] = {961, 965, 974, 960, 946, 959, 955};
  std::vector<int64_t> s;
  for (int i = 0; i < kPackets; i++) s.push_back(seen[i % 7]);
  if (gap) s[29] = 1921;
  return s;
}

// The kPackets packets stamped `ts`, 20 ms apart on `wire`, into a PcmPipeline or a Recorder.
// The caller keeps `wire` alive while it reads the output: the Recorder's chunks are views of the
// packets (zero copy).
template <class Sink>
void feed(Sink& sink, te_test::Wire& wire, const std::vector<uint32_t>& ts) {
  for (int i = 0; i < kPackets; i++) {
    auto w = wire.make(static_cast<uint16_t>(100 + i), ts[static_cast<size_t>(i)], false, opus_packet(i));
    sink.push(w.id, w.bytes, int64_t{i} * 20000);
  }
  sink.finish();
}

struct Pcm {
  std::vector<int16_t> samples;
  DepacketizerStats dp;
  OpusPcmDecoderStats dec;
};

Pcm decode(const std::vector<uint32_t>& ts) {
  PcmPipelineOptions o;
  o.in_channels = 1;
  o.decoder.sample_rate = 48000;
  o.decoder.channels = 1;
  o.input.clock_rate = 48000;
  PcmPipeline pipe(o);
  te_test::Wire wire;
  feed(pipe, wire, ts);
  Pcm r;
  std::vector<int16_t> pcm;
  for (pipe.read(pcm); !pcm.empty(); pipe.read(pcm)) r.samples.insert(r.samples.end(), pcm.begin(), pcm.end());
  r.dp = pipe.depacketizer_stats();
  r.dec = pipe.decoder_stats();
  return r;
}

struct Ogg {
  std::vector<uint8_t> file;
  DepacketizerStats dp;
  int64_t duration = 0;
};

Ogg record(const std::vector<uint32_t>& ts) {
  RecorderOptions o;
  o.codec = Codec::kOpus;
  o.channels = 1;
  o.input.clock_rate = 48000;
  Recorder rec(o);
  EXPECT_TRUE(rec.ok());
  te_test::Wire wire;
  feed(rec, wire, ts);
  Ogg r;
  OutputChunk c;
  while (rec.pop(c)) {
    std::vector<uint8_t> chunk(c.data.size());
    c.data.copy_out(chunk.data(), chunk.size());
    if (r.file.size() < c.offset + chunk.size()) r.file.resize(c.offset + chunk.size());
    std::copy(chunk.begin(), chunk.end(), r.file.begin() + static_cast<long>(c.offset));
    c = OutputChunk();
  }
  r.dp = rec.depacketizer_stats();
  r.duration = rec.muxer_stats().duration;
  return r;
}

class OpusJitter : public ::testing::TestWithParam<bool> {};

TEST_P(OpusJitter, PcmIsTheDecodeOfTheExactlyStampedStream) {
  const bool gap = GetParam();
  const Pcm want = decode(stamps(exact(gap)));
  const Pcm got = decode(stamps(jittered(gap)));
  EXPECT_EQ(got.dp.timing_invalid, 0u);
  EXPECT_GE(got.dp.timing_snapped, uint64_t{kPackets} * 6 / 7 - 1);
  EXPECT_EQ(want.dp.timing_snapped, 0u);
  EXPECT_EQ(got.dec.frames_decoded, uint64_t{kPackets});
  // Nothing real is concealed; the 20 ms really left out is.
  EXPECT_EQ(got.dec.samples_concealed, gap ? 960u : 0u);
  EXPECT_EQ(got.samples.size(), (kPackets + (gap ? 1u : 0u)) * 960u);
  EXPECT_TRUE(got.samples == want.samples);
}

TEST_P(OpusJitter, OggIsTheFileOfTheExactlyStampedStream) {
  const bool gap = GetParam();
  const Ogg want = record(stamps(exact(gap)));
  const Ogg got = record(stamps(jittered(gap)));
  EXPECT_EQ(got.dp.timing_invalid, 0u);
  EXPECT_EQ(got.dp.frames, uint64_t{kPackets});
  // Granule positions count the packets' samples plus the 2.5 ms-unit filler of the gap.
  EXPECT_EQ(got.duration, (kPackets + (gap ? 1 : 0)) * 960);
  EXPECT_FALSE(got.file.empty());
  EXPECT_TRUE(got.file == want.file);
}

INSTANTIATE_TEST_SUITE_P(Gap, OpusJitter, ::testing::Bool());

}  // namespace
}  // namespace te
