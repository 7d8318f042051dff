// Codecs the core knows, and the configuration a muxer needs to describe a track.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "te/te.h"

namespace te {

// The ids are the C ABI's (TE_CODEC_* in te/te.h), defined there once.
enum class Codec : uint8_t { kH264 = TE_CODEC_H264, kVP8 = TE_CODEC_VP8, kVP9 = TE_CODEC_VP9, kOpus = TE_CODEC_OPUS };

inline const char* codec_name(Codec c) {
  switch (c) {
    case Codec::kH264: return "h264";
    case Codec::kVP8: return "vp8";
    case Codec::kVP9: return "vp9";
    case Codec::kOpus: return "opus";
  }
  return "unknown";
}

// What a container needs to describe the stream. Depacketizers attach a new one to the first
// frame and to every keyframe where it changed (new SPS/PPS, new resolution).
struct CodecConfig {
  Codec codec;
  uint32_t clock_rate = 0;  // RTP clock: 90000 for video, 48000 for Opus (RFC 7587 §4.1)
  uint16_t width = 0;       // video, when known
  uint16_t height = 0;
  uint8_t channels = 0;     // audio
  // H.264: AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3.1) built from SPS/PPS.
  // VP8/VP9: empty. Opus: empty (muxers build OpusHead themselves from channels/pre-skip).
  std::vector<uint8_t> private_data;
  // H.264 raw parameter sets (without start codes), kept for muxers that want them separately.
  std::vector<std::vector<uint8_t>> sps;
  std::vector<std::vector<uint8_t>> pps;
};

using CodecConfigPtr = std::shared_ptr<const CodecConfig>;

}  // namespace te
