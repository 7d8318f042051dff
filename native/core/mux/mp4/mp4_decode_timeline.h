// Decoding times for frames that arrive in decode order with presentation times (RTP timestamps)
// that are not monotonic (H.264 B-frames).
//
// ISO/IEC 14496-12 §8.6.1 requires decoding times that strictly increase with CT(n) = DT(n) +
// composition offset. Only PTS is transmitted, so DTS is derived: the n-th frame in decode order
// gets the n-th smallest PTS of the stream, shifted back by a constant reorder delay D:
//
//   DT(n) = sorted_pts[n] - D        CT(n) - DT(n) = pts(n) - sorted_pts[n] + D
//
// With D = max(sorted_pts[n] - pts(n)) every offset is >= 0. Sorted PTS keeps the RTP spacing, so
// a gap in the timestamps (lost frames, a paused sender) stays a gap of exactly that length, and
// everything is integer arithmetic on unwrapped 64-bit timestamps: no drift. Media time 0 is the
// smallest PTS at start(); the first frame is presented at media time D (the edit list skips it).
#pragma once
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

namespace te {

class Mp4DecodeTimeline {
 public:
  // Every frame's PTS, in decode order, before its DTS is taken.
  void push(int64_t pts) { heap_.push(pts); }
  // Fixes media time 0 (the smallest PTS pushed so far) and the reorder delay.
  void start(int64_t delay);
  bool started() const { return started_; }
  int64_t delay() const { return delay_; }

  // DTS (media time) of the next frame in decode order. Strictly increasing: a PTS that arrives
  // too late to keep that (a broken reorder pattern) is clamped, its offset may go negative.
  int64_t take();
  // The DTS the next take() will return at the least, fixed now (the last duration of a fragment
  // is cut before the next frame's DTS is taken).
  int64_t reserve_next();
  // CT(n) - DT(n) for a frame with this PTS that got `dts`.
  int64_t composition_offset(int64_t pts, int64_t dts) const { return pts - origin_ + delay_ - dts; }
  size_t pending() const { return heap_.size(); }

  // Smallest D that keeps every DT(n) <= CT(n) for these PTS (decode order).
  static int64_t required_delay(const std::vector<int64_t>& pts_decode_order);

 private:
  std::priority_queue<int64_t, std::vector<int64_t>, std::greater<int64_t>> heap_;
  int64_t origin_ = 0;
  int64_t delay_ = 0;
  int64_t last_ = -1;
  bool started_ = false;
};

}  // namespace te
