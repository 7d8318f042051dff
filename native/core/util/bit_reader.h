// MSB-first bit reader with Exp-Golomb codes (ITU-T H.264 §7.2 read_bits(n)/u(n), §9.1 ue(v) and
// §9.1.1 se(v); the same conventions are used by VP8/VP9 frame headers for plain f(n) fields).
//
// Bits are read from the most significant bit of each byte first:
//
//   byte 0           byte 1
//   7 6 5 4 3 2 1 0  7 6 5 4 3 2 1 0
//   ^ first bit read
//
// Exp-Golomb ue(v) (§9.1): leadingZeroBits zeros, a one, then leadingZeroBits info bits;
//   codeNum = 2^leadingZeroBits - 1 + read_bits(leadingZeroBits).
//   se(v) (§9.1.1) maps codeNum k to (-1)^(k+1) * Ceil(k / 2).
//
// Reading past the end never touches memory outside the view: it returns zeros and sets a sticky
// error flag that callers check once after a run of reads (bad input is data, not an exception).
#pragma once
#include <cstddef>
#include <cstdint>

#include "byte_view.h"

namespace te {

class BitReader {
 public:
  BitReader() = default;
  BitReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  explicit BitReader(ByteView v) : data_(v.data), size_(v.size) {}

  // Reads n bits (0..32) as an unsigned value.
  uint32_t read_bits(unsigned n) {
    if (n > 32) {
      error_ = true;
      return 0;
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++) v = (v << 1) | read_bit();
    return v;
  }
  uint32_t read_bit() {
    if (bit_pos_ >= size_ * 8) {
      error_ = true;
      return 0;
    }
    uint32_t b = (data_[bit_pos_ >> 3] >> (7 - (bit_pos_ & 7))) & 1u;
    bit_pos_++;
    return b;
  }
  bool read_flag() { return read_bit() != 0; }
  void skip_bits(size_t n) {
    if (n > bits_left()) {
      bit_pos_ = size_ * 8;
      error_ = true;
      return;
    }
    bit_pos_ += n;
  }
  // ue(v). Codes longer than 32 bits cannot be represented: error, returns 0.
  uint32_t read_ue() {
    unsigned zeros = 0;
    while (read_bit() == 0) {
      if (error_) return 0;
      if (++zeros > 31) {
        error_ = true;
        return 0;
      }
    }
    uint64_t v = (uint64_t{1} << zeros) - 1 + read_bits(zeros);
    if (error_ || v > UINT32_MAX) {
      error_ = true;
      return 0;
    }
    return static_cast<uint32_t>(v);
  }
  // se(v).
  int32_t read_se() {
    uint32_t k = read_ue();
    int64_t mag = (static_cast<int64_t>(k) + 1) / 2;
    return static_cast<int32_t>((k & 1) ? mag : -mag);
  }

  bool error() const { return error_; }
  size_t bit_position() const { return bit_pos_; }
  size_t bits_left() const { return size_ * 8 - bit_pos_; }
  bool byte_aligned() const { return (bit_pos_ & 7) == 0; }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t bit_pos_ = 0;
  bool error_ = false;
};

}  // namespace te
