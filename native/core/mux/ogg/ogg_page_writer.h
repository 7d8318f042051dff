// Ogg page framing (RFC 3533 §6): packets are cut into lacing segments and gathered into pages.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | capture_pattern: "OggS" (0x4f 0x67 0x67 0x53)                 |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | version = 0   | header_type   | granule_position (64 bit LE)  |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
//  |                                                               |
//  +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                               | bitstream_serial_number (LE)  |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
//  |                               | page_sequence_number (LE)     |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
//  |                               | CRC_checksum (LE)             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
//  |                               |page_segments  | segment_table |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | ... segment_table (page_segments bytes) ... then the body     |
//  header_type: 0x01 continued packet, 0x02 first page (BOS), 0x04 last page (EOS).
//
// Lacing (RFC 3533 §5): a packet of S bytes is floor(S/255) segments of 255 bytes and one final
// segment of S mod 255 bytes (0 when S is a multiple of 255); a lacing value < 255 ends a packet.
// A page holds at most 255 segments; a packet that does not fit continues on the next page,
// which then has the "continued" flag. The granule position of a page is that of the last packet
// completed on it, or -1 when no packet ends on the page.
//
// Zero-copy: body bytes are views into the packets' ByteChains; only the page header and segment
// table are generated. A packet's hold moves to the page on which the packet ends (the last page
// that references its bytes).
#pragma once
#include <cstdint>
#include <deque>
#include <vector>

#include "../../media/byte_chain.h"
#include "../../media/packet_hold.h"

namespace te {

struct OggPage {
  ByteChain data;
  PacketHold hold;
};

class OggPageWriter {
 public:
  explicit OggPageWriter(uint32_t serial) : serial_(serial) {}

  // Appends one packet; `granule` is the granule position at the end of this packet. Pages that
  // fill up (255 segments) are closed and queued on the way.
  void add_packet(const ByteChain& packet, PacketHold&& hold, int64_t granule);
  // Closes the page being filled (no-op when it is empty, unless eos forces an empty EOS page).
  void flush_page(bool eos);
  bool pending() const { return !lacing_.empty(); }
  bool pop(OggPage& out);
  uint32_t pages_written() const { return sequence_; }

 private:
  void close_page(bool eos);

  uint32_t serial_;
  uint32_t sequence_ = 0;
  std::vector<uint8_t> lacing_;
  ByteChain body_;
  PacketHold hold_;
  int64_t granule_ = -1;
  bool continued_ = false;  // the page being filled starts with the rest of a packet
  std::deque<OggPage> ready_;
};

}  // namespace te
