// H.264 NAL unit header and the NAL unit types that matter for RTP (ITU-T H.264 §7.3.1, Table 7-1;
// RTP payload structures from RFC 6184 §5.2 Table 1 / §5.4).
//
//   +---------------+
//   |0|1|2|3|4|5|6|7|
//   +-+-+-+-+-+-+-+-+
//   |F|NRI|  Type   |     F = forbidden_zero_bit, NRI = nal_ref_idc (0 = not used for reference)
//   +---------------+
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace te {

namespace h264 {

enum NalType : uint8_t {
  kSlice = 1,      // coded slice of a non-IDR picture
  kSliceDpA = 2,   // data partitions A..C
  kSliceDpB = 3,
  kSliceDpC = 4,
  kIdr = 5,        // coded slice of an IDR picture
  kSei = 6,
  kSps = 7,
  kPps = 8,
  kAud = 9,        // access unit delimiter
  kEndOfSeq = 10,
  kEndOfStream = 11,
  kFiller = 12,
  // RFC 6184 aggregation / fragmentation payload structures (§5.2 Table 1 / §5.4).
  kStapA = 24,
  kStapB = 25,
  kMtap16 = 26,
  kMtap24 = 27,
  kFuA = 28,
  kFuB = 29,
};

inline uint8_t nal_type(uint8_t header) { return header & 0x1F; }
inline uint8_t nal_ref_idc(uint8_t header) { return (header >> 5) & 0x03; }
inline bool nal_forbidden_bit(uint8_t header) { return (header & 0x80) != 0; }
inline bool is_slice(uint8_t type) { return type >= kSlice && type <= kIdr; }

// Converts a NAL payload (EBSP) to RBSP by removing emulation_prevention_three_byte (§7.4.1:
// 0x000003 → 0x0000). Reads at most `max` input bytes; the result is for header parsing only.
inline void nal_to_rbsp(const uint8_t* p, size_t n, std::vector<uint8_t>& out, size_t max = SIZE_MAX) {
  out.clear();
  if (n > max) n = max;
  out.reserve(n);
  int zeros = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t b = p[i];
    if (zeros >= 2 && b == 0x03) {
      zeros = 0;
      continue;
    }
    zeros = (b == 0) ? zeros + 1 : 0;
    out.push_back(b);
  }
}

}  // namespace h264

}  // namespace te
