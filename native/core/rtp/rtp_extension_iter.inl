// RTP header extension elements (RFC 8285 "A General Mechanism for RTP Header Extensions").
// Included at the end of rtp_packet.h; `pkt.extension` is the data after the 4-byte RFC 3550
// §5.3.1 extension header (profile + length), so only the elements themselves are parsed here.
//
// One-byte header form, profile 0xBEDE (RFC 8285 §4.2):
//    0 1 2 3 4 5 6 7
//   +-+-+-+-+-+-+-+-+
//   |  ID   |  len  |  followed by len+1 data bytes; ID 1-14 valid,
//   +-+-+-+-+-+-+-+-+  ID 0 with len 0 = one padding byte, ID 15 = stop processing.
//
// Two-byte header form, profile 0x100X, X = 4 "appbits" (RFC 8285 §4.3):
//    0                   1
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |       ID      |     length    |  followed by `length` data bytes (0 allowed);
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  ID 0 = one padding byte (no length byte).
#pragma once
#include <cstddef>
#include <type_traits>

namespace te {

namespace rtp_ext_detail {
// Calls `f(e)`; when `f` returns bool, false means "stop iterating" (reported as `stop = true`).
template <class F>
inline bool visit(F& f, const RtpExtensionElement& e) {
  if constexpr (std::is_same_v<decltype(f(e)), bool>) {
    return f(e);
  } else {
    f(e);
    return true;
  }
}
}  // namespace rtp_ext_detail

template <class F>
bool for_each_rtp_extension(const RtpPacket& pkt, F&& f) {
  const ByteView d = pkt.extension;
  const size_t n = d.size;
  if (pkt.extension_profile == 0xBEDE) {
    // RFC 8285 §4.2 one-byte header elements.
    size_t i = 0;
    while (i < n) {
      const uint8_t b = d[i];
      if (b == 0) {  // padding byte ("ID 0 ... MUST be ignored", its length is also 0)
        ++i;
        continue;
      }
      const uint8_t id = static_cast<uint8_t>(b >> 4);
      if (id == 15) return true;  // §4.2: stop; only the elements before it count
      const size_t len = static_cast<size_t>(b & 0x0F) + 1;
      if (len > n - i - 1) return false;  // element runs past the block
      if (!rtp_ext_detail::visit(f, RtpExtensionElement{id, d.sub(i + 1, len)})) return true;
      i += 1 + len;
    }
    return true;
  }
  if ((pkt.extension_profile & 0xFFF0) == 0x1000) {
    // RFC 8285 §4.3 two-byte header elements.
    size_t i = 0;
    while (i < n) {
      const uint8_t id = d[i];
      if (id == 0) {  // padding byte
        ++i;
        continue;
      }
      if (n - i < 2) return false;  // ID without its length byte
      const size_t len = d[i + 1];
      if (len > n - i - 2) return false;
      if (!rtp_ext_detail::visit(f, RtpExtensionElement{id, d.sub(i + 2, len)})) return true;
      i += 2 + len;
    }
    return true;
  }
  // No extension at all is a well-formed (empty) block; any other profile is not RFC 8285.
  return pkt.extension_profile == 0 && n == 0;
}

}  // namespace te
