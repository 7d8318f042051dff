// ISO/IEC 14496-12 §4.2 Box / FullBox serialization; see mp4_box_writer.h.
#include "mp4_box_writer.h"

namespace te {

void Mp4BoxWriter::begin(const char type[4]) {
  open_.push_back(buf_.size());
  u32(0);  // size, patched by end()
  fourcc(type);
}

void Mp4BoxWriter::begin_full(const char type[4], uint8_t version, uint32_t flags) {
  begin(type);
  u8(version);
  u24(flags);
}

void Mp4BoxWriter::end() {
  if (open_.empty()) return;
  size_t start = open_.back();
  open_.pop_back();
  patch_u32(start, static_cast<uint32_t>(buf_.size() - start));
}

void Mp4BoxWriter::u16(uint16_t v) {
  buf_.push_back(static_cast<uint8_t>(v >> 8));
  buf_.push_back(static_cast<uint8_t>(v));
}

void Mp4BoxWriter::u24(uint32_t v) {
  buf_.push_back(static_cast<uint8_t>(v >> 16));
  buf_.push_back(static_cast<uint8_t>(v >> 8));
  buf_.push_back(static_cast<uint8_t>(v));
}

void Mp4BoxWriter::u32(uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) buf_.push_back(static_cast<uint8_t>(v >> s));
}

void Mp4BoxWriter::u64(uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) buf_.push_back(static_cast<uint8_t>(v >> s));
}

void Mp4BoxWriter::fourcc(const char c[4]) {
  for (int i = 0; i < 4; i++) buf_.push_back(static_cast<uint8_t>(c[i]));
}

void Mp4BoxWriter::unity_matrix() {
  // { 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000 }: 16.16 a,b,d,e; 2.30 u,v,w.
  const uint32_t m[9] = {0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000};
  for (uint32_t v : m) u32(v);
}

void Mp4BoxWriter::patch_u32(size_t pos, uint32_t v) {
  if (pos + 4 > buf_.size()) return;
  for (int i = 0; i < 4; i++) buf_[pos + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

}  // namespace te
