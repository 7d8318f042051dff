// The RTP time line of one stream, checked against the arrival clock.
//
// RTP timestamps are 32-bit and random-based (RFC 3550 §5.1); the arrival clock is the receiver's.
// Every packet is compared with the last ACCEPTED packet (not cumulatively, so a caller whose
// arrival times are bursty or constant still works for ordinary streams):
//
//   d_rtp = RTP distance (seconds), d_arr = arrival distance (seconds, >= 0)
//
// 1. Wrap disambiguation: of the candidates ts_delta + k·2^32 (ts_delta the signed 32-bit step),
//    the one nearest to d_arr × clock_rate is taken (k >= 0). Ordinary packets get k = 0, so
//    B-frames and reordering step backwards as before; a pause longer than 2^31 ticks (6.6 h at
//    90 kHz, 12.4 h at 48 kHz) and any number of wraps keep the true time line.
// 2. Outliers: a packet is an outlier when
//      d_rtp > d_arr + ahead_tolerance + drift × d_arr     (RTP jumps ahead of the wall clock), or
//      d_rtp < -behind_tolerance                           (RTP steps back further than B-frames
//                                                           and reordering ever do)
//    RTP running *behind* arrival is not an outlier: network stalls, sender-side queues and
//    senders whose timestamps do not advance during a pause all look like that.
// 3. Re-basing: when `rebase_after` outliers with distinct, advancing timestamps are each ordinary
//    relative to the previous one (an encoder that restarted its timestamps without a new SSRC),
//    the stream is re-based: the first of them is placed at the arrival distance from the last
//    accepted packet (as after an SSRC change) and later packets follow it in RTP time.
//
// Rules 2 and 3 apply only while the arrival times are a clock at all: since the start of the run
// (first packet, SSRC change or re-base) they must have advanced by at least half the RTP time.
// A caller without a clock (RFC 4571 files, constant or index-based arrival times) gets the plain
// RTP time line as before, genuine long gaps included.
//
// No clock of its own: arrival times are the caller's (made non-decreasing here).
#pragma once
#include <cstdint>

namespace te {

struct RtpTimelineOptions {
  uint32_t clock_rate = 90000;
  // RTP may run ahead of arrival by this much from one accepted packet to the next. Covers a
  // 1 fps screen share or Opus DTX (400 ms) pushed with constant arrival times, pacer bursts
  // (libwebrtc's pacer queue is bounded at 2 s) and event-loop stalls of the caller.
  uint32_t ahead_tolerance_ms = 5000;
  // ... plus this fraction (parts per million) of the arrival distance: sender and receiver
  // clocks, and sample-counting audio devices, disagree by up to ~1 % over long gaps.
  uint32_t drift_ppm = 10000;
  // RTP may step back this much (B-frame reordering, packets reordered in the network). The
  // pipeline adds the reorder wait: a packet later than that is dropped as late anyway.
  uint32_t behind_tolerance_ms = 1000;
  // Consistent outliers (distinct timestamps) before the stream is re-based.
  uint32_t rebase_after = 3;
};

enum class RtpTimeVerdict : uint8_t {
  kAccepted,  // ext_timestamp is on the time line
  kOutlier,   // does not fit: the caller drops it (as a loss)
  kRebased,   // accepted, and the stream was re-based on it
};

class RtpTimeline {
 public:
  explicit RtpTimeline(RtpTimelineOptions opts = {});

  // Places a media packet. Sets `ext` (the 64-bit time line, continuing across wraps, SSRC
  // changes and re-bases) unless the verdict is kOutlier.
  RtpTimeVerdict place(uint32_t ts, int64_t arrival_us, int64_t& ext);
  // Where `ts` would be placed, without accepting it (for packets that carry no media).
  int64_t peek(uint32_t ts, int64_t arrival_us) const;
  // New source (SSRC change): the next packet starts a new run at the arrival distance from the
  // last accepted packet, whatever its timestamp.
  void restart() { restart_next_ = started_; }

 private:
  struct Ref {
    uint32_t ts = 0;
    int64_t ext = 0;
    int64_t arrival_us = 0;
  };
  double elapsed_ticks(int64_t from_us, int64_t to_us) const;
  // `ts` unwrapped near `ref` + the arrival distance (rule 1).
  int64_t unwrap_near(const Ref& ref, uint32_t ts, int64_t arrival_us) const;
  bool fits(const Ref& ref, int64_t ext, int64_t arrival_us) const;  // rule 2
  bool arrival_is_a_clock(int64_t arrival_us) const;
  void accept(uint32_t ts, int64_t ext, int64_t arrival_us);

  RtpTimelineOptions opts_;
  bool started_ = false;
  bool restart_next_ = false;
  int64_t last_arrival_us_ = INT64_MIN;  // arrival times are clamped to be non-decreasing
  Ref ref_;        // last accepted packet
  Ref run_start_;  // first packet of the run (first, after an SSRC change or a re-base)
  // The current chain of consistent outliers (rule 3), in their own unwrapped time.
  uint32_t chain_ = 0;    // distinct timestamps in the chain (0: no chain)
  Ref chain_first_;       // ext: the first one's own unwrapped value (chain time)
  Ref chain_last_;
};

}  // namespace te
