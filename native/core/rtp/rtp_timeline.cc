#include "rtp_timeline.h"

#include <algorithm>
#include <cmath>

namespace te {

namespace {

constexpr double kWrap = 4294967296.0;  // 2^32: one RTP timestamp cycle
// Bounds that keep every sum below in range whatever the caller's arrival times say:
// at most 4096 wraps per step (more than 200 days even at a 1 MHz clock) and a time line within
// ±2^46 ticks (24 years at 90 kHz).
constexpr int64_t kMaxWraps = 4096;
constexpr int64_t kMaxExt = int64_t{1} << 46;

int64_t clamp_ext(int64_t v) { return std::min(std::max(v, -kMaxExt), kMaxExt); }

}  // namespace

RtpTimeline::RtpTimeline(RtpTimelineOptions opts) : opts_(opts) {
  if (opts_.clock_rate == 0) opts_.clock_rate = 90000;
  if (opts_.rebase_after == 0) opts_.rebase_after = 1;
}

double RtpTimeline::elapsed_ticks(int64_t from_us, int64_t to_us) const {
  const double us = static_cast<double>(to_us) - static_cast<double>(from_us);
  const double ticks = us * opts_.clock_rate / 1e6;
  return ticks < 0 ? 0 : std::min(ticks, static_cast<double>(kMaxExt));
}

int64_t RtpTimeline::unwrap_near(const Ref& ref, uint32_t ts, int64_t arrival_us) const {
  const int32_t delta = static_cast<int32_t>(ts - ref.ts);  // k = 0: nearest in RTP alone
  const double expected = elapsed_ticks(ref.arrival_us, arrival_us);
  double k = std::floor((expected - delta) / kWrap + 0.5);
  k = std::min(std::max(k, 0.0), static_cast<double>(kMaxWraps));
  return clamp_ext(ref.ext + delta + static_cast<int64_t>(k) * (int64_t{1} << 32));
}

bool RtpTimeline::arrival_is_a_clock(int64_t arrival_us) const {
  const double rtp_ticks = static_cast<double>(ref_.ext - run_start_.ext);
  return elapsed_ticks(run_start_.arrival_us, arrival_us) >= 0.5 * rtp_ticks;
}

bool RtpTimeline::fits(const Ref& ref, int64_t ext, int64_t arrival_us) const {
  if (!arrival_is_a_clock(arrival_us)) return true;  // nothing to check RTP time against
  const double d_rtp = static_cast<double>(ext - ref.ext) / opts_.clock_rate;  // seconds
  const double d_arr = elapsed_ticks(ref.arrival_us, arrival_us) / opts_.clock_rate;
  const double ahead = opts_.ahead_tolerance_ms / 1e3 + opts_.drift_ppm / 1e6 * d_arr;
  if (d_rtp - d_arr > ahead) return false;
  if (d_rtp < -(opts_.behind_tolerance_ms / 1e3)) return false;
  return true;
}

void RtpTimeline::accept(uint32_t ts, int64_t ext, int64_t arrival_us) {
  ref_.ts = ts;
  ref_.ext = ext;
  ref_.arrival_us = arrival_us;
}

int64_t RtpTimeline::peek(uint32_t ts, int64_t arrival_us) const {
  if (!started_) return ts;
  arrival_us = std::max(arrival_us, last_arrival_us_);
  if (restart_next_) {
    return clamp_ext(ref_.ext + std::llround(elapsed_ticks(ref_.arrival_us, arrival_us)));
  }
  return unwrap_near(ref_, ts, arrival_us);
}

RtpTimeVerdict RtpTimeline::place(uint32_t ts, int64_t arrival_us, int64_t& ext) {
  arrival_us = std::max(arrival_us, last_arrival_us_);
  last_arrival_us_ = arrival_us;
  if (!started_) {
    started_ = true;
    accept(ts, ext = ts, arrival_us);
    run_start_ = ref_;
    return RtpTimeVerdict::kAccepted;
  }
  if (restart_next_) {  // new source: continue at the wall-clock distance
    restart_next_ = false;
    chain_ = 0;
    ext = clamp_ext(ref_.ext + std::llround(elapsed_ticks(ref_.arrival_us, arrival_us)));
    accept(ts, ext, arrival_us);
    run_start_ = ref_;
    return RtpTimeVerdict::kAccepted;
  }
  const int64_t e = unwrap_near(ref_, ts, arrival_us);
  if (fits(ref_, e, arrival_us)) {
    chain_ = 0;  // a one-off outlier before this packet was just that
    accept(ts, ext = e, arrival_us);
    return RtpTimeVerdict::kAccepted;
  }

  // An outlier. Does it continue the current chain of outliers (rule 3)?
  const int64_t ce = chain_ > 0 ? unwrap_near(chain_last_, ts, arrival_us) : 0;
  if (chain_ > 0 && fits(chain_last_, ce, arrival_us)) {
    if (ce > chain_last_.ext) {  // a new, later timestamp (same-timestamp packets count once)
      chain_++;
      chain_last_ = Ref{ts, ce, arrival_us};
    }
  } else {
    chain_ = 1;
    chain_first_ = chain_last_ = Ref{ts, e, arrival_us};
  }
  if (chain_ < opts_.rebase_after) return RtpTimeVerdict::kOutlier;

  // Persistent: the first packet of the chain continues at the arrival distance from the last
  // accepted packet; this one follows it in RTP time.
  const int64_t first =
      clamp_ext(ref_.ext + std::llround(elapsed_ticks(ref_.arrival_us, chain_first_.arrival_us)));
  const int64_t own = chain_ == 1 ? e : ce;  // this packet in chain time
  ext = clamp_ext(first + (own - chain_first_.ext));
  chain_ = 0;
  accept(ts, ext, arrival_us);
  run_start_ = ref_;
  return RtpTimeVerdict::kRebased;
}

}  // namespace te
