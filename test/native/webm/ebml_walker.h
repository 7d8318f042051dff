// Test-only EBML reader (RFC 8794 §4-§5) to parse the muxer's output back.
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

namespace te {
namespace testing_ebml {

struct Element {
  uint32_t id = 0;
  uint64_t start = 0;       // offset of the ID
  uint64_t data = 0;        // offset of the data
  uint64_t size = 0;        // data size (for unknown size: up to the end of the buffer)
  bool unknown_size = false;
  size_t size_length = 0;
  uint64_t end() const { return data + size; }
};

inline bool read_element(const std::vector<uint8_t>& b, uint64_t pos, Element& e) {
  if (pos >= b.size()) return false;
  e = Element();
  e.start = pos;
  const uint8_t first = b[pos];
  size_t idlen = first & 0x80 ? 1 : first & 0x40 ? 2 : first & 0x20 ? 3 : first & 0x10 ? 4 : 0;
  if (!idlen || pos + idlen > b.size()) return false;
  for (size_t i = 0; i < idlen; i++) e.id = (e.id << 8) | b[pos + i];
  pos += idlen;
  if (pos >= b.size()) return false;
  const uint8_t s0 = b[pos];
  size_t len = 0;
  for (size_t i = 0; i < 8; i++)
    if (s0 & (0x80 >> i)) {
      len = i + 1;
      break;
    }
  if (!len || pos + len > b.size()) return false;
  uint64_t v = s0 & (0xFF >> len);
  bool all_ones = v == (0xFFu >> len);
  for (size_t i = 1; i < len; i++) {
    v = (v << 8) | b[pos + i];
    all_ones = all_ones && b[pos + i] == 0xFF;
  }
  e.size_length = len;
  e.data = pos + len;
  if (all_ones) {
    e.unknown_size = true;
    e.size = b.size() - e.data;
  } else {
    e.size = v;
  }
  return e.data + e.size <= b.size();
}

// Children of a master element (or of the whole file when parent is null).
inline std::vector<Element> children(const std::vector<uint8_t>& b, const Element* parent) {
  std::vector<Element> out;
  uint64_t pos = parent ? parent->data : 0;
  const uint64_t end = parent ? parent->end() : b.size();
  Element e;
  while (pos < end && read_element(b, pos, e)) {
    out.push_back(e);
    pos = e.end();
  }
  return out;
}

inline const Element* find(const std::vector<Element>& v, uint32_t id) {
  for (const Element& e : v)
    if (e.id == id) return &e;
  return nullptr;
}

inline uint64_t read_uint(const std::vector<uint8_t>& b, const Element& e) {
  uint64_t v = 0;
  for (uint64_t i = 0; i < e.size; i++) v = (v << 8) | b[e.data + i];
  return v;
}

inline double read_float(const std::vector<uint8_t>& b, const Element& e) {
  uint64_t bits = read_uint(b, e);
  if (e.size == 4) {
    uint32_t b32 = static_cast<uint32_t>(bits);
    float f;
    std::memcpy(&f, &b32, 4);
    return f;
  }
  double d;
  std::memcpy(&d, &bits, 8);
  return d;
}

inline std::string read_string(const std::vector<uint8_t>& b, const Element& e) {
  return std::string(reinterpret_cast<const char*>(b.data() + e.data), e.size);
}

}  // namespace testing_ebml
}  // namespace te
