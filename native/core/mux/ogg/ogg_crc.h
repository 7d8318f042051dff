// Ogg page checksum (RFC 3533 §6, "CRC_checksum"): CRC-32 with generator polynomial 0x04C11DB7,
// processed most significant bit first (unreflected), initial value 0, no final XOR, computed over
// the whole page (header, segment table and body) with the 4 checksum bytes set to zero.
#pragma once
#include <cstddef>
#include <cstdint>

namespace te {

class OggCrc {
 public:
  // Continues a checksum over `n` more bytes; start with crc = 0.
  static uint32_t update(uint32_t crc, const uint8_t* p, size_t n);
};

}  // namespace te
