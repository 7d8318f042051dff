// PcmPipeline: bounded PCM reads, and RTP time checked against arrival on the Opus path.
#include <algorithm>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "core/pipeline/pcm_pipeline.h"
#include "rtp_wire.h"

namespace te {
namespace {

std::vector<uint8_t> opus_packet(int i) {
  std::vector<uint8_t> p = {0xF8};  // TOC: CELT FB 20 ms, mono, one frame (RFC 6716 §3.1)
  for (int k = 0; k < 40; k++) p.push_back(static_cast<uint8_t>(i * 13 + k));
  return p;
}

struct ReadTotals {
  uint64_t values = 0;
  size_t largest = 0;
  size_t reads = 0;
};

ReadTotals read_all(PcmPipeline& pipe) {
  ReadTotals t;
  std::vector<int16_t> pcm;
  for (;;) {
    pipe.read(pcm);
    if (pcm.empty()) return t;
    t.values += pcm.size();
    t.largest = std::max(t.largest, pcm.size());
    t.reads++;
  }
}

PcmPipelineOptions options() {
  PcmPipelineOptions o;
  o.in_channels = 1;
  o.decoder.sample_rate = 48000;
  o.decoder.channels = 2;
  o.input.clock_rate = 48000;
  return o;
}

TEST(PcmPipeline, ReadHandsOutAtMostOneSecondPerCall) {
  // One hour of genuine silence between two talk spurts (the arrival clock agrees): the gap is
  // queued compactly and read back one second at a time, never as one hour-long buffer.
  PcmPipeline pipe(options());
  te_test::Wire wire;
  uint16_t seq = 0;
  for (int i = 0; i < 50; i++) {
    auto w = wire.make(seq++, static_cast<uint32_t>(960 * i), false, opus_packet(i));
    pipe.push(w.id, w.bytes, i * 20000);
  }
  const int64_t gap = int64_t{3600} * 48000;
  for (int i = 50; i < 100; i++) {
    auto w = wire.make(seq++, static_cast<uint32_t>(960 * i + gap), false, opus_packet(i));
    pipe.push(w.id, w.bytes, i * 20000 + int64_t{3600} * 1000000);
  }
  pipe.finish();
  const ReadTotals t = read_all(pipe);
  EXPECT_EQ(pipe.max_read(), 96000u);
  EXPECT_LE(t.largest, pipe.max_read());
  EXPECT_GE(t.reads, 3600u);
  // 2 s of packets + 1 h of gap, stereo, minus the first packet's pre-skip overlap at most.
  const uint64_t expected = (uint64_t{100} * 960 + uint64_t(gap)) * 2;
  EXPECT_LE(t.values, expected);
  EXPECT_GE(t.values, expected - 2 * 960 * 2);
  EXPECT_EQ(pipe.input_stats().timestamp_outliers, 0u);
}

TEST(PcmPipeline, OnePacketStampedPlusOneHourCostsTwentyMillisecondsNotAnHour) {
  // opus-one-packet-plus-1h: 150 packets (3 s), one of them stamped +1 h.
  PcmPipeline pipe(options());
  te_test::Wire wire;
  uint64_t values = 0;
  size_t largest = 0;
  std::vector<int16_t> pcm;
  for (int i = 0; i < 150; i++) {
    const uint32_t ts = 715083055u + 960u * i + (i == 75 ? 3600u * 48000u : 0u);
    auto w = wire.make(static_cast<uint16_t>(3100 + i), ts, false, opus_packet(i));
    pipe.push(w.id, w.bytes, i * 20000);
    for (pipe.read(pcm); !pcm.empty(); pipe.read(pcm)) {
      values += pcm.size();
      largest = std::max(largest, pcm.size());
    }
  }
  pipe.finish();
  const ReadTotals rest = read_all(pipe);
  values += rest.values;
  EXPECT_EQ(pipe.input_stats().timestamp_outliers, 1u);
  EXPECT_LE(values, uint64_t{150} * 960 * 2);  // 3 s of 48 kHz stereo (576 000 bytes) at most
  EXPECT_GE(values, uint64_t{148} * 960 * 2);
  EXPECT_LE(std::max(largest, rest.largest), pipe.max_read());
}

}  // namespace
}  // namespace te
