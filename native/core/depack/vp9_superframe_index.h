// VP9 superframe index (VP9 bitstream spec Annex B.3 superframe_index()): lets one container
// sample hold several frames (e.g. the spatial layers of one picture) back to back.
//
//   +-------+-----+-----+---------------------------+-------+-----+-----+
//   |110    |SZ-1 |N-1  | N sizes, SZ bytes each,   |110    |SZ-1 |N-1  |
//   |3 bits |2 bits|3 bits| little endian           |(same marker byte) |
//   +-------+-----+-----+---------------------------+-------+-----+-----+
//
// SZ = bytes_per_framesize_minus_1 + 1 (1..4), N = frames_in_superframe_minus_1 + 1 (1..8).
#pragma once
#include <cstddef>
#include <cstdint>

namespace te {

constexpr size_t kVp9MaxSuperframeFrames = 8;

// Size of the index for these frame sizes (0 if count is 0 or > 8).
size_t vp9_superframe_index_size(const uint32_t* sizes, size_t count);
// Writes the index into out (vp9_superframe_index_size() bytes). Returns bytes written.
size_t write_vp9_superframe_index(const uint32_t* sizes, size_t count, uint8_t* out);

// Reads an index from the end of a frame. Returns the frame count (0 if there is none) and fills
// up to 8 sizes.
size_t parse_vp9_superframe_index(const uint8_t* data, size_t size, uint32_t* sizes);

}  // namespace te
