// EBML writer (RFC 8794 §4 variable-size integers, §5 element IDs, §7 data types). Layout in
// ebml_writer.h.
#include "ebml_writer.h"

#include <cstring>

namespace te {

size_t ebml_id_length(uint32_t id) {
  if (id > 0xFFFFFF) return 4;
  if (id > 0xFFFF) return 3;
  if (id > 0xFF) return 2;
  return 1;
}

size_t ebml_size_length(uint64_t value) {
  for (size_t len = 1; len <= 8; len++) {
    const uint64_t max = (uint64_t{1} << (7 * len)) - 1;  // all ones is reserved
    if (value < max) return len;
  }
  return 0;
}

bool write_ebml_size(uint8_t* out, uint64_t value, size_t len) {
  if (len < 1 || len > 8 || value >= (uint64_t{1} << (7 * len)) - 1) return false;
  for (size_t i = 0; i < len; i++) out[len - 1 - i] = static_cast<uint8_t>(value >> (8 * i));
  out[0] |= static_cast<uint8_t>(0x80 >> (len - 1));  // length marker bit
  return true;
}

void EbmlWriter::put_be(uint64_t value, size_t len) {
  for (size_t i = len; i-- > 0;) bytes_.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

void EbmlWriter::put_bytes(const uint8_t* data, size_t n) {
  if (n) bytes_.insert(bytes_.end(), data, data + n);
}

void EbmlWriter::put_id(uint32_t id) { put_be(id, ebml_id_length(id)); }

void EbmlWriter::put_size(uint64_t value, size_t len) {
  if (len == 0) len = ebml_size_length(value);
  uint8_t tmp[8];
  if (!write_ebml_size(tmp, value, len)) {  // cannot happen for sizes of real elements
    put_unknown_size();
    return;
  }
  put_bytes(tmp, len);
}

void EbmlWriter::put_unknown_size() { put_be(kEbmlUnknownSize, 8); }

void EbmlWriter::put_uint(uint32_t id, uint64_t value) {
  size_t len = 1;
  while (len < 8 && (value >> (8 * len)) != 0) len++;
  put_id(id);
  put_size(len);
  put_be(value, len);
}

void EbmlWriter::put_float(uint32_t id, double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  put_id(id);
  put_size(8);
  put_be(bits, 8);
}

void EbmlWriter::put_string(uint32_t id, const char* s) {
  put_binary(id, reinterpret_cast<const uint8_t*>(s), std::strlen(s));
}

void EbmlWriter::put_binary(uint32_t id, const uint8_t* data, size_t n) {
  put_id(id);
  put_size(n);
  put_bytes(data, n);
}

void EbmlWriter::put_master(uint32_t id, const EbmlWriter& body) {
  put_id(id);
  put_size(body.size());
  put_bytes(body.bytes_.data(), body.size());
}

void EbmlWriter::put_void(size_t total) {
  if (total < 2) return;
  // One size byte while the payload fits in 126 bytes, otherwise an 8-byte size.
  const size_t len = (total - 2 <= 126) ? 1 : 8;
  const size_t payload = total - 1 - len;
  put_id(0xEC);
  put_size(payload, len);
  bytes_.insert(bytes_.end(), payload, 0);
}

}  // namespace te
