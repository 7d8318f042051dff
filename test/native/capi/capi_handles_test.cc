// The C ABI (native/include/te/te.h) called directly, as the bindings call it: null handles,
// calls after finish, lifetime of output views, buffers smaller than the data, bad options.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "capi_test_util.h"

namespace {

using te_test::arrival_us;
using te_test::opus_rtp;

bool mentions(const char* text, const char* what) { return std::string(text).find(what) != std::string::npos; }

TEST(CapiHandles, NullRecorderIsAnInvalidArgumentOnEveryCall) {
  uint8_t pkt[12] = {};
  uint32_t count = 7;
  uint16_t seqs[4];
  double stats[4];
  EXPECT_EQ(te_recorder_set_fmtp(nullptr, ""), TE_E_INVALID_ARG);
  EXPECT_EQ(te_recorder_set_option(nullptr, TE_OPT_CRASH_SAFE, 1), TE_E_INVALID_ARG);
  EXPECT_EQ(te_recorder_push(nullptr, 1, pkt, sizeof pkt, 0), TE_E_INVALID_ARG);
  EXPECT_TRUE(mentions(te_last_error(), "null recorder")) << te_last_error();
  EXPECT_EQ(te_recorder_poll(nullptr, 0), TE_E_INVALID_ARG);
  EXPECT_EQ(te_recorder_finish(nullptr), TE_E_INVALID_ARG);
  EXPECT_EQ(te_recorder_collect(nullptr), TE_E_INVALID_ARG);
  EXPECT_EQ(te_recorder_chunks(nullptr), nullptr);
  EXPECT_EQ(te_recorder_runs(nullptr), nullptr);
  EXPECT_EQ(te_recorder_run_count(nullptr), 0u);
  EXPECT_EQ(te_recorder_generated(nullptr), nullptr);
  EXPECT_EQ(te_recorder_generated_size(nullptr), 0u);
  EXPECT_EQ(te_recorder_released(nullptr, &count), nullptr);
  EXPECT_EQ(count, 0u);
  EXPECT_EQ(te_recorder_take_keyframe_request(nullptr), 0);
  EXPECT_EQ(te_recorder_waiting_for_keyframe(nullptr), 0);
  EXPECT_EQ(te_recorder_missing(nullptr, seqs, 4), 0u);
  EXPECT_EQ(te_recorder_stats(nullptr, stats, 4), 0u);
  EXPECT_STREQ(te_recorder_mime_type(nullptr), "");
  te_recorder_free(nullptr);
}

TEST(CapiHandles, NullPcmDecoderIsAnInvalidArgumentOnEveryCall) {
  uint8_t pkt[12] = {};
  uint32_t count = 7;
  uint16_t seqs[4];
  double stats[4];
  EXPECT_EQ(te_pcm_push(nullptr, 1, pkt, sizeof pkt, 0), TE_E_INVALID_ARG);
  EXPECT_TRUE(mentions(te_last_error(), "null PCM decoder")) << te_last_error();
  EXPECT_EQ(te_pcm_poll(nullptr, 0), TE_E_INVALID_ARG);
  EXPECT_EQ(te_pcm_finish(nullptr), TE_E_INVALID_ARG);
  EXPECT_EQ(te_pcm_read(nullptr, &count), nullptr);
  EXPECT_EQ(count, 0u);
  count = 7;
  EXPECT_EQ(te_pcm_released(nullptr, &count), nullptr);
  EXPECT_EQ(count, 0u);
  EXPECT_EQ(te_pcm_missing(nullptr, seqs, 4), 0u);
  EXPECT_EQ(te_pcm_stats(nullptr, stats, 4), 0u);
  te_pcm_free(nullptr);
}

TEST(CapiHandles, NullPacketDataWithASizeIsRejected) {
  te_recorder* h = te_test::new_opus_recorder();
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(te_recorder_push(h, 1, nullptr, 12, 0), TE_E_INVALID_ARG);
  EXPECT_EQ(te_recorder_missing(h, nullptr, 4), 0u);
  EXPECT_EQ(te_recorder_stats(h, nullptr, 4), 0u);
  te_recorder_free(h);
}

TEST(CapiHandles, CallsAfterFinish) {
  te_test::Wire wire;
  te_recorder* h = te_test::new_opus_recorder();
  ASSERT_NE(h, nullptr);
  auto p = opus_rtp(wire, 1);
  ASSERT_EQ(te_test::push(h, p, arrival_us(1)), TE_OK);
  ASSERT_EQ(te_recorder_finish(h), TE_OK);
  EXPECT_EQ(te_recorder_finish(h), TE_OK);  // idempotent
  auto q = opus_rtp(wire, 2);
  EXPECT_EQ(te_test::push(h, q, arrival_us(2)), TE_E_STATE);
  EXPECT_EQ(te_last_status(), TE_E_STATE);
  EXPECT_TRUE(mentions(te_last_error(), "finished")) << te_last_error();
  EXPECT_EQ(te_recorder_set_option(h, TE_OPT_CRASH_SAFE, 1), TE_E_STATE);
  EXPECT_EQ(te_recorder_set_fmtp(h, ""), TE_E_STATE);
  EXPECT_EQ(te_recorder_poll(h, arrival_us(3)), TE_OK);
  EXPECT_GT(te_recorder_collect(h), 0);  // the whole Ogg file, still readable after finish
  EXPECT_EQ(te_recorder_collect(h), 0);
  te_recorder_free(h);

  te_pcm* d = te_test::new_pcm();
  ASSERT_NE(d, nullptr);
  ASSERT_EQ(te_pcm_finish(d), TE_OK);
  EXPECT_EQ(te_test::push(d, q, 0), TE_E_STATE);
  EXPECT_TRUE(mentions(te_last_error(), "finished")) << te_last_error();
  te_pcm_free(d);
}

TEST(CapiHandles, OutputViewsStayValidUntilTheNextCollect) {
  te_test::Wire wire;
  std::vector<te_test::WirePacket> pushed;
  te_recorder* h = te_test::new_opus_recorder();
  ASSERT_NE(h, nullptr);
  for (uint16_t s = 1; s <= 120; s++) {
    pushed.push_back(opus_rtp(wire, s));
    ASSERT_EQ(te_test::push(h, pushed.back(), arrival_us(s)),
              TE_OK);
  }
  ASSERT_EQ(te_recorder_finish(h), TE_OK);
  int32_t n = te_recorder_collect(h);
  ASSERT_GT(n, 0);
  // The bindings read the views with several calls; none of them may move or free a view.
  const double* chunks = te_recorder_chunks(h);
  const uint32_t* runs = te_recorder_runs(h);
  uint32_t run_count = te_recorder_run_count(h);
  const uint8_t* generated = te_recorder_generated(h);
  uint32_t generated_size = te_recorder_generated_size(h);
  std::vector<double> chunks_copy(chunks, chunks + 3 * n);
  std::vector<uint32_t> runs_copy(runs, runs + 3 * run_count);
  std::vector<uint8_t> generated_copy(generated, generated + generated_size);
  uint32_t released_count = 0;
  const uint32_t* released = te_recorder_released(h, &released_count);
  std::vector<uint32_t> released_copy(released, released + released_count);
  double stats[64];
  EXPECT_GT(te_recorder_stats(h, stats, 64), 0u);
  uint16_t seqs[8];
  te_recorder_missing(h, seqs, 8);
  te_recorder_take_keyframe_request(h);
  EXPECT_STREQ(te_recorder_mime_type(h), "audio/ogg");
  EXPECT_EQ(te_recorder_chunks(h), chunks);
  EXPECT_EQ(std::vector<double>(chunks, chunks + 3 * n), chunks_copy);
  EXPECT_EQ(std::vector<uint32_t>(runs, runs + 3 * run_count), runs_copy);
  EXPECT_EQ(std::vector<uint8_t>(generated, generated + generated_size), generated_copy);
  EXPECT_EQ(std::vector<uint32_t>(released, released + released_count), released_copy);
  // Runs name pushed packets (in range) or the generated buffer (in range).
  uint64_t payload_runs = 0;
  for (uint32_t r = 0; r < run_count; r++) {
    uint32_t id = runs[3 * r], off = runs[3 * r + 1], size = runs[3 * r + 2];
    if (id == TE_RUN_GENERATED) {
      EXPECT_LE(uint64_t(off) + size, generated_size);
    } else {
      ASSERT_GE(id, 1u);
      ASSERT_LE(id, pushed.size());
      EXPECT_LE(uint64_t(off) + size, pushed[id - 1].bytes.size);
      payload_runs++;
    }
  }
  EXPECT_EQ(payload_runs, 120u);  // every Opus frame, by reference
  EXPECT_EQ(released_count, 120u);
  te_recorder_free(h);
}

TEST(CapiHandles, PcmReadViewStaysValidAcrossOtherCalls) {
  te_test::Wire wire;
  te_pcm* d = te_test::new_pcm();
  ASSERT_NE(d, nullptr);
  for (uint16_t s = 1; s <= 10; s++) {
    auto p = opus_rtp(wire, s);
    ASSERT_EQ(te_test::push(d, p, arrival_us(s)), TE_OK);
  }
  ASSERT_EQ(te_pcm_finish(d), TE_OK);
  uint32_t count = 0;
  const int16_t* pcm = te_pcm_read(d, &count);
  ASSERT_EQ(count, 10u * 960 * 2);  // 10 frames of 20 ms, 48 kHz stereo
  std::vector<int16_t> copy(pcm, pcm + count);
  uint32_t released = 0;
  te_pcm_released(d, &released);
  EXPECT_EQ(released, 10u);
  double stats[64];
  te_pcm_stats(d, stats, 64);
  EXPECT_EQ(std::vector<int16_t>(pcm, pcm + count), copy);
  EXPECT_NE(te_pcm_read(d, &count), nullptr);
  EXPECT_EQ(count, 0u);
  te_pcm_free(d);
}

TEST(CapiHandles, TooSmallBuffersAreFilledUpToTheirSize) {
  te_test::Wire wire;
  te_recorder* h = te_test::new_opus_recorder();
  ASSERT_NE(h, nullptr);
  auto a = opus_rtp(wire, 1);
  auto b = opus_rtp(wire, 10);  // 2..9 missing and waited for
  ASSERT_EQ(te_test::push(h, a, arrival_us(1)), TE_OK);
  ASSERT_EQ(te_test::push(h, b, arrival_us(1)), TE_OK);
  uint16_t seqs[9];
  std::fill(seqs, seqs + 9, 0xBEEF);
  EXPECT_EQ(te_recorder_missing(h, seqs, 3), 3u);
  EXPECT_EQ(seqs[0], 2);
  EXPECT_EQ(seqs[3], 0xBEEF);
  EXPECT_EQ(te_recorder_missing(h, seqs, 0), 0u);
  EXPECT_EQ(te_recorder_missing(h, seqs, 9), 8u);
  EXPECT_EQ(seqs[8], 0xBEEF);

  double stats[5] = {-1, -1, -1, -1, -1};
  EXPECT_EQ(te_recorder_stats(h, stats, 2), 2u);
  EXPECT_EQ(stats[0], 2);  // datagrams
  EXPECT_EQ(stats[2], -1);
  EXPECT_EQ(te_recorder_stats(h, stats, 0), 0u);
  te_recorder_free(h);

  te_pcm* d = te_test::new_pcm();
  ASSERT_NE(d, nullptr);
  std::fill(stats, stats + 5, -1);
  EXPECT_EQ(te_pcm_stats(d, stats, 1), 1u);
  EXPECT_EQ(stats[1], -1);
  te_pcm_free(d);
}

TEST(CapiHandles, BadOptionsNameTheOption) {
  te_recorder* h = te_test::new_opus_recorder();
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(te_recorder_set_option(h, 999, 1), TE_E_INVALID_ARG);
  EXPECT_TRUE(mentions(te_last_error(), "999")) << te_last_error();
  EXPECT_EQ(te_recorder_set_option(h, TE_OPT_CRASH_SAFE, 2), TE_E_INVALID_ARG);
  EXPECT_TRUE(mentions(te_last_error(), "crash-safe")) << te_last_error();
  EXPECT_EQ(te_recorder_set_option(h, TE_OPT_CRASH_SAFE, 1), TE_OK);
  EXPECT_EQ(te_last_status(), TE_OK);
  te_recorder_free(h);
  EXPECT_EQ(te_recorder_new(99), nullptr);
  EXPECT_EQ(te_last_status(), TE_E_UNSUPPORTED);
  EXPECT_TRUE(mentions(te_last_error(), "codec")) << te_last_error();
}

TEST(CapiOptions, EveryOutOfRangeValueNamesItsOption) {
  struct Case { int32_t option; double bad; const char* name; };
  const Case recorder_cases[] = {
      {TE_OPT_CLOCK_RATE, 0, "TE_OPT_CLOCK_RATE"},           {TE_OPT_CHANNELS, 3, "TE_OPT_CHANNELS"},
      {TE_OPT_SEEKABLE, 0.5, "TE_OPT_SEEKABLE"},             {TE_OPT_FRAGMENT_MS, 0, "TE_OPT_FRAGMENT_MS"},
      {TE_OPT_REORDER_WAIT_MS, -1, "TE_OPT_REORDER_WAIT_MS"}, {TE_OPT_REORDER_CAPACITY, 1, "TE_OPT_REORDER_CAPACITY"},
      {TE_OPT_SSRC, 4294967296.0, "TE_OPT_SSRC"},             {TE_OPT_PAYLOAD_TYPE, 128, "TE_OPT_PAYLOAD_TYPE"},
      {TE_OPT_CRASH_SAFE, 2, "TE_OPT_CRASH_SAFE"}};
  te_recorder* h = te_recorder_new(TE_CODEC_VP8);
  ASSERT_NE(h, nullptr);
  for (const Case& c : recorder_cases) {
    EXPECT_EQ(te_recorder_set_option(h, c.option, c.bad), TE_E_INVALID_ARG) << c.name;
    EXPECT_TRUE(mentions(te_last_error(), c.name)) << te_last_error();
  }
  EXPECT_EQ(te_recorder_set_option(h, TE_OPT_CLOCK_RATE, std::nan("")), TE_E_INVALID_ARG);
  EXPECT_EQ(te_recorder_set_option(h, TE_OPT_OUTPUT_RATE, 48000), TE_E_INVALID_ARG);  // PCM only
  EXPECT_TRUE(mentions(te_last_error(), "unknown recorder option")) << te_last_error();
  te_recorder_free(h);

  te_pcm* d = te_pcm_new();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(te_pcm_set_option(d, TE_OPT_OUTPUT_RATE, 44100), TE_E_INVALID_ARG);
  EXPECT_TRUE(mentions(te_last_error(), "TE_OPT_OUTPUT_RATE")) << te_last_error();
  EXPECT_EQ(te_pcm_set_option(d, TE_OPT_OUTPUT_CHANNELS, 0), TE_E_INVALID_ARG);
  EXPECT_TRUE(mentions(te_last_error(), "TE_OPT_OUTPUT_CHANNELS")) << te_last_error();
  EXPECT_EQ(te_pcm_set_option(d, TE_OPT_CLOCK_RATE, 48000), TE_E_INVALID_ARG);  // always 48 kHz
  EXPECT_EQ(te_pcm_set_option(d, TE_OPT_OUTPUT_RATE, 16000), TE_OK);
  te_pcm_free(d);
}

TEST(CapiOptions, OptionsApplyAndFreezeAtTheFirstPush) {
  te_test::Wire wire;
  te_recorder* h = te_test::new_opus_recorder();
  ASSERT_NE(h, nullptr);
  EXPECT_STREQ(te_recorder_mime_type(h), "audio/ogg");  // reading does not freeze the options
  ASSERT_EQ(te_recorder_set_option(h, TE_OPT_SSRC, 0x55667788), TE_OK);
  ASSERT_EQ(te_recorder_set_option(h, TE_OPT_PAYLOAD_TYPE, 111), TE_OK);
  auto p = opus_rtp(wire, 1);  // SSRC 0x11223344: filtered out
  ASSERT_EQ(te_test::push(h, p, arrival_us(1)), TE_OK);
  EXPECT_EQ(te_recorder_set_option(h, TE_OPT_SSRC, -1), TE_E_STATE);
  EXPECT_TRUE(mentions(te_last_error(), "before the first push")) << te_last_error();
  double stats[TE_MAX_STATS];
  ASSERT_GT(te_recorder_stats(h, stats, TE_MAX_STATS), 4u);
  EXPECT_EQ(stats[4], 1);  // filtered
  te_recorder_free(h);

  te_pcm* d = te_test::new_pcm();
  ASSERT_NE(d, nullptr);
  ASSERT_EQ(te_pcm_set_option(d, TE_OPT_OUTPUT_RATE, 16000), TE_OK);
  ASSERT_EQ(te_pcm_set_option(d, TE_OPT_OUTPUT_CHANNELS, 1), TE_OK);
  for (uint16_t s = 1; s <= 3; s++) {
    auto q = opus_rtp(wire, s);
    ASSERT_EQ(te_test::push(d, q, arrival_us(s)), TE_OK);
  }
  EXPECT_EQ(te_pcm_set_option(d, TE_OPT_OUTPUT_RATE, 48000), TE_E_STATE);
  ASSERT_EQ(te_pcm_finish(d), TE_OK);
  uint32_t count = 0;
  te_pcm_read(d, &count);
  EXPECT_EQ(count, 3u * 320);  // 3 × 20 ms at 16 kHz mono
  te_pcm_free(d);
}

TEST(CapiStats, NamesComeFromTheListsInOrder) {
  EXPECT_EQ(std::string(te_recorder_stat_names()).rfind("datagrams,bytes,", 0), 0u);
  EXPECT_TRUE(mentions(te_recorder_stat_names(), ",timingInvalid,parameterSetsMissing"));
  EXPECT_NE(te_recorder_stat_names()[std::string(te_recorder_stat_names()).size() - 1], ',');
  EXPECT_TRUE(mentions(te_pcm_stat_names(), ",restarts,payloadMalformed,framesDecoded,"));
  te_recorder* h = te_test::new_opus_recorder();
  double stats[TE_MAX_STATS];
  size_t commas = 0;
  for (const char* c = te_recorder_stat_names(); *c; c++) commas += *c == ',';
  EXPECT_EQ(te_recorder_stats(h, stats, TE_MAX_STATS), commas + 1);
  te_recorder_free(h);
}

}  // namespace
