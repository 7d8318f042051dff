// Test-only Ogg reader: splits a byte string into pages (checking the CRC with an independent,
// bit-by-bit CRC-32/Ogg) and reassembles packets. Used to check what OggOpusMuxer writes and to
// read opusenc files.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace te_test {

inline uint32_t bitwise_ogg_crc(const uint8_t* p, size_t n) {
  uint32_t crc = 0;
  for (size_t i = 0; i < n; ++i) {
    crc ^= static_cast<uint32_t>(p[i]) << 24;
    for (int b = 0; b < 8; ++b) crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
  }
  return crc;
}

struct TestPage {
  uint8_t flags = 0;
  int64_t granule = 0;
  uint32_t serial = 0, sequence = 0, crc = 0;
  bool crc_ok = false;
  std::vector<uint8_t> lacing;
  std::vector<uint8_t> body;
  size_t offset = 0, size = 0;
};

struct TestPacket {
  std::vector<uint8_t> data;
  int64_t page_granule = 0;  // granule of the page the packet ends on
  size_t page_index = 0;
};

inline uint64_t le(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Returns false if the bytes are not a clean sequence of pages.
inline bool read_ogg(const std::vector<uint8_t>& f, std::vector<TestPage>& pages,
                     std::vector<TestPacket>& packets) {
  size_t pos = 0;
  std::vector<uint8_t> partial;
  while (pos < f.size()) {
    if (f.size() - pos < 27 || std::memcmp(&f[pos], "OggS", 4) != 0) return false;
    TestPage pg;
    const uint8_t* h = &f[pos];
    pg.flags = h[5];
    pg.granule = static_cast<int64_t>(le(h + 6, 8));
    pg.serial = static_cast<uint32_t>(le(h + 14, 4));
    pg.sequence = static_cast<uint32_t>(le(h + 18, 4));
    pg.crc = static_cast<uint32_t>(le(h + 22, 4));
    size_t nseg = h[26];
    if (f.size() - pos < 27 + nseg) return false;
    pg.lacing.assign(h + 27, h + 27 + nseg);
    size_t body = 0;
    for (uint8_t l : pg.lacing) body += l;
    if (f.size() - pos < 27 + nseg + body) return false;
    pg.body.assign(h + 27 + nseg, h + 27 + nseg + body);
    pg.offset = pos;
    pg.size = 27 + nseg + body;
    std::vector<uint8_t> copy(h, h + pg.size);
    std::memset(&copy[22], 0, 4);
    pg.crc_ok = bitwise_ogg_crc(copy.data(), copy.size()) == pg.crc;
    size_t b = 0;
    for (uint8_t l : pg.lacing) {
      partial.insert(partial.end(), pg.body.begin() + b, pg.body.begin() + b + l);
      b += l;
      if (l < 255) {
        packets.push_back(TestPacket{partial, pg.granule, pages.size()});
        partial.clear();
      }
    }
    pages.push_back(std::move(pg));
    pos += pages.back().size;
  }
  return partial.empty();
}

// The pages and packets of an Ogg file; `parsed` is false if it is not a clean page sequence.
struct OggContents {
  std::vector<TestPage> pages;
  std::vector<TestPacket> packets;
  bool parsed = false;
};
inline OggContents read_ogg(const std::vector<uint8_t>& f) {
  OggContents c;
  c.parsed = read_ogg(f, c.pages, c.packets);
  return c;
}

inline std::vector<uint8_t> read_file(const std::string& path) {
  std::vector<uint8_t> v;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return v;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) v.insert(v.end(), buf, buf + n);
  std::fclose(f);
  return v;
}

}  // namespace te_test
