// te_recorder_set_fmtp through the C ABI: status codes, te_last_error messages, call order.
#include <gtest/gtest.h>

#include <string>

#include "te/te.h"

namespace {

te_recorder* new_recorder(int32_t codec) {
  return te_recorder_new(codec);  // every option at its default
}

TEST(H264CapiFmtp, AcceptsTheFieldSdpParameters) {
  te_recorder* h = new_recorder(TE_CODEC_H264);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(te_recorder_set_fmtp(h, "packetization-mode=1;profile-level-id=42c01e;sprop-parameter-sets="
                                    "Z0LAHtoCgL/lwFqDAwNSgAAAAwCAAAAeR4sXUA==,aM48gA=="),
            TE_OK);
  EXPECT_EQ(te_recorder_set_fmtp(h, ""), TE_OK);  // may be replaced until the first push
  te_recorder_free(h);
}

TEST(H264CapiFmtp, MalformedSpropIsInvalidArgumentWithAMessage) {
  te_recorder* h = new_recorder(TE_CODEC_H264);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(te_recorder_set_fmtp(h, "packetization-mode=1;sprop-parameter-sets=Z0LA!!,aM48gA=="),
            TE_E_INVALID_ARG);
  EXPECT_EQ(te_last_status(), TE_E_INVALID_ARG);
  std::string msg = te_last_error();
  EXPECT_NE(msg.find("sprop-parameter-sets item 1 is not valid base64"), std::string::npos) << msg;
  EXPECT_EQ(te_recorder_set_fmtp(h, "packetization-mode=2"), TE_E_UNSUPPORTED);
  EXPECT_EQ(te_recorder_set_fmtp(h, nullptr), TE_E_INVALID_ARG);
  EXPECT_EQ(te_recorder_set_fmtp(nullptr, ""), TE_E_INVALID_ARG);
  EXPECT_EQ(te_recorder_set_fmtp(h, "unknown-key=whatever;another"), TE_OK);
  te_recorder_free(h);
}

TEST(H264CapiFmtp, OtherCodecsIgnoreIt) {
  te_recorder* h = new_recorder(TE_CODEC_OPUS);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(te_recorder_set_fmtp(h, "minptime=10;useinbandfec=1;sprop-parameter-sets=!!"), TE_OK);
  te_recorder_free(h);
}

TEST(H264CapiFmtp, AfterTheFirstPushIsAStateError) {
  te_recorder* h = new_recorder(TE_CODEC_H264);
  ASSERT_NE(h, nullptr);
  uint8_t pkt[13] = {0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x09};
  ASSERT_EQ(te_recorder_push(h, 1, pkt, sizeof pkt, 0), TE_OK);
  EXPECT_EQ(te_recorder_set_fmtp(h, "packetization-mode=1"), TE_E_STATE);
  EXPECT_NE(std::string(te_last_error()).find("before the first packet"), std::string::npos);
  te_recorder_finish(h);
  te_recorder_free(h);
}

TEST(H264CapiFmtp, ParameterSetsMissingIsTheLastStat) {
  std::string names = te_recorder_stat_names();
  EXPECT_NE(names.find(",parameterSetsMissing"), std::string::npos);
  te_recorder* h = new_recorder(TE_CODEC_H264);
  ASSERT_NE(h, nullptr);
  // Two IDR slices (NAL type 5, first_mb 0, slice_type 7, pps 0) and no SPS/PPS anywhere.
  uint8_t idr1[16] = {0x80, 0xE0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x65, 0x88, 0x84, 0x00};
  uint8_t idr2[16] = {0x80, 0xE0, 0, 2, 0, 0, 0x0B, 0xB8, 0, 0, 0, 1, 0x65, 0x88, 0x84, 0x00};
  ASSERT_EQ(te_recorder_push(h, 1, idr1, sizeof idr1, 0), TE_OK);
  ASSERT_EQ(te_recorder_push(h, 2, idr2, sizeof idr2, 33000), TE_OK);
  te_recorder_finish(h);
  double v[64];
  uint32_t n = te_recorder_stats(h, v, 64);
  size_t commas = 0;
  for (char c : names) commas += c == ',';
  ASSERT_EQ(n, commas + 1);
  size_t idx = 0;
  for (size_t i = 0, pos = 0; i < n; i++) {
    size_t next = names.find(',', pos);
    if (names.substr(pos, next - pos) == "parameterSetsMissing") idx = i;
    pos = next + 1;
  }
  EXPECT_EQ(v[idx], 2.0);
  te_recorder_free(h);
}

}  // namespace
