// MSB-first bit reader for the VP9 uncompressed header (VP9 Bitstream Specification §4.9 f(n):
// unsigned n-bit number, most significant bit first). Private to the VP9 depacketizer; reading
// past the end sets failed() and returns zeros, it never reads out of bounds.
#pragma once
#include <cstddef>
#include <cstdint>

namespace te {

class Vp9BitReader {
 public:
  Vp9BitReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  uint32_t f(unsigned n) {
    uint32_t v = 0;
    for (unsigned k = 0; k < n; k++) {
      if (pos_ >= size_ * 8) {
        failed_ = true;
        return 0;
      }
      const uint32_t bit = (data_[pos_ >> 3] >> (7 - (pos_ & 7))) & 1u;
      v = (v << 1) | bit;
      pos_++;
    }
    return v;
  }
  bool failed() const { return failed_; }
  size_t bit_position() const { return pos_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace te
