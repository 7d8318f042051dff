// Opus packet structure: TOC byte, frame packing and duration (RFC 6716 §3.1–§3.4).
//
// TOC byte (RFC 6716 §3.1, Figure 1):
//    0 1 2 3 4 5 6 7
//   +-+-+-+-+-+-+-+-+
//   | config  |s| c |
//   +-+-+-+-+-+-+-+-+
//   config 0..11  SILK-only    NB/MB/WB   10/20/40/60 ms
//   config 12..15 Hybrid       SWB/FB     10/20 ms
//   config 16..31 CELT-only    NB/WB/SWB/FB 2.5/5/10/20 ms
//   s = stereo, c = frame count code: 0 one frame, 1 two equal frames, 2 two frames with an
//   explicit first length, 3 an arbitrary number of frames (§3.2.5).
//
// Code 3 frame count byte (RFC 6716 §3.2.5, Figure 5):
//    0 1 2 3 4 5 6 7
//   +-+-+-+-+-+-+-+-+
//   |v|p|     M     |   v = VBR, p = padding present, M = number of frames (1..48)
//   +-+-+-+-+-+-+-+-+
//
// Frame lengths (§3.2.1) are one byte 0..251, or two bytes (first 252..255): len = 4*b1 + b0.
// The checks below are requirements [R1]–[R7] of §3.4; only the packet framing is validated,
// not the frames' entropy-coded content (that is the decoder's job).
#pragma once
#include <cstdint>

#include "../util/byte_view.h"

namespace te {

enum class OpusPacketError : uint8_t {
  kNone = 0,
  kEmpty,          // [R1] no TOC byte
  kFrameTooLong,   // [R2] a frame longer than 1275 bytes
  kCode1OddSize,   // [R3] code 1 with an odd payload length
  kBadLength,      // [R4]/[R7] an explicit frame length runs past the end of the packet
  kBadFrameCount,  // [R5] code 3 with M = 0 or more than 120 ms of audio
  kBadPadding,     // [R6]/[R7] padding length larger than the packet
  kCbrNotDivisible // [R6] code 3 CBR with a payload not a multiple of M
};

struct OpusPacketInfo {
  uint8_t config = 0;        // TOC config 0..31
  bool stereo = false;       // TOC s bit
  uint8_t code = 0;          // frame count code 0..3
  uint8_t frame_count = 0;   // number of frames (1..48)
  uint32_t frame_samples = 0;  // samples per frame at 48 kHz (120..2880)
  uint32_t duration = 0;       // frame_count * frame_samples, at 48 kHz (<= 5760)
  uint32_t first_frame_offset = 0;  // where the first frame's bytes start in the packet
  uint32_t first_frame_size = 0;    // its length (0 for DTX / lost frames)
};

enum class OpusMode : uint8_t { kSilk, kHybrid, kCelt };
// Audio bandwidth signalled by the TOC (§3.1 Table 2).
enum class OpusBandwidth : uint8_t { kNarrow, kMedium, kWide, kSuperWide, kFull };

// Samples per frame at 48 kHz for a TOC config (§3.1 Table 2).
uint32_t opus_config_frame_samples(uint8_t config);
OpusMode opus_config_mode(uint8_t config);
OpusBandwidth opus_config_bandwidth(uint8_t config);

// Validates the packet framing and fills `out`. Never reads outside `packet`.
OpusPacketError parse_opus_packet(ByteView packet, OpusPacketInfo& out);

// True when the first frame of a SILK or Hybrid packet carries LBRR (in-band FEC) data for the
// previous frame. RFC 6716 §4.2.3–§4.2.4: the LP layer begins with one VAD flag per SILK frame
// and one LBRR flag, per channel (mid first, then side for stereo); they are the first
// uniform-probability symbols of the range coder, so they are the most significant bits of the
// first byte of the frame. CELT-only packets never carry LBRR.
bool opus_packet_has_lbrr(ByteView packet, const OpusPacketInfo& info);

}  // namespace te
