// VP8 RTP payload descriptor (RFC 7741 §4.2) and key frame header (RFC 7741 §4.3, RFC 6386 §9.1).
// Bit layouts are drawn in vp8_payload_descriptor.h.
#include "vp8_payload_descriptor.h"

#include "vpx_picture_id.h"

namespace te {

bool parse_vp8_descriptor(ByteView p, Vp8Descriptor& d) {
  d = Vp8Descriptor();
  size_t i = 0;
  if (p.size < 1) return false;
  const uint8_t b0 = p[i++];
  d.extended = (b0 & 0x80) != 0;
  d.non_reference = (b0 & 0x20) != 0;
  d.start = (b0 & 0x10) != 0;
  d.partition = b0 & 0x07;
  if (d.extended) {
    if (i >= p.size) return false;
    const uint8_t x = p[i++];
    d.has_picture_id = (x & 0x80) != 0;
    d.has_tl0picidx = (x & 0x40) != 0;
    d.has_tid = (x & 0x20) != 0;
    d.has_keyidx = (x & 0x10) != 0;
    if (d.has_picture_id && !parse_vpx_picture_id(p, i, d.picture_id_15, d.picture_id))
      return false;
    if (d.has_tl0picidx) {
      if (i >= p.size) return false;
      d.tl0picidx = p[i++];
    }
    if (d.has_tid || d.has_keyidx) {  // one shared T/K byte (RFC 7741 §4.2)
      if (i >= p.size) return false;
      const uint8_t t = p[i++];
      if (d.has_tid) {
        d.tid = t >> 6;
        d.layer_sync = (t & 0x20) != 0;
      }
      if (d.has_keyidx) d.keyidx = t & 0x1F;
    }
  }
  d.size = i;
  return i < p.size;
}

bool parse_vp8_keyframe_header(const uint8_t* f, size_t n, Vp8KeyframeInfo& out) {
  if (n < 10 || !vp8_is_keyframe(f[0])) return false;
  if (f[3] != 0x9d || f[4] != 0x01 || f[5] != 0x2a) return false;  // RFC 6386 §9.1 start code
  const uint16_t w = static_cast<uint16_t>(f[6] | (f[7] << 8));
  const uint16_t h = static_cast<uint16_t>(f[8] | (f[9] << 8));
  out.width = w & 0x3FFF;
  out.horizontal_scale = static_cast<uint8_t>(w >> 14);
  out.height = h & 0x3FFF;
  out.vertical_scale = static_cast<uint8_t>(h >> 14);
  return out.width != 0 && out.height != 0;
}

}  // namespace te
