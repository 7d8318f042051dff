// CRC-32/Ogg (RFC 3533 §6): poly 0x04C11DB7, MSB first, init 0, no reflection, no final XOR.
#include "ogg_crc.h"

namespace te {

namespace {

struct CrcTable {
  uint32_t v[256];
  CrcTable() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t r = i << 24;
      for (int b = 0; b < 8; ++b) r = (r & 0x80000000u) ? (r << 1) ^ 0x04C11DB7u : (r << 1);
      v[i] = r;
    }
  }
};

const CrcTable& table() {
  static const CrcTable t;
  return t;
}

}  // namespace

uint32_t OggCrc::update(uint32_t crc, const uint8_t* p, size_t n) {
  const uint32_t* t = table().v;
  for (size_t i = 0; i < n; ++i) crc = (crc << 8) ^ t[((crc >> 24) ^ p[i]) & 0xFF];
  return crc;
}

}  // namespace te
