// RTP packet parsing: RFC 3550 §5.1 (fixed header, CSRC list, P bit), §5.3.1 (header extension),
// and RFC 5761 §4 (telling RTCP apart from RTP on a multiplexed port).
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |V=2|P|X|  CC   |M|     PT      |       sequence number         |  bytes 0-3
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                           timestamp                           |  bytes 4-7
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |           synchronization source (SSRC) identifier            |  bytes 8-11
//  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//  |       CC x contributing source (CSRC) identifiers, 4 bytes     |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  defined by profile (X=1)     |  length (32-bit words)        |  §5.3.1
//  |                     extension data: length x 4 bytes          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                            payload ...                        |
//  |                               +-------------------------------+
//  |                               | padding (P=1) ... | pad count |  last byte counts itself
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#include "rtp_packet.h"

namespace te {

namespace {

uint16_t read_u16(ByteView b, size_t at) {
  return static_cast<uint16_t>((b[at] << 8) | b[at + 1]);
}
uint32_t read_u32(ByteView b, size_t at) {
  return (static_cast<uint32_t>(b[at]) << 24) | (static_cast<uint32_t>(b[at + 1]) << 16) |
         (static_cast<uint32_t>(b[at + 2]) << 8) | static_cast<uint32_t>(b[at + 3]);
}

constexpr size_t kFixedHeader = 12;
// RFC 5761 §4: RTCP packet types 192-223 occupy the same second byte as RTP with M=1 and
// PT 64-95 (SR 200, RR 201, SDES 202, BYE 203, APP 204, RTPFB 205, PSFB 206, XR 207).
constexpr uint8_t kRtcpSecondByteFirst = 192;
constexpr uint8_t kRtcpSecondByteLast = 223;

}  // namespace

RtpParseError parse_rtp(ByteView bytes, uint32_t id, RtpPacket& out) {
  out = RtpPacket{};
  out.id = id;
  out.bytes = bytes;
  if (bytes.data == nullptr || bytes.size == 0) return RtpParseError::kTooShort;
  if ((bytes[0] >> 6) != 2) return RtpParseError::kBadVersion;
  // Checked before the length: an RTCP RR/BYE without blocks is only 8 bytes long.
  if (bytes.size >= 2 && bytes[1] >= kRtcpSecondByteFirst && bytes[1] <= kRtcpSecondByteLast) {
    return RtpParseError::kRtcp;
  }
  if (bytes.size < kFixedHeader) return RtpParseError::kTooShort;

  const bool has_padding = (bytes[0] & 0x20) != 0;
  const bool has_extension = (bytes[0] & 0x10) != 0;
  out.csrc_count = bytes[0] & 0x0F;
  out.marker = (bytes[1] & 0x80) != 0;
  out.payload_type = bytes[1] & 0x7F;
  out.sequence = read_u16(bytes, 2);
  out.timestamp = read_u32(bytes, 4);
  out.ssrc = read_u32(bytes, 8);

  size_t pos = kFixedHeader + 4u * out.csrc_count;  // CSRC list, §5.1 "CC"
  if (pos > bytes.size) return RtpParseError::kTooShort;

  if (has_extension) {  // §5.3.1: 16-bit profile-defined field + 16-bit length in words
    if (bytes.size - pos < 4) return RtpParseError::kTooShort;
    out.extension_profile = read_u16(bytes, pos);
    const size_t ext_len = 4u * read_u16(bytes, pos + 2);
    pos += 4;
    if (bytes.size - pos < ext_len) return RtpParseError::kTooShort;
    out.extension = bytes.sub(pos, ext_len);
    pos += ext_len;
  }

  size_t end = bytes.size;
  if (has_padding) {  // §5.1 P: "The last octet of the padding contains a count of how many
                      // padding octets should be ignored, including itself."
    const uint8_t pad = bytes[bytes.size - 1];
    if (pad == 0 || pad > end - pos) return RtpParseError::kBadPadding;
    out.padding = pad;
    end -= pad;
  }
  out.payload = bytes.sub(pos, end - pos);  // may be empty (e.g. padding-only probes)
  return RtpParseError::kNone;
}

}  // namespace te
