// Opus RTP payload (RFC 7587): exactly one Opus packet per RTP packet (§4.2), RTP clock 48 kHz
// whatever the coded bandwidth (§4.1). The payload is the Opus packet itself, so a frame is a
// zero-copy view of it; its duration comes from the TOC (RFC 6716 §3.1–§3.2).
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
  void flush() override {}

  const OpusDepacketizerStats& opus_stats() const { return opus_stats_; }

 private:
  OpusDepacketizerOptions opts_;
  OpusDepacketizerStats opus_stats_;
  bool config_sent_ = false;
  bool lost_pending_ = false;  // a loss happened before a packet that was then skipped
};

}  // namespace te
