// The front of every pipeline: raw datagrams in; parsed, filtered, unwrapped RTP packets out, in
// sequence order, with the number of packets lost before each one.
//
//   push(bytes) → parse_rtp (RFC 3550 §5.1) → SSRC / payload-type filter → timestamp unwrap
//              → ReorderBuffer → pop() in order
//
// Malformed datagrams and RTCP are counted and released at once, never an error. A change of SSRC
// (the publisher reconnected with a new encoder) is a restart: buffered packets are drained first,
// and the new stream's timestamps are rebased so that the output timeline continues at the
// wall-clock distance since the last packet, instead of jumping by a random RTP offset.
#pragma once
#include <cstdint>

#include "../media/packet_hold.h"
#include "../rtp/reorder_buffer.h"
#include "../rtp/rtp_packet.h"
#include "../rtp/seq_unwrapper.h"

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
};

class RtpInput {
 public:
  RtpInput(const RtpInputOptions& opts, ReleaseList* released);

  void push(uint32_t id, ByteView bytes, int64_t arrival_us);
  bool pop(int64_t now_us, ReleasedPacket& out);
  bool drain(ReleasedPacket& out) { return reorder_.drain(out); }

  std::vector<uint16_t> missing(size_t max) const { return reorder_.missing(max); }
  const RtpInputStats& stats() const { return stats_; }
  const ReorderStats& reorder_stats() const { return reorder_.stats(); }

 private:
  RtpInputOptions opts_;
  ReleaseList* released_;
  RtpInputStats stats_;
  ReorderBuffer reorder_;
  TimestampUnwrapper ts_unwrap_;
  bool have_ssrc_ = false;
  uint32_t ssrc_ = 0;
  int64_t ts_offset_ = 0;        // added to unwrapped timestamps (rebasing after an SSRC change)
  int64_t last_ext_ts_ = 0;      // last (rebased) timestamp seen
  int64_t last_arrival_us_ = 0;
};

}  // namespace te
