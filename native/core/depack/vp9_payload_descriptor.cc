// VP9 RTP payload descriptor (RFC 9628 §4.2) and scalability structure (RFC 9628 §4.2.1).
// Bit layouts are drawn in vp9_payload_descriptor.h.
#include "vp9_payload_descriptor.h"

#include "vpx_picture_id.h"

namespace te {

namespace {

bool parse_ss(ByteView p, size_t& i, Vp9ScalabilityStructure* out) {
  Vp9ScalabilityStructure tmp_small;  // only when the caller does not want the content
  Vp9ScalabilityStructure& ss = out ? *out : tmp_small;
  if (i >= p.size) return false;
  const uint8_t b = p[i++];
  ss.num_spatial = static_cast<uint8_t>((b >> 5) + 1);
  ss.has_resolution = (b & 0x10) != 0;
  ss.has_group = (b & 0x08) != 0;
  ss.num_group = 0;
  if (ss.has_resolution) {
    for (uint8_t s = 0; s < ss.num_spatial; s++) {
      if (p.size - i < 4) return false;
      ss.width[s] = static_cast<uint16_t>((p[i] << 8) | p[i + 1]);
      ss.height[s] = static_cast<uint16_t>((p[i + 2] << 8) | p[i + 3]);
      i += 4;
    }
  }
  if (ss.has_group) {
    if (i >= p.size) return false;
    ss.num_group = p[i++];
    for (uint8_t g = 0; g < ss.num_group; g++) {
      if (i >= p.size) return false;
      const uint8_t e = p[i++];
      Vp9PictureGroupEntry& pg = ss.group[g];
      pg.tid = e >> 5;
      pg.switching_up = (e & 0x10) != 0;
      pg.num_ref = (e >> 2) & 0x03;
      for (uint8_t r = 0; r < pg.num_ref; r++) {
        if (i >= p.size) return false;
        pg.p_diff[r] = p[i++];
      }
    }
  }
  return true;
}

}  // namespace

bool parse_vp9_descriptor(ByteView p, Vp9Descriptor& d, Vp9ScalabilityStructure* ss) {
  d = Vp9Descriptor();
  size_t i = 0;
  if (p.size < 1) return false;
  const uint8_t b0 = p[i++];
  d.has_picture_id = (b0 & 0x80) != 0;
  d.inter_picture = (b0 & 0x40) != 0;
  d.has_layer = (b0 & 0x20) != 0;
  d.flexible = (b0 & 0x10) != 0;
  d.begin = (b0 & 0x08) != 0;
  d.end = (b0 & 0x04) != 0;
  d.has_ss = (b0 & 0x02) != 0;
  d.not_ref_upper = (b0 & 0x01) != 0;
  if (d.has_picture_id && !parse_vpx_picture_id(p, i, d.picture_id_15, d.picture_id)) return false;
  if (d.has_layer) {
    if (i >= p.size) return false;
    const uint8_t l = p[i++];
    d.tid = l >> 5;
    d.switching_up = (l & 0x10) != 0;
    d.sid = (l >> 1) & 0x07;
    d.inter_layer = (l & 0x01) != 0;
    if (!d.flexible) {  // TL0PICIDX follows the layer byte in non-flexible mode only
      if (i >= p.size) return false;
      d.has_tl0picidx = true;
      d.tl0picidx = p[i++];
    }
  }
  if (d.flexible && d.inter_picture) {
    // RFC 9628 §4.2: up to 3 reference indices; N=1 means another P_DIFF follows.
    bool more = true;
    while (more) {
      if (i >= p.size || d.num_p_diff == 3) return false;
      const uint8_t r = p[i++];
      const uint8_t diff = r >> 1;
      if (diff == 0) return false;  // a picture cannot reference itself
      d.p_diff[d.num_p_diff++] = diff;
      more = (r & 0x01) != 0;
    }
  }
  if (d.has_ss && !parse_ss(p, i, ss)) return false;
  d.size = i;
  return i < p.size;
}

}  // namespace te
