// The duration of the last frame of a stream, which no later timestamp bounds: a typical frame
// duration, the median of the recent frame-to-frame deltas. A single long gap (a paused sender, a
// stretch of loss) or one bad timestamp cannot stretch it, unlike "the previous delta".
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>

namespace te {

class RecentFrameDuration {
 public:
  // A delta between two consecutive frames' start times, in clock units; <= 0 is ignored.
  void add(int64_t delta) {
    if (delta <= 0) return;
    // Replacing a delta by an equal one leaves the median as it is (constant frame rates).
    if (count_ < kWindow || deltas_[next_] != delta) dirty_ = true;
    deltas_[next_] = delta;
    next_ = (next_ + 1) % kWindow;
    if (count_ < kWindow) count_++;
  }
  bool empty() const { return count_ == 0; }
  // The median of the last kWindow positive deltas (the lower middle for an even count), or
  // `fallback` when none was seen. O(kWindow) when the deltas changed, else O(1).
  int64_t typical(int64_t fallback) const {
    if (count_ == 0) return fallback;
    if (dirty_) {
      std::array<int64_t, kWindow> d{};
      std::copy(deltas_.begin(), deltas_.begin() + count_, d.begin());
      auto mid = d.begin() + (count_ - 1) / 2;
      std::nth_element(d.begin(), mid, d.begin() + count_);
      median_ = *mid;
      dirty_ = false;
    }
    return median_;
  }

 private:
  static constexpr size_t kWindow = 15;
  std::array<int64_t, kWindow> deltas_{};
  size_t next_ = 0;
  size_t count_ = 0;
  mutable int64_t median_ = 0;
  mutable bool dirty_ = false;
};

}  // namespace te
