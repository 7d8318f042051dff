// Generated Opus packets that stand for a timestamp gap (DTX, mute, loss): written into Ogg Opus
// by OggOpusMuxer, and decoded by OpusPcmDecoder so that its PCM equals a decode of the Ogg file.
//
// An Ogg Opus decoder derives time from packet durations (RFC 7845 §4), so a gap in the RTP
// timeline must be filled with packets whose durations add up to the gap. Each filler is a code 3
// packet (RFC 6716 §3.2.5) with M frames of length zero:
//
//    0 1 2 3 4 5 6 7   0 1 2 3 4 5 6 7
//   +-+-+-+-+-+-+-+-+ +-+-+-+-+-+-+-+-+
//   | config  |s|1 1| |0|0|     M     |   CBR, no padding, 0 bytes of frame data
//   +-+-+-+-+-+-+-+-+ +-+-+-+-+-+-+-+-+
//
// This is RFC 7845 §4.1 ("Repairing Gaps in Real-Time Streams"): a muxer SHOULD emit packets that
// ask for packet loss concealment in place of the packets that were not transmitted; only gaps
// that are multiples of 2.5 ms are repairable. Zero-length frames are legal (RFC 6716 §3.2.1) and
// carry no data: libopus runs its PLC/DTX path for them (opus_decoder.c treats frames of 0 or 1
// bytes as lost), which is what a WebRTC receiver plays during DTX or loss. Each filler is 2 bytes
// and covers at most 120 ms ([R5]).
// The config is the previous real packet's (same mode, bandwidth, stereo flag, frame size);
// a remainder shorter than that frame size uses CELT 2.5 ms frames of the same bandwidth.
#pragma once
#include <cstdint>
#include <vector>

namespace te {

struct OpusGapPacket {
  uint8_t bytes[2];
  uint32_t samples;  // duration at 48 kHz
};

class OpusGapFiller {
 public:
  // Appends filler packets covering exactly `samples` (a multiple of 120, i.e. 2.5 ms) after a
  // packet whose TOC byte was `prev_toc`.
  static void fill(uint8_t prev_toc, uint64_t samples, std::vector<OpusGapPacket>& out);
};

}  // namespace te
