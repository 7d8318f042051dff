// ISO Base Media File Format box writer (ISO/IEC 14496-12 §4.2 Box / FullBox).
//
//   aligned(8) class Box (type) {            aligned(8) class FullBox (type, v, flags)
//     unsigned int(32) size;                   extends Box(type) {
//     unsigned int(32) type;                     unsigned int(8)  version = v;
//     if (size == 1) unsigned int(64) largesize; unsigned int(24) flags = f;
//   }                                          }
//
// Boxes nest: begin() reserves the 32-bit size, end() patches it with the final length. All
// integers are big-endian. The writer produces *generated* bytes only (headers and tables);
// sample data never passes through it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace te {

class Mp4BoxWriter {
 public:
  void begin(const char type[4]);
  void begin_full(const char type[4], uint8_t version, uint32_t flags);
  void end();  // closes the innermost open box

  void u8(uint8_t v) { buf_.push_back(v); }
  void u16(uint16_t v);
  void u24(uint32_t v);
  void u32(uint32_t v);
  void u64(uint64_t v);
  void i32(int32_t v) { u32(static_cast<uint32_t>(v)); }
  void fourcc(const char c[4]);
  void bytes(const uint8_t* p, size_t n) { buf_.insert(buf_.end(), p, p + n); }
  void bytes(const std::vector<uint8_t>& v) { bytes(v.data(), v.size()); }
  void zeros(size_t n) { buf_.insert(buf_.end(), n, 0); }
  // The 3×3 unity transformation matrix of mvhd/tkhd (§8.2.2.3, §8.3.2.3).
  void unity_matrix();

  void patch_u32(size_t pos, uint32_t v);
  size_t size() const { return buf_.size(); }
  const std::vector<uint8_t>& data() const { return buf_; }
  std::vector<uint8_t>& data() { return buf_; }
  bool balanced() const { return open_.empty(); }

 private:
  std::vector<uint8_t> buf_;
  std::vector<size_t> open_;
};

}  // namespace te
