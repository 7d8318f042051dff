// Pieces shared by the recorder and PCM handles of the C ABI.
#pragma once
#include <cstdint>
#include <vector>

#include "core/media/packet_hold.h"

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

inline int64_t time_us(double t) { return t == t && t < 9.2e18 && t > -9.2e18 ? static_cast<int64_t>(t) : 0; }

}  // namespace te::capi
