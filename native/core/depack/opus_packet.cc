// Opus packet framing (RFC 6716 §3.1 TOC, §3.2 frame packing, §3.4 requirements R1–R7).
#include "opus_packet.h"

namespace te {

namespace {

constexpr uint32_t kMaxFrameBytes = 1275;    // [R2]
constexpr uint32_t kMaxPacketSamples = 5760;  // 120 ms at 48 kHz, [R5]

// Reads one frame length (§3.2.1). Returns false if the bytes run out.
bool read_frame_length(ByteView p, uint32_t& pos, uint32_t& len) {
  if (pos >= p.size) return false;
  uint32_t b0 = p[pos++];
  if (b0 < 252) {
    len = b0;
    return true;
  }
  if (pos >= p.size) return false;
  len = 4 * static_cast<uint32_t>(p[pos++]) + b0;
  return true;
}

}  // namespace

uint32_t opus_config_frame_samples(uint8_t config) {
  config &= 31;
  if (config < 12) {  // SILK-only: 10, 20, 40, 60 ms
    static const uint32_t silk[4] = {480, 960, 1920, 2880};
    return silk[config & 3];
  }
  if (config < 16) return (config & 1) ? 960 : 480;  // Hybrid: 10, 20 ms
  static const uint32_t celt[4] = {120, 240, 480, 960};  // CELT-only: 2.5, 5, 10, 20 ms
  return celt[config & 3];
}

OpusMode opus_config_mode(uint8_t config) {
  config &= 31;
  if (config < 12) return OpusMode::kSilk;
  if (config < 16) return OpusMode::kHybrid;
  return OpusMode::kCelt;
}

OpusBandwidth opus_config_bandwidth(uint8_t config) {
  config &= 31;
  if (config < 12) return static_cast<OpusBandwidth>(config / 4);          // NB, MB, WB
  if (config < 16) return config < 14 ? OpusBandwidth::kSuperWide : OpusBandwidth::kFull;
  static const OpusBandwidth celt[4] = {OpusBandwidth::kNarrow, OpusBandwidth::kWide,
                                        OpusBandwidth::kSuperWide, OpusBandwidth::kFull};
  return celt[(config - 16) / 4];
}

OpusPacketError parse_opus_packet(ByteView p, OpusPacketInfo& out) {
  out = OpusPacketInfo{};
  if (p.size < 1) return OpusPacketError::kEmpty;  // [R1]
  const uint8_t toc = p[0];
  out.config = toc >> 3;
  out.stereo = (toc & 0x04) != 0;
  out.code = toc & 0x03;
  out.frame_samples = opus_config_frame_samples(out.config);
  const uint32_t n = static_cast<uint32_t>(p.size);
  uint32_t pos = 1;

  switch (out.code) {
    case 0:  // §3.2.2: one frame, the rest of the packet
      if (n - 1 > kMaxFrameBytes) return OpusPacketError::kFrameTooLong;  // [R2]
      out.frame_count = 1;
      out.first_frame_offset = 1;
      out.first_frame_size = n - 1;
      break;
    case 1:  // §3.2.3: two frames of equal size
      if ((n - 1) % 2 != 0) return OpusPacketError::kCode1OddSize;  // [R3]
      if ((n - 1) / 2 > kMaxFrameBytes) return OpusPacketError::kFrameTooLong;  // [R2]
      out.frame_count = 2;
      out.first_frame_offset = 1;
      out.first_frame_size = (n - 1) / 2;
      break;
    case 2: {  // §3.2.4: two frames, the first with an explicit length
      uint32_t len1 = 0;
      if (!read_frame_length(p, pos, len1)) return OpusPacketError::kBadLength;  // [R4]
      if (len1 > n - pos) return OpusPacketError::kBadLength;                    // [R4]
      if (len1 > kMaxFrameBytes || n - pos - len1 > kMaxFrameBytes)
        return OpusPacketError::kFrameTooLong;  // [R2]
      out.frame_count = 2;
      out.first_frame_offset = pos;
      out.first_frame_size = len1;
      break;
    }
    default: {  // §3.2.5: code 3, M frames, optional padding, CBR or VBR
      if (n < 2) return OpusPacketError::kBadFrameCount;  // [R6]/[R7]: at least 2 bytes
      const uint8_t fc = p[pos++];
      const bool vbr = (fc & 0x80) != 0;
      const bool padded = (fc & 0x40) != 0;
      const uint32_t m = fc & 0x3F;
      if (m == 0 || m * out.frame_samples > kMaxPacketSamples)
        return OpusPacketError::kBadFrameCount;  // [R5]
      // Padding length: bytes of 255 mean "254 more and another length byte follows" (§3.2.5).
      uint32_t padding = 0;
      if (padded) {
        for (;;) {
          if (pos >= n) return OpusPacketError::kBadPadding;
          uint32_t b = p[pos++];
          padding += (b == 255) ? 254 : b;
          if (b != 255) break;
        }
      }
      if (padding > n - pos) return OpusPacketError::kBadPadding;  // [R6]/[R7]
      const uint32_t end = n - padding;                               // frame data ends here
      out.frame_count = static_cast<uint8_t>(m);
      if (vbr) {
        // M-1 explicit lengths, the last frame takes what remains ([R7]).
        uint32_t lengths_sum = 0;
        uint32_t first = 0;
        for (uint32_t i = 0; i + 1 < m; ++i) {
          uint32_t len = 0;
          if (!read_frame_length(p, pos, len) || pos > end) return OpusPacketError::kBadLength;
          if (len > kMaxFrameBytes) return OpusPacketError::kFrameTooLong;
          if (i == 0) first = len;
          lengths_sum += len;
        }
        if (pos > end || lengths_sum > end - pos) return OpusPacketError::kBadLength;  // [R7]
        const uint32_t last = end - pos - lengths_sum;
        if (last > kMaxFrameBytes) return OpusPacketError::kFrameTooLong;  // [R7]
        out.first_frame_offset = pos;
        out.first_frame_size = (m == 1) ? last : first;
      } else {
        const uint32_t r = end - pos;
        if (r % m != 0) return OpusPacketError::kCbrNotDivisible;  // [R6]
        if (r / m > kMaxFrameBytes) return OpusPacketError::kFrameTooLong;  // [R6]
        out.first_frame_offset = pos;
        out.first_frame_size = r / m;
      }
      break;
    }
  }
  out.duration = out.frame_count * out.frame_samples;
  return OpusPacketError::kNone;
}

bool opus_packet_has_lbrr(ByteView packet, const OpusPacketInfo& info) {
  if (opus_config_mode(info.config) == OpusMode::kCelt) return false;
  if (info.first_frame_size == 0 || info.first_frame_offset >= packet.size) return false;
  // One 20 ms SILK frame per 20 ms of Opus frame, at least one (10 ms frames use one 10 ms one).
  const uint32_t silk_frames = info.frame_samples <= 960 ? 1 : info.frame_samples / 960;
  const uint8_t first = packet[info.first_frame_offset];
  const uint32_t channels = info.stereo ? 2 : 1;
  for (uint32_t ch = 0; ch < channels; ++ch) {
    // Channel ch's flags: silk_frames VAD bits then its LBRR bit.
    const uint32_t bit = (ch + 1) * (silk_frames + 1) - 1;
    if (bit < 8 && (first & (0x80u >> bit))) return true;
  }
  return false;
}

}  // namespace te
