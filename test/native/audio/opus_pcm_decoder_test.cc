#include "core/audio/opus_pcm_decoder.h"

#include <gtest/gtest.h>
#include <opus.h>

#include <memory>

#include "../ogg/ogg_test_reader.h"
#include "core/depack/opus_gap_filler.h"
#include "core/depack/opus_packet.h"

#ifndef TE_SOURCE_DIR
#define TE_SOURCE_DIR "."
#endif

namespace te {
namespace {

struct Pkt {
  std::vector<uint8_t> data;
  int64_t ts;
};

// Opus packets of an opusenc file, with RTP-like timestamps (cumulative durations).
std::vector<Pkt> load(const char* name, uint16_t* pre_skip) {
  auto file = te_test::read_file(std::string(TE_SOURCE_DIR "/test/native/audio/data/") + name);
  std::vector<te_test::TestPage> pages;
  std::vector<te_test::TestPacket> packets;
  std::vector<Pkt> out;
  if (!te_test::read_ogg(file, pages, packets) || packets.size() < 3) return out;
  *pre_skip = static_cast<uint16_t>(te_test::le(&packets[0].data[10], 2));
  int64_t ts = 1000;
  for (size_t i = 2; i < packets.size(); ++i) {
    OpusPacketInfo info;
    parse_opus_packet(ByteView(packets[i].data.data(), packets[i].data.size()), info);
    out.push_back(Pkt{packets[i].data, ts});
    ts += info.duration;
  }
  return out;
}

Frame frame_of(const Pkt& p, bool discontinuity = false) {
  Frame f;
  f.timestamp = p.ts;
  f.discontinuity = discontinuity;
  f.data.append_view(p.data.data(), static_cast<uint32_t>(p.data.size()), 1, 0);
  OpusPacketInfo info;
  if (parse_opus_packet(ByteView(p.data.data(), p.data.size()), info) == OpusPacketError::kNone)
    f.duration = info.duration;
  return f;
}

std::vector<int16_t> drain(OpusPcmDecoder& d) {
  std::vector<int16_t> out;
  while (d.available()) {
    out.insert(out.end(), d.data(), d.data() + d.available());
    d.consume(d.available());
  }
  return out;
}

std::vector<int16_t> read_s16(const char* name) {
  auto b = te_test::read_file(std::string(TE_SOURCE_DIR "/test/native/audio/data/") + name);
  std::vector<int16_t> v(b.size() / 2);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int16_t>(b[2 * i] | b[2 * i + 1] << 8);
  return v;
}

TEST(OpusPcmDecoder, BadRateIsAStatusNotACrash) {
  OpusPcmDecoderOptions o;
  o.sample_rate = 44100;
  OpusPcmDecoder d(o);
  EXPECT_FALSE(d.ok());
  EXPECT_EQ(d.status(), OPUS_BAD_ARG);
  Pkt p{{0xF8, 1, 2}, 0};
  EXPECT_FALSE(d.decode(frame_of(p)));
  EXPECT_EQ(d.available(), 0u);
  o.sample_rate = 48000;
  o.channels = 3;
  OpusPcmDecoder d3(o);
  EXPECT_EQ(d3.status(), OPUS_BAD_ARG);
}

TEST(OpusPcmDecoder, BitExactWithOpusdecAfterPreSkip) {
  uint16_t pre_skip = 0;
  auto pk = load("sine_stereo_20ms.opus", &pre_skip);
  ASSERT_FALSE(pk.empty());
  EXPECT_EQ(pre_skip, 312);
  OpusPcmDecoder d;
  ASSERT_TRUE(d.ok());
  for (const auto& p : pk) ASSERT_TRUE(d.decode(frame_of(p)));
  auto pcm = drain(d);
  EXPECT_EQ(pcm.size(), pk.size() * 960 * 2);
  auto ref = read_s16("sine_stereo_20ms.opusdec.s16");  // opusdec --no-dither --rate 48000
  ASSERT_EQ(ref.size(), 24000u * 2);
  ASSERT_GE(pcm.size(), 2u * pre_skip + ref.size());
  size_t diff = 0;
  for (size_t i = 0; i < ref.size(); ++i) diff += pcm[2 * pre_skip + i] != ref[i];
  EXPECT_EQ(diff, 0u);
  EXPECT_EQ(d.stats().frames_decoded, pk.size());
  EXPECT_EQ(d.stats().samples_concealed, 0u);
}

TEST(OpusPcmDecoder, Mono16kMatchesOpusdecLength) {
  uint16_t pre_skip = 0;
  auto pk = load("sine_mono_20ms.opus", &pre_skip);
  ASSERT_FALSE(pk.empty());
  OpusPcmDecoderOptions o;
  o.sample_rate = 16000;
  o.channels = 1;
  OpusPcmDecoder d(o);
  for (const auto& p : pk) d.decode(frame_of(p));
  auto pcm = drain(d);
  EXPECT_EQ(pcm.size(), pk.size() * 320);
  auto ref = read_s16("sine_mono_20ms.opusdec16k.s16");  // opusdec --rate 16000
  ASSERT_EQ(ref.size(), 8000u);
  const size_t skip = pre_skip / 3;
  ASSERT_GE(pcm.size(), skip + ref.size());
  // opusdec always decodes at 48 kHz and resamples (speex) for --rate, while libopus decodes
  // natively at 16 kHz: not bit-exact, but aligned and within a few LSBs of a ~8000 peak.
  int maxd = 0;
  for (size_t i = 0; i < ref.size(); ++i) maxd = std::max(maxd, std::abs(pcm[skip + i] - ref[i]));
  EXPECT_LE(maxd, 64);
}

TEST(OpusPcmDecoder, EveryRateAndChannelCountKeepsTheTimeline) {
  uint16_t pre_skip = 0;
  auto pk = load("sine_stereo_20ms.opus", &pre_skip);
  for (int rate : {8000, 12000, 16000, 24000, 48000}) {
    for (int ch : {1, 2}) {
      OpusPcmDecoderOptions o;
      o.sample_rate = rate;
      o.channels = ch;
      OpusPcmDecoder d(o);
      ASSERT_TRUE(d.ok());
      for (size_t i = 0; i < pk.size(); ++i)
        if (i != 7) d.decode(frame_of(pk[i], i == 8));  // one loss
      EXPECT_EQ(d.buffered(), pk.size() * (rate / 50) * ch) << rate << "/" << ch;
      EXPECT_EQ(d.stats().samples_concealed, static_cast<uint64_t>(rate / 50));
    }
  }
}

TEST(OpusPcmDecoder, PlcFillsExactlyTheMissingSamples) {
  uint16_t pre_skip = 0;
  auto pk = load("sine_stereo_20ms.opus", &pre_skip);
  OpusPcmDecoder d;
  for (size_t i = 0; i < pk.size(); ++i)
    if (i != 5 && i != 6 && i != 20) d.decode(frame_of(pk[i], i == 7 || i == 21));
  auto pcm = drain(d);
  EXPECT_EQ(pcm.size(), pk.size() * 960 * 2);
  EXPECT_EQ(d.stats().samples_concealed, 3u * 960);
  EXPECT_EQ(d.stats().fec_used, 0u);  // opusenc at 64 kbit/s: CELT, no LBRR
  // The concealed part is not silence right after good audio (PLC continues the sine).
  int64_t energy = 0;
  for (size_t i = 5 * 1920; i < 6 * 1920; ++i) energy += std::abs(pcm[i]);
  EXPECT_GT(energy, 0);
}

TEST(OpusPcmDecoder, OddGapsAreSampleExactWithoutDrift) {
  uint16_t pre_skip = 0;
  auto pk = load("sine_mono_20ms.opus", &pre_skip);
  OpusPcmDecoderOptions o;
  o.channels = 1;
  OpusPcmDecoder d(o);
  int64_t ts = 0;
  for (size_t i = 0; i < pk.size(); ++i) {
    Pkt p = pk[i];
    p.ts = ts;
    d.decode(frame_of(p));
    ts += 960 + 1000;  // DTX-like gaps of 1000 samples (20.8 ms)
  }
  d.flush();
  const int64_t rtp_end = ts - 1000;
  // libopus conceals in 2.5 ms units; the excess is trimmed, so the count is exact.
  EXPECT_EQ(static_cast<int64_t>(d.buffered()), rtp_end);
}

// GStreamer's opusenc (like any encoder that signals its lookahead in timestamps) stamps the second
// packet 312 samples less than one frame after the first: the first packet's first 312 samples
// are lookahead. The decoder drops them, so sample 0 is the first packet's RTP time and the count
// equals the RTP span; the rest is the plain decode of the same packets.
TEST(OpusPcmDecoder, FirstPacketOverlapIsDroppedAsPreSkip) {
  uint16_t pre_skip = 0;
  auto pk = load("sine_mono_20ms.opus", &pre_skip);
  ASSERT_GT(pk.size(), 10u);
  OpusPcmDecoderOptions o;
  o.channels = 1;
  OpusPcmDecoder plain(o), ours(o);
  int64_t ts = 0;
  for (size_t i = 0; i < pk.size(); ++i) {
    Pkt a = pk[i];
    a.ts = 960 * static_cast<int64_t>(i);
    plain.decode(frame_of(a));
    Pkt b = pk[i];
    b.ts = i == 0 ? 0 : 960 * static_cast<int64_t>(i) - 312;
    ours.decode(frame_of(b));
    if (i == 0) {
      EXPECT_EQ(ours.available(), 0u) << "the first frame is held back";
    }
    if (i == 1) {
      EXPECT_GT(ours.available(), 0u) << "released once the second frame is placed";
    }
    ts = b.ts;
  }
  plain.flush();
  ours.flush();
  const auto full = drain(plain);
  const auto trimmed = drain(ours);
  EXPECT_EQ(static_cast<int64_t>(trimmed.size()), ts + 960);
  ASSERT_EQ(trimmed.size() + 312, full.size());
  EXPECT_TRUE(std::equal(trimmed.begin(), trimmed.end(), full.begin() + 312));
}

TEST(OpusPcmDecoder, LongGapsBecomeSilenceWithoutHugeBuffers) {
  uint16_t pre_skip = 0;
  auto pk = load("sine_stereo_20ms.opus", &pre_skip);
  OpusPcmDecoderOptions o;
  o.max_plc_ms = 100;
  OpusPcmDecoder d(o);
  Pkt a = pk[0], b = pk[1];
  b.ts = a.ts + 960 + 48000 * 600;  // 10 minutes of mute
  d.decode(frame_of(a));
  d.decode(frame_of(b));
  EXPECT_EQ(d.buffered(), (960u * 2 + 48000u * 600) * 2);
  EXPECT_LE(d.available(), 65536u + 8192u);  // served in chunks
  uint64_t total = 0;
  size_t nonzero_tail = 0;
  while (d.available()) {
    const size_t n = d.available();
    if (total > 2 * 48000 * 2)  // after 2 s: pure silence until the last packet
      for (size_t i = 0; i < n; ++i) nonzero_tail += d.data()[i] != 0 && total + i < (960u + 48000u * 600) * 2;
    total += n;
    d.consume(n);
  }
  EXPECT_EQ(total, (960u * 2 + 48000u * 600) * 2);
  EXPECT_EQ(nonzero_tail, 0u);
}

TEST(OpusPcmDecoder, CorruptPacketIsConcealedAndBackwardsDropped) {
  uint16_t pre_skip = 0;
  auto pk = load("sine_stereo_20ms.opus", &pre_skip);
  OpusPcmDecoder d;
  d.decode(frame_of(pk[0]));
  Pkt bad{{0xFC, 1, 2, 3}, pk[1].ts};
  bad.data[0] = 0xFD;  // code 1 with an odd payload: invalid framing
  Frame f = frame_of(bad);
  f.duration = 960;  // what the RTP timeline says
  EXPECT_TRUE(d.decode(f));
  EXPECT_EQ(d.stats().decode_errors, 1u);
  d.decode(frame_of(pk[2]));
  EXPECT_FALSE(d.decode(frame_of(pk[1])));  // goes back in time
  EXPECT_EQ(d.stats().dropped, 1u);
  EXPECT_EQ(d.buffered(), 3u * 960 * 2);
  EXPECT_EQ(d.stats().samples_concealed, 960u);
}

TEST(OpusPcmDecoder, InBandFecIsUsedAfterALoss) {
  int err = 0;
  OpusEncoder* enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err);
  ASSERT_EQ(err, OPUS_OK);
  opus_encoder_ctl(enc, OPUS_SET_BITRATE(20000));
  opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(1));
  opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(20));
  opus_encoder_ctl(enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
  opus_encoder_ctl(enc, OPUS_SET_MAX_BANDWIDTH(OPUS_BANDWIDTH_WIDEBAND));  // SILK-only
  std::vector<Pkt> pk;
  std::vector<int16_t> pcm(960);
  for (int i = 0; i < 25; ++i) {
    for (int n = 0; n < 960; ++n) {
      const int t = i * 960 + n;
      pcm[n] = static_cast<int16_t>(8000 * ((t / 40) % 2 ? 1 : -1) * ((t % 97) / 97.0));
    }
    std::vector<uint8_t> out(1500);
    int len = opus_encode(enc, pcm.data(), 960, out.data(), 1500);
    ASSERT_GT(len, 1);
    out.resize(len);
    pk.push_back(Pkt{out, 960 * i});
  }
  opus_encoder_destroy(enc);
  OpusPacketInfo info;
  ASSERT_EQ(parse_opus_packet(ByteView(pk[11].data.data(), pk[11].data.size()), info),
            OpusPacketError::kNone);
  ASSERT_TRUE(opus_packet_has_lbrr(ByteView(pk[11].data.data(), pk[11].data.size()), info));

  OpusPcmDecoderOptions o;
  o.channels = 1;
  OpusPcmDecoder d(o);
  for (size_t i = 0; i < pk.size(); ++i)
    if (i != 10) d.decode(frame_of(pk[i], i == 11));
  EXPECT_EQ(d.stats().fec_used, 1u);
  EXPECT_EQ(d.stats().samples_concealed, 960u);
  EXPECT_EQ(d.buffered(), 25u * 960);
  // A DTX-like gap without loss does not use FEC.
  OpusPcmDecoder d2(o);
  for (size_t i = 0; i < pk.size(); ++i)
    if (i != 10) d2.decode(frame_of(pk[i], false));
  EXPECT_EQ(d2.stats().fec_used, 0u);
  EXPECT_EQ(d2.buffered(), 25u * 960);
  // FEC output differs from plain PLC for the lost frame.
  auto a = drain(d), b = drain(d2);
  ASSERT_EQ(a.size(), b.size());
  size_t differ = 0;
  for (size_t i = 9600; i < 10560; ++i) differ += a[i] != b[i];
  EXPECT_GT(differ, 100u);
}

}  // namespace
}  // namespace te

