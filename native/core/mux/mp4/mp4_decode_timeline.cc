// DTS from sorted PTS; the reasoning is in mp4_decode_timeline.h (ISO/IEC 14496-12 §8.6.1).
#include "mp4_decode_timeline.h"

#include <algorithm>

namespace te {

void Mp4DecodeTimeline::start(int64_t delay) {
  started_ = true;
  origin_ = heap_.empty() ? 0 : heap_.top();
  delay_ = delay < 0 ? 0 : delay;
  last_ = -1;
}

int64_t Mp4DecodeTimeline::take() {
  int64_t dts = last_ + 1;
  if (!heap_.empty()) {
    dts = std::max(heap_.top() - origin_, last_ + 1);
    heap_.pop();
  }
  last_ = dts;
  return dts;
}

int64_t Mp4DecodeTimeline::reserve_next() {
  int64_t next = heap_.empty() ? last_ + 1 : std::max(heap_.top() - origin_, last_ + 1);
  last_ = next - 1;
  return next;
}

int64_t Mp4DecodeTimeline::required_delay(const std::vector<int64_t>& pts) {
  std::vector<int64_t> sorted(pts);
  std::sort(sorted.begin(), sorted.end());
  int64_t d = 0;
  for (size_t i = 0; i < pts.size(); i++) d = std::max(d, sorted[i] - pts[i]);
  return d;
}

}  // namespace te
