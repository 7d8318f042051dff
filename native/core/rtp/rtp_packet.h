// RTP fixed header, CSRCs, header extension and padding (RFC 3550 §5.1, §5.3.1).
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |V=2|P|X|  CC   |M|     PT      |       sequence number         |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                           timestamp                           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |           synchronization source (SSRC) identifier            |
//  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//  |            contributing source (CSRC) identifiers             |
//  |                             ....                              |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#pragma once
#include <cstdint>

#include "../util/byte_view.h"

namespace te {

struct RtpPacket {
  // Identity of the caller's buffer this view points into (see media/packet_hold.h).
  uint32_t id = 0;
  ByteView bytes;  // the whole packet

  bool marker = false;
  uint8_t payload_type = 0;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  uint8_t csrc_count = 0;
  uint16_t extension_profile = 0;  // 0xBEDE one-byte / 0x100x two-byte (RFC 8285), or other
  ByteView extension;              // extension data after the 4-byte extension header
  uint8_t padding = 0;             // padding bytes removed from the end (RFC 3550 §5.1 P bit)
  ByteView payload;                // between header(+CSRC+extension) and padding

  // Filled by the pipeline after parsing: unwrapped 64-bit sequence number and timestamp.
  int64_t ext_sequence = 0;
  int64_t ext_timestamp = 0;
  int64_t arrival_us = 0;

  uint32_t payload_offset() const { return static_cast<uint32_t>(payload.data - bytes.data); }
};

enum class RtpParseError : uint8_t {
  kNone = 0,
  kTooShort,        // < 12 bytes, or CSRC/extension/padding run past the end
  kBadVersion,      // V != 2
  kBadPadding,      // padding count 0 or larger than what remains
  kRtcp,            // second byte 192..223 (RTCP PT 200..207 range): RTCP on a muxed port (RFC 5761 §4)
};

// Parses `bytes` into `out` (views only). Returns kNone on success. Never reads out of bounds.
RtpParseError parse_rtp(ByteView bytes, uint32_t id, RtpPacket& out);

// One element of a RFC 8285 header extension block.
struct RtpExtensionElement {
  uint8_t id;
  ByteView data;
};
// Iterates the RFC 8285 elements of `pkt.extension` (one-byte 0xBEDE or two-byte 0x100X profile).
// Returns false if the block is malformed; elements visited before that are still reported.
template <class F>
bool for_each_rtp_extension(const RtpPacket& pkt, F&& f);

}  // namespace te

#include "rtp_extension_iter.inl"
