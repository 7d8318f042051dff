// Out-of-band H.264 parameter sets (RFC 6184 §8.1 sprop-parameter-sets): fmtp parsing, base64,
// the depacketizer using them for the first IDR / avcC / in-band insertion, and in-band sets
// winning over them later.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/depack/avc_config.h"
#include "core/depack/h264_depacketizer.h"
#include "core/depack/h264_fmtp.h"
#include "h264_feed.h"

using namespace te;
using namespace te_test;

namespace {

constexpr uint32_t kI = 7, kP = 5;

// base64 of kHighSps / kHighPps / kBaselineSps / kBaselinePps, written by Python's
// base64.b64encode (an independent encoder).
const char* kHighSprop = "Z2QADazZQUH7ARAAAAMAEAAAAwPA8UKZYA==,aOvjyyLA";
const char* kBaselineSprop = "Z0LADdkBUIeIiMBEAAADAAQAAAMA8DxQqSA=,aMuDyyA=";

struct Harness : H264Feed {
  void use_sprop(const char* sprop) {
    H264Fmtp fmtp;
    std::string err;
    ASSERT_EQ(parse_h264_fmtp(std::string("packetization-mode=1;sprop-parameter-sets=") + sprop, fmtp, err),
              FmtpResult::kOk)
        << err;
    ASSERT_TRUE(d.set_out_of_band_parameter_sets(fmtp.parameter_sets));
  }
};

TEST(H264Base64, Rfc4648TestVectors) {
  // RFC 4648 §10.
  const std::pair<const char*, const char*> v[] = {{"", ""},         {"Zg==", "f"},     {"Zm8=", "fo"},
                                                   {"Zm9v", "foo"},  {"Zm9vYg==", "foob"},
                                                   {"Zm9vYmE=", "fooba"}, {"Zm9vYmFy", "foobar"}};
  for (const auto& [in, want] : v) {
    std::vector<uint8_t> out;
    ASSERT_TRUE(decode_base64(in, out)) << in;
    EXPECT_EQ(std::string(out.begin(), out.end()), want) << in;
  }
  std::vector<uint8_t> out;
  EXPECT_TRUE(decode_base64("Zm8", out));  // padding omitted
  EXPECT_EQ(std::string(out.begin(), out.end()), "fo");
  EXPECT_FALSE(decode_base64("Zm9v!", out));
  EXPECT_FALSE(decode_base64("Z", out));      // 6 bits cannot make a byte
  EXPECT_FALSE(decode_base64("Zm9=", out));   // non-zero bits after the last byte
  EXPECT_FALSE(decode_base64("Zm=", out));    // padded but not a whole quantum
  EXPECT_FALSE(decode_base64("Zg=a", out));   // padding in the middle
}

TEST(H264Fmtp, ParsesTheFieldSdp) {
  // /work/shared/field-cases/sprop-only.sdp (x264 Constrained Baseline 3.0); bytes from Python.
  H264Fmtp f;
  std::string err;
  ASSERT_EQ(parse_h264_fmtp("packetization-mode=1;profile-level-id=42c01e;sprop-parameter-sets="
                            "Z0LAHtoCgL/lwFqDAwNSgAAAAwCAAAAeR4sXUA==,aM48gA==",
                            f, err),
            FmtpResult::kOk)
      << err;
  EXPECT_EQ(f.packetization_mode, 1u);
  EXPECT_EQ(f.profile_level_id, 0x42c01eu);
  ASSERT_EQ(f.parameter_sets.size(), 2u);
  const std::vector<uint8_t> sps = {0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80, 0xbf, 0xe5, 0xc0,
                                    0x5a, 0x83, 0x03, 0x03, 0x52, 0x80, 0x00, 0x00, 0x03, 0x00,
                                    0x80, 0x00, 0x00, 0x1e, 0x47, 0x8b, 0x17, 0x50};
  EXPECT_EQ(f.parameter_sets[0], sps);
  EXPECT_EQ(f.parameter_sets[1], (std::vector<uint8_t>{0x68, 0xce, 0x3c, 0x80}));
}

TEST(H264Fmtp, ToleratesSpacingCaseAndUnknownKeys) {
  H264Fmtp f;
  std::string err;
  std::string text = std::string(" Level-Asymmetry-Allowed=1 ; PACKETIZATION-MODE = 0;x-foo;;") +
                     "sprop-parameter-sets=" + kHighSprop + ";max-mbps=108000";
  ASSERT_EQ(parse_h264_fmtp(text, f, err), FmtpResult::kOk) << err;
  EXPECT_EQ(f.packetization_mode, 0u);
  ASSERT_EQ(f.parameter_sets.size(), 2u);
  EXPECT_EQ(f.parameter_sets[0], kHighSps);
  EXPECT_EQ(f.parameter_sets[1], kHighPps);
  EXPECT_EQ(parse_h264_fmtp("", f, err), FmtpResult::kOk);
  EXPECT_TRUE(f.parameter_sets.empty());
}

TEST(H264Fmtp, MalformedValuesAreErrorsThatNameTheParameter) {
  struct Case {
    const char* fmtp;
    FmtpResult result;
    const char* message;
  } cases[] = {
      {"sprop-parameter-sets=Z2QADaz!,aOvjyyLA", FmtpResult::kInvalid, "item 1 is not valid base64"},
      {"sprop-parameter-sets=Z2QADazZQUH7ARAAAAMAEAAAAwPA8UKZYA==,", FmtpResult::kInvalid, "item 2 is empty"},
      {"sprop-parameter-sets=", FmtpResult::kInvalid, "item 1 is empty"},
      {"sprop-parameter-sets=BgUBqoA=", FmtpResult::kInvalid, "not an SPS or PPS NAL unit (NAL type 6)"},
      {"sprop-parameter-sets=Zw==,aOvjyyLA", FmtpResult::kInvalid, "item 1 is a malformed SPS"},
      {"sprop-parameter-sets=Z2QADazZQUH7ARAAAAMAEAAAAwPA8UKZYA==,aA==", FmtpResult::kInvalid,
       "item 2 is a malformed PPS"},
      {"sprop-parameter-sets=52QADazZQUH7ARAAAAMAEAAAAwPA8UKZYA==", FmtpResult::kInvalid, "NAL type 7"},
      {"packetization-mode=3", FmtpResult::kInvalid, "packetization-mode must be 0, 1 or 2"},
      {"packetization-mode=", FmtpResult::kInvalid, "packetization-mode"},
      {"packetization-mode=2", FmtpResult::kUnsupported, "interleaved"},
      {"profile-level-id=42e0", FmtpResult::kInvalid, "profile-level-id must be 6 hexadecimal digits"},
      {"profile-level-id=42e0zz", FmtpResult::kInvalid, "profile-level-id"},
  };
  for (const Case& c : cases) {
    H264Fmtp f;
    std::string err;
    EXPECT_EQ(parse_h264_fmtp(c.fmtp, f, err), c.result) << c.fmtp;
    EXPECT_NE(err.find(c.message), std::string::npos) << c.fmtp << " → " << err;
  }
}

TEST(H264OutOfBand, SpropOnlyMakesTheFirstIdrDecodable) {
  Harness h;
  h.use_sprop(kHighSprop);
  auto idr = make_slice(5, 3, 0, kI);
  auto p1 = make_slice(1, 2, 1, kP);
  h.send(3000, true, idr);  // no SPS/PPS in the stream at all
  h.send(6000, true, p1);
  auto fr = h.frames();
  ASSERT_EQ(fr.size(), 2u);
  EXPECT_TRUE(fr[0].keyframe);
  ASSERT_TRUE(fr[0].config);
  EXPECT_EQ(fr[0].config->private_data, build_avc_config({kHighSps}, {kHighPps}));
  EXPECT_EQ(fr[0].config->width, 320);
  EXPECT_EQ(fr[0].config->height, 240);
  // Written in-band before the first IDR, which had none of its own.
  EXPECT_EQ(flatten(fr[0].data), sample({kHighSps, kHighPps, idr}));
  EXPECT_EQ(flatten(fr[1].data), sample({p1}));
  EXPECT_EQ(h.d.h264_stats().parameter_sets_missing, 0u);
  EXPECT_EQ(h.d.stats().frames_dropped, 0u);
}

TEST(H264OutOfBand, OnlyTheFirstIdrGetsThemInBand) {
  Harness h;
  h.use_sprop(kHighSprop);
  auto idr = make_slice(5, 3, 0, kI);
  h.send(0, true, idr);
  h.send(3000, true, make_slice(1, 2, 1, kP));
  h.send(6000, true, idr);
  auto fr = h.frames();
  ASSERT_EQ(fr.size(), 3u);
  EXPECT_EQ(flatten(fr[2].data), sample({idr}));
  EXPECT_FALSE(fr[2].config);
}

TEST(H264OutOfBand, WithoutSpropTheIdrIsDroppedAndCountedAsMissingParameterSets) {
  Harness h;
  h.send(0, true, make_slice(5, 3, 0, kI));
  h.send(3000, true, make_slice(1, 2, 1, kP));
  h.send(6000, true, make_slice(5, 3, 0, kI));
  EXPECT_TRUE(h.frames().empty());
  EXPECT_EQ(h.d.h264_stats().parameter_sets_missing, 2u);  // the two IDRs; the P is just waiting
  EXPECT_EQ(h.d.stats().frames_dropped, 3u);
}

TEST(H264OutOfBand, LaterInBandSetsThatDifferWin) {
  Harness h;
  h.use_sprop(kHighSprop);
  auto idr = make_slice(5, 3, 0, kI);
  h.send(0, true, idr);
  h.send(3000, true, make_slice(1, 2, 1, kP));
  // The encoder switches to other parameter sets (same ids 0) and sends them in-band.
  h.send(6000, true, stap_a({kBaselineSps, kBaselinePps, idr}));
  auto fr = h.frames();
  ASSERT_EQ(fr.size(), 3u);
  ASSERT_TRUE(fr[0].config);
  EXPECT_EQ(fr[0].config->width, 320);
  ASSERT_TRUE(fr[2].config);
  EXPECT_EQ(fr[2].config->sps, std::vector<std::vector<uint8_t>>{kBaselineSps});
  EXPECT_EQ(fr[2].config->pps, std::vector<std::vector<uint8_t>>{kBaselinePps});
  EXPECT_EQ(fr[2].config->width, 322);
  EXPECT_EQ(fr[2].config->private_data, build_avc_config({kBaselineSps}, {kBaselinePps}));
  EXPECT_EQ(flatten(fr[2].data), sample({kBaselineSps, kBaselinePps, idr}));
}

TEST(H264OutOfBand, InBandSetsBeforeTheFirstIdrWinAndNothingIsInserted) {
  Harness h;
  h.use_sprop(kBaselineSprop);  // stale SDP: the stream really uses the High sets, in-band
  auto idr = make_slice(5, 3, 0, kI);
  h.send(0, true, stap_a({kHighSps, kHighPps, idr}));
  h.send(3000, true, make_slice(1, 2, 1, kP));
  auto fr = h.frames();
  ASSERT_EQ(fr.size(), 2u);
  ASSERT_TRUE(fr[0].config);
  EXPECT_EQ(fr[0].config->private_data, build_avc_config({kHighSps}, {kHighPps}));
  EXPECT_EQ(fr[0].config->width, 320);
  EXPECT_EQ(flatten(fr[0].data), sample({kHighSps, kHighPps, idr}));  // as sent, nothing added
}

TEST(H264OutOfBand, SameSetsInBandAndInSpropChangeNothing) {
  Harness with, without;
  with.use_sprop(kHighSprop);
  for (Harness* h : {&with, &without}) {
    h->send(0, true, stap_a({kHighSps, kHighPps, make_slice(5, 3, 0, kI)}));
    h->send(3000, true, make_slice(1, 2, 1, kP));
    h->send(6000, true, make_slice(1, 2, 2, kP));
  }
  auto a = with.frames(), b = without.frames();
  ASSERT_EQ(a.size(), 3u);
  ASSERT_EQ(b.size(), 3u);
  for (size_t i = 0; i < a.size(); i++) {
    EXPECT_EQ(flatten(a[i].data), flatten(b[i].data));
    EXPECT_EQ(bool(a[i].config), bool(b[i].config));
  }
  EXPECT_EQ(a[0].config->private_data, b[0].config->private_data);
  EXPECT_EQ(with.d.h264_stats().parameter_set_changes, 2u);  // the sprop ones; in-band equal
}

TEST(H264OutOfBand, RejectsSetsThatAreNotParameterSets) {
  H264Depacketizer d;
  EXPECT_FALSE(d.set_out_of_band_parameter_sets({make_slice(5, 3, 0, kI)}));
  EXPECT_FALSE(d.set_out_of_band_parameter_sets({{0x67, 0x64}}));
  EXPECT_FALSE(d.set_out_of_band_parameter_sets({{}}));
  EXPECT_TRUE(d.set_out_of_band_parameter_sets({kHighSps, kHighPps}));
}

}  // namespace
