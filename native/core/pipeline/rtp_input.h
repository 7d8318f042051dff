// The front of every pipeline: raw datagrams in; parsed, filtered, unwrapped RTP packets out, in
// sequence order, with the number of packets lost before each one.
//
//   push(bytes) → parse_rtp (RFC 3550 §5.1) → SSRC / payload-type filter
//              → RtpTimeline (timestamp unwrap checked against arrival time) → ReorderBuffer
//              → pop()/drain(): padding-only packets and timestamp outliers dropped → in order
//
// Malformed datagrams and RTCP are counted and released at once, never an error. A change of SSRC
// (the publisher reconnected with a new encoder) is a restart: buffered packets are drained first,
// and the new stream's timestamps are rebased so that the output timeline continues at the
// wall-clock distance since the last packet, instead of jumping by a random RTP offset.
//
// Packets without media — padding only (RFC 3550 §5.1 P bit; SFUs send them for bandwidth
// probing) or an empty payload — and timestamp outliers (see rtp/rtp_timeline.h) still take their
// sequence slot in the reorder buffer (dropping them earlier would look like loss and trigger a
// NACK), and are dropped as they come out of it, here, for every codec. Padding carries the loss
// before it on to the next delivered packet; an outlier becomes one lost packet itself, so a frame
// it belonged to is dropped by the depacketizer instead of being written broken.
#pragma once
#include <cstdint>

#include "../media/packet_hold.h"
#include "../rtp/reorder_buffer.h"
#include "../rtp/rtp_packet.h"
#include "../rtp/rtp_timeline.h"

namespace te {

struct RtpInputOptions {
  ReorderOptions reorder;
  uint32_t clock_rate = 90000;
  int64_t ssrc = -1;          // -1: any (follow SSRC changes); else only this SSRC
  int32_t payload_type = -1;  // -1: any
};

struct RtpInputStats {
  uint64_t datagrams = 0;  // everything pushed
  uint64_t bytes = 0;
  uint64_t malformed = 0;  // not RTP (too short, bad version, bad padding)
  uint64_t rtcp = 0;       // RTCP multiplexed on the same port (RFC 5761 §4)
  uint64_t filtered = 0;   // valid RTP of another SSRC or payload type
  uint64_t ssrc_changes = 0;
  uint64_t padding = 0;             // packets without payload (padding only), dropped after reordering
  uint64_t timestamp_outliers = 0;  // packets whose RTP time disagrees with arrival, dropped as lost
  uint64_t timestamp_rebases = 0;   // persistent timestamp jumps within one SSRC, re-based
};

class RtpInput {
 public:
  RtpInput(const RtpInputOptions& opts, ReleaseList* released);

  void push(uint32_t id, ByteView bytes, int64_t arrival_us);
  // The next packet with media, in order (see ReorderBuffer::pop / drain).
  bool pop(int64_t now_us, ReleasedPacket& out);
  bool drain(ReleasedPacket& out);

  std::vector<uint16_t> missing(size_t max) const { return reorder_.missing(max); }
  const RtpInputStats& stats() const { return stats_; }
  const ReorderStats& reorder_stats() const { return reorder_.stats(); }

 private:
  enum Tag : uint8_t { kMedia = 0, kOutlier = 1 };
  // False when `rp` is dropped here (padding, outlier); its loss moves on to the next packet.
  bool deliverable(ReleasedPacket& rp);

  RtpInputOptions opts_;
  ReleaseList* released_;
  RtpInputStats stats_;
  ReorderBuffer reorder_;
  RtpTimeline timeline_;
  bool have_ssrc_ = false;
  uint32_t ssrc_ = 0;
  uint64_t carried_lost_ = 0;  // loss before dropped packets, for the next delivered one
};

}  // namespace te
