// VP9 superframe index (VP9 bitstream spec Annex B.3). Layout drawn in vp9_superframe_index.h.
#include "vp9_superframe_index.h"

namespace te {

namespace {
size_t bytes_per_size(const uint32_t* sizes, size_t count) {
  uint32_t max = 0;
  for (size_t i = 0; i < count; i++)
    if (sizes[i] > max) max = sizes[i];
  if (max <= 0xFF) return 1;
  if (max <= 0xFFFF) return 2;
  if (max <= 0xFFFFFF) return 3;
  return 4;
}
}  // namespace

size_t vp9_superframe_index_size(const uint32_t* sizes, size_t count) {
  if (count == 0 || count > kVp9MaxSuperframeFrames) return 0;
  return 2 + bytes_per_size(sizes, count) * count;
}

size_t write_vp9_superframe_index(const uint32_t* sizes, size_t count, uint8_t* out) {
  if (count == 0 || count > kVp9MaxSuperframeFrames) return 0;
  const size_t sz = bytes_per_size(sizes, count);
  const uint8_t marker = static_cast<uint8_t>(0xC0 | ((sz - 1) << 3) | (count - 1));
  size_t i = 0;
  out[i++] = marker;
  for (size_t f = 0; f < count; f++)
    for (size_t b = 0; b < sz; b++) out[i++] = static_cast<uint8_t>(sizes[f] >> (8 * b));
  out[i++] = marker;
  return i;
}

size_t parse_vp9_superframe_index(const uint8_t* data, size_t size, uint32_t* sizes) {
  if (size == 0) return 0;
  const uint8_t marker = data[size - 1];
  if ((marker & 0xE0) != 0xC0) return 0;
  const size_t sz = ((marker >> 3) & 0x3) + 1;
  const size_t count = (marker & 0x7) + 1;
  const size_t index_size = 2 + sz * count;
  if (size < index_size || data[size - index_size] != marker) return 0;
  const uint8_t* p = data + size - index_size + 1;
  for (size_t f = 0; f < count; f++) {
    uint32_t v = 0;
    for (size_t b = 0; b < sz; b++) v |= static_cast<uint32_t>(p[f * sz + b]) << (8 * b);
    sizes[f] = v;
  }
  return count;
}

}  // namespace te
