// Opus RTP payload (RFC 7587): exactly one Opus packet per RTP packet (§4.2), RTP clock 48 kHz
// whatever the coded bandwidth (§4.1). The payload is the Opus packet itself, so a frame is a
// zero-copy view of it; its duration comes from the TOC (RFC 6716 §3.1–§3.2).
//
// Validation, so that bytes that are not Opus never become "Opus" (each invalid packet is counted,
// dropped and, for PCM, concealed like a lost one):
// * Framing (stats().malformed): the TOC byte and frame packing, requirements [R1]–[R7] of
//   RFC 6716 §3.4, at most 120 ms per packet (opus_packet.h).
// * Timing (stats().timing_invalid): the RTP timestamp is the sample clock of the encoder, which
//   advances by each packet's duration (RFC 7587 §4.1, §4.2); DTX leaves out whole frames. So,
//   against the last accepted packet (same SSRC):
//   - a step of 0 is never valid (two packets cannot start at one instant);
//   - a step shorter than that packet's TOC duration is an overlap — except between the first
//     two packets, where the overlap is the encoder's lookahead that the Ogg muxer and the PCM
//     decoder turn into the pre-skip (RFC 7845 §4.2);
//   - with no loss in between, a gap beyond the packet's duration that is shorter than 1 s must
//     be a whole number of frames: a multiple of min(previous frame size, this frame size, 20 ms).
//   Jitter (stats().timing_snapped): a step that is off that frame grid by less than one 2.5 ms
//   Opus unit (120 ticks, the smallest Opus frame, RFC 6716 §2.1.4; every real gap is a multiple
//   of it) is snapped to the nearest grid step (never to an overlap) before these checks, and the
//   frame is emitted at the snapped time: the packet holds exactly its TOC duration of audio, so
//   the Ogg granule positions (RFC 7845 §4) and the decoded PCM follow the packets, not the
//   stamping. livekit-server 1.13.5 forwards steps of 961, 965, 974, 1921 … (it stamps the blank
//   frames it sends after a mute from its wall clock); refusing them concealed real audio. The
//   shift accumulates (emitted = RTP timestamp + the sum of the snaps), so a sender whose steps
//   are always a tick off keeps its packets back to back. Larger offsets are real gaps or
//   invalid as below; after a loss, a step is snapped only when it is within the jitter.
//   Measured on a real mute: ~45 steps of 961–1054 snapped; 1–2 steps of 1158–1214 (the SFU's
//   wall clock running late) still refused, each costing one packet. Snapping up to half a frame
//   would keep those too, but then most video payloads (3000-tick steps) pass as Opus timing (11
//   of the 17 corpus video captures did), so the bound stays at one Opus unit.
//   The first pair's overlap (the lookahead, below) is never snapped.
//   Backward steps over 1 s (a sender clock restart) and gaps of 1 s or more are left to the
//   muxer's timeline rules; after a loss only the order is checked. A packet whose gap after the
//   last accepted packet is not whole frames is still accepted when it continues the packet right
//   before it (itself rejected for timing): one wrongly stamped packet costs itself (sometimes one
//   neighbour), and a one-off re-stamping (e.g. an SFU resuming a paused track) costs one packet.
// The first packet (of the stream or of a new SSRC) is held until the next one arrives, so that
// a wrongly stamped first packet cannot become the reference that rejects the packets after it.
// Real Opus passes all of these; H.264/VP8/VP9 payloads do not (several packets per frame share a
// timestamp, frame steps of 3000 ticks are not whole Opus frames), so the invalid counts exceed
// the emitted frames.
#pragma once
#include <cstdint>

#include "depacketizer.h"

namespace te {

struct OpusDepacketizerOptions {
  // Stream channel count: 2 when the SDP has stereo=1 / sprop-stereo=1 (RFC 7587 §7.1), else 1.
  // The TOC s bit is per packet and does not change it.
  uint8_t channels = 2;
};

struct OpusDepacketizerStats {
  uint64_t empty = 0;  // zero-length payloads skipped (also counted in frames_dropped)
  uint64_t lost = 0;   // packets reported lost before pushed packets (sum of lost_before)
};

class OpusDepacketizer : public Depacketizer {
 public:
  explicit OpusDepacketizer(OpusDepacketizerOptions opts = {});

  void push(const RtpPacket& pkt, PacketHold hold, uint32_t lost_before) override;
  void flush() override { release_held(); }

  const OpusDepacketizerStats& opus_stats() const { return opus_stats_; }

 private:
  // Timing of one packet, in 48 kHz ticks.
  struct Timing {
    int64_t ts = 0;         // unwrapped RTP timestamp
    uint32_t duration = 0;  // TOC duration of the whole packet
    uint32_t frame = 0;     // TOC frame size
  };
  // `cur` starts after `ref` ends (or, for the first pair, overlaps it by the lookahead).
  static bool ordered(const Timing& ref, const Timing& cur, bool first_pair);
  // The gap between `ref` and `cur` (if any, and < 1 s) is a whole number of frames.
  static bool whole_frames(const Timing& ref, const Timing& cur);
  // `cur` moved onto the frame grid after `ref` when it is off by less than the jitter.
  static Timing snapped(const Timing& ref, const Timing& cur, bool first_pair);
  // Whether `cur` may follow; sets `shift` (snapped minus RTP timestamp) when it may.
  bool timing_valid(const Timing& cur, int64_t& shift) const;
  void drop_packet();
  void output(Frame&& f);
  void release_held();

  OpusDepacketizerOptions opts_;
  OpusDepacketizerStats opus_stats_;
  bool config_sent_ = false;
  bool lost_pending_ = false;  // a loss happened before a packet that was then skipped

  bool have_ref_ = false;      // the last accepted packet (its RTP timing, not snapped)
  Timing ref_;
  int64_t offset_ = 0;         // emitted timestamp minus RTP timestamp: the sum of the snaps
  uint32_t ref_ssrc_ = 0;
  bool ref_gap_known_ = false; // nothing lost or unparsable since ref_
  bool ref_first_ = false;     // ref_ is the stream's first packet and nothing came after it
  bool have_rejected_ = false; // the packet right before this one, rejected for its timing
  Timing rejected_;
  // The stream's first packet waits for the second: if the two are out of order, the first one
  // is dropped (nothing else has been emitted yet).
  bool have_held_ = false;
  Frame held_;
};

}  // namespace te
