// OpusHead and OpusTags packets, RFC 7845 §5.1 and §5.2.
#include "opus_header_writer.h"

#include <cstring>

namespace te {

namespace {

void put_le(uint8_t* p, uint32_t v, int n) {
  for (int i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace

void OpusHeaderWriter::write_head(const OpusHeadFields& f, ByteChain& out) {
  uint8_t* p = out.append_generated(19);
  std::memcpy(p, "OpusHead", 8);  // magic signature
  p[8] = 1;                       // version (§5.1: 1; the major version is the upper 4 bits)
  p[9] = f.channels == 1 ? 1 : 2;  // output channel count
  put_le(p + 10, f.pre_skip, 2);
  put_le(p + 12, f.input_sample_rate, 4);
  put_le(p + 16, static_cast<uint16_t>(f.output_gain), 2);
  p[18] = 0;  // channel mapping family 0: mono or stereo, no mapping table (§5.1.1.1)
}

void OpusHeaderWriter::write_tags(const char* vendor, const char* comment, ByteChain& out) {
  const uint32_t vlen = vendor ? static_cast<uint32_t>(std::strlen(vendor)) : 0;
  const uint32_t clen = comment ? static_cast<uint32_t>(std::strlen(comment)) : 0;
  const uint32_t count = clen ? 1 : 0;
  uint8_t* p = out.append_generated(8 + 4 + vlen + 4 + (count ? 4 + clen : 0));
  std::memcpy(p, "OpusTags", 8);
  p += 8;
  put_le(p, vlen, 4);
  p += 4;
  if (vlen) std::memcpy(p, vendor, vlen);
  p += vlen;
  put_le(p, count, 4);
  p += 4;
  if (count) {
    put_le(p, clen, 4);
    std::memcpy(p + 4, comment, clen);
  }
}

}  // namespace te
