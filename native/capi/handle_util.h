// Pieces shared by the recorder and PCM handles of the C ABI.
#pragma once
#include <cstdint>
#include <vector>

#include "core/media/packet_hold.h"
#include "core/pipeline/rtp_input.h"
#include "te/te.h"

namespace te::capi {

// Moves the pipeline's released packet ids into the handle's read buffer (valid until the next
// call) and returns it.
inline const uint32_t* take_released(ReleaseList& from, std::vector<uint32_t>& into, uint32_t* count) {
  into.swap(from.ids);
  from.ids.clear();
  if (count) *count = static_cast<uint32_t>(into.size());
  return into.data();
}

inline uint32_t copy_missing(const std::vector<uint16_t>& missing, uint16_t* out) {
  for (size_t i = 0; i < missing.size(); i++) out[i] = missing[i];
  return static_cast<uint32_t>(missing.size());
}

// Stat tables from the X-macro lists of te.h: "name" items joined by commas (a leading comma;
// skip it), and enumerators in list order.
#define TE_CAPI_STAT_NAME(n) "," #n
#define TE_CAPI_STAT_ENUM(n) n,
#define TE_CAPI_STAT_CASE(n) case n:

// The RTP input part that TE_RECORDER_STATS and TE_PCM_STATS both start with.
enum InputStat { TE_INPUT_STATS(TE_CAPI_STAT_ENUM) kInputStatCount };

inline double input_stat(const RtpInputStats& in, const ReorderStats& ro, int which) {
  switch (static_cast<InputStat>(which)) {
    case datagrams: return double(in.datagrams);
    case bytes: return double(in.bytes);
    case malformed: return double(in.malformed);
    case rtcp: return double(in.rtcp);
    case filtered: return double(in.filtered);
    case ssrcChanges: return double(in.ssrc_changes);
    case padding: return double(in.padding);
    case timestampOutliers: return double(in.timestamp_outliers);
    case timestampRebases: return double(in.timestamp_rebases);
    case received: return double(ro.received);
    case duplicates: return double(ro.duplicates);
    case late: return double(ro.late);
    case lost: return double(ro.lost);
    case reordered: return double(ro.reordered);
    case restarts: return double(ro.restarts);
    case kInputStatCount: break;
  }
  return 0;
}

// Writes min(count, max) values of stat(i) to out; returns how many.
template <typename F>
uint32_t write_stats(double* out, uint32_t max, uint32_t count, F&& stat) {
  uint32_t n = count < max ? count : max;
  for (uint32_t i = 0; i < n; i++) out[i] = stat(i);
  return n;
}

inline int64_t time_us(double t) { return t == t && t < 9.2e18 && t > -9.2e18 ? static_cast<int64_t>(t) : 0; }

}  // namespace te::capi