namespace te {
namespace {

// The PCM decoder conceals gaps by decoding the same filler packets the Ogg muxer writes, so its
// output equals a plain libopus decode of the Ogg stream's packets, sample for sample.
TEST(OpusPcmDecoder, GapConcealmentEqualsDecodingTheOggFillers) {
  uint16_t pre_skip = 0;
  auto pk = load("sine_stereo_20ms.opus", &pre_skip);
  ASSERT_GT(pk.size(), 20u);
  // DTX-like gaps: drop packets 5..9 (100 ms) and shift later ones by an odd 7.5 ms.
  std::vector<Pkt> sent;
  for (size_t i = 0; i < pk.size(); ++i) {
    if (i >= 5 && i < 10) continue;
    Pkt p = pk[i];
    if (i >= 15) p.ts += 360;
    sent.push_back(p);
  }
  OpusPcmDecoder d;
  for (const auto& p : sent) d.decode(frame_of(p));
  auto ours = drain(d);

  int err = 0;
  OpusDecoder* ref = opus_decoder_create(48000, 2, &err);
  ASSERT_EQ(err, OPUS_OK);
  std::vector<int16_t> expect, buf(5760 * 2);
  int64_t pos = sent[0].ts;
  for (const auto& p : sent) {
    if (p.ts > pos) {
      std::vector<OpusGapPacket> g;
      OpusGapFiller::fill(pk[4].data[0], static_cast<uint64_t>((p.ts - pos + 60) / 120 * 120), g);
      for (const auto& x : g) {
        int n = opus_decode(ref, x.bytes, 2, buf.data(), 5760, 0);
        ASSERT_EQ(n, static_cast<int>(x.samples));
        expect.insert(expect.end(), buf.begin(), buf.begin() + 2 * n);
      }
      pos += (p.ts - pos + 60) / 120 * 120;
    }
    int n = opus_decode(ref, p.data.data(), static_cast<int>(p.data.size()), buf.data(), 5760, 0);
    ASSERT_GT(n, 0);
    expect.insert(expect.end(), buf.begin(), buf.begin() + 2 * n);
    pos += n;
  }
  opus_decoder_destroy(ref);
  EXPECT_EQ(d.stats().samples_concealed, 5u * 960 + 360);
  ASSERT_EQ(ours.size(), expect.size());
  EXPECT_TRUE(ours == expect);
}

}  // namespace
}  // namespace te
