// One sample as the MP4 tables describe it (ISO/IEC 14496-12 §8.6.1 decoding/composition time,
// §8.7.3 sample size, §8.8.8 track run). Times are in the media timescale (the RTP clock).
#pragma once
#include <cstdint>

namespace te {

struct Mp4Sample {
  uint32_t size = 0;
  uint32_t duration = 0;            // DT(n+1) - DT(n)
  int32_t composition_offset = 0;   // CT(n) - DT(n); negative only in degenerate streams
  bool keyframe = false;            // sync sample
};

// §8.8.3.1 sample flags: is_leading(2) depends_on(2) is_depended_on(2) has_redundancy(2)
// padding(3) is_non_sync_sample(1) degradation_priority(16), below 4 reserved bits.
constexpr uint32_t kMp4SyncSampleFlags = 0x02000000;     // depends_on = 2 (I picture)
constexpr uint32_t kMp4NonSyncSampleFlags = 0x01010000;  // depends_on = 1, is_non_sync_sample

}  // namespace te
