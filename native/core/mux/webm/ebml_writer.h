// EBML element writer (RFC 8794 "Extensible Binary Meta Language").
//
// Element = ID | data size | data   (RFC 8794 §4, §5, §6)
//
// Element IDs are written as they appear in the Matroska schema, marker bits included
// (0x1A45DFA3 is four bytes, 0xA3 one). Data sizes are variable-size integers (RFC 8794 §4):
//
//   1 byte : 1xxx xxxx                      values 0 .. 2^7-2
//   2 bytes: 01xx xxxx xxxx xxxx            values 0 .. 2^14-2
//   ...
//   8 bytes: 0000 0001 xxxx ... (7 bytes)   values 0 .. 2^56-2
//
// A size with all value bits set is reserved for "unknown size" (RFC 8794 §6.2); this writer
// never produces it for a known size. Integers are big-endian in the fewest bytes (RFC 8794 §7.2),
// floats are 8-byte IEEE 754 big-endian (§7.3), strings are ASCII without terminator (§7.4).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace te {

constexpr uint64_t kEbmlUnknownSize = 0x01FFFFFFFFFFFFFFull;  // 8-byte unknown-size marker

// Bytes an element ID takes (1..4; taken from the position of its first set bit).
size_t ebml_id_length(uint32_t id);
// Fewest bytes (1..8) that encode `value` as a data size; 0 when value >= 2^56-1.
size_t ebml_size_length(uint64_t value);
// Writes `value` as a data size of exactly `len` bytes; returns false if it does not fit.
bool write_ebml_size(uint8_t* out, uint64_t value, size_t len);

class EbmlWriter {
 public:
  void put_id(uint32_t id);
  void put_size(uint64_t value, size_t len = 0);  // len 0 = fewest bytes
  void put_unknown_size();                        // 01 FF FF FF FF FF FF FF
  void put_uint(uint32_t id, uint64_t value);
  void put_float(uint32_t id, double value);
  void put_string(uint32_t id, const char* s);
  void put_binary(uint32_t id, const uint8_t* data, size_t n);
  // A master element whose children were written into `body`.
  void put_master(uint32_t id, const EbmlWriter& body);
  // A Void element (0xEC, RFC 8794 §11.3.2 / Matroska Void) of exactly `total` bytes (>= 2).
  void put_void(size_t total);
  void put_bytes(const uint8_t* data, size_t n);
  void put_be(uint64_t value, size_t len);

  const std::vector<uint8_t>& bytes() const { return bytes_; }
  size_t size() const { return bytes_.size(); }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace te
