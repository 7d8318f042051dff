// The H.264 media type parameters of an SDP a=fmtp line (RFC 6184 §8.1) that the depacketizer
// needs: the out-of-band parameter sets (sprop-parameter-sets) and the packetization mode.
//
//   a=fmtp:96 packetization-mode=1;profile-level-id=42c01e;sprop-parameter-sets=Z0LAHt...,aM48gA==
//
// The input is the parameter string after the payload type: "k=v;k=v" (whitespace around items is
// ignored, keys are case-insensitive, items without '=' and unknown keys are ignored).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace te {

struct H264Fmtp {
  // sprop-parameter-sets, decoded: SPS (type 7) and PPS (type 8) NAL units, header byte included,
  // in the order given. Every SPS parsed (§7.3.2.1.1), every PPS's ids read.
  std::vector<std::vector<uint8_t>> parameter_sets;
  // packetization-mode (§8.1): 0 single NAL unit, 1 non-interleaved; 2 (interleaved) is refused.
  uint32_t packetization_mode = 0;
  // profile-level-id (§8.1): profile_idc, constraint flags, level_idc; 0 when absent.
  uint32_t profile_level_id = 0;
};

enum class FmtpResult { kOk, kInvalid, kUnsupported };

// Parses `text` into `out`. On failure `error` says which parameter is wrong and why.
FmtpResult parse_h264_fmtp(const std::string& text, H264Fmtp& out, std::string& error);

// RFC 4648 §4 base64 (padding optional, no whitespace inside). False on any invalid character.
bool decode_base64(const std::string& in, std::vector<uint8_t>& out);

}  // namespace te
