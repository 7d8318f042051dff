// Reorder buffer with a bounded wait (the jitter-buffer part that matters for recording).
//
// Packets go in as they arrive; they come out in sequence order. A gap is waited for at most
// `max_wait_us` (measured from the arrival of the first packet after the gap) or until the buffer
// holds `max_packets`; then the missing packets are declared lost and the next packet is released
// with `lost_before` set. Duplicates and packets older than the last released one are dropped and
// counted. Time is passed in by the caller: the core has no clock.
#pragma once
#include <cstdint>
#include <vector>

#include "../media/packet_hold.h"
#include "rtp_packet.h"
#include "seq_unwrapper.h"

namespace te {

struct ReorderOptions {
  uint32_t max_wait_us = 200000;  // how long to wait for a missing packet
  uint32_t max_packets = 1024;    // capacity; when full, the oldest gap is given up at once
  // A sequence jump larger than this (either way) is a stream restart (e.g. the publisher
  // reconnected): everything buffered is released, and the stream continues from the new number.
  uint32_t restart_gap = 3000;
};

struct ReorderStats {
  uint64_t received = 0;    // packets inserted (valid RTP)
  uint64_t released = 0;    // packets released in order
  uint64_t duplicates = 0;  // same sequence number seen twice
  uint64_t late = 0;        // arrived after its slot was released or declared lost
  uint64_t lost = 0;        // declared lost (gaps)
  uint64_t reordered = 0;   // arrived after a packet with a higher sequence number
  uint64_t restarts = 0;    // sequence discontinuities treated as a stream restart
};

struct ReleasedPacket {
  RtpPacket packet;  // ext_sequence filled in
  PacketHold hold;
  uint32_t lost_before = 0;  // packets declared lost immediately before this one
  uint8_t tag = 0;           // the caller's tag from insert(), returned unchanged
};

class ReorderBuffer {
 public:
  explicit ReorderBuffer(ReorderOptions opts = {});

  // Takes a parsed packet. Returns false (and releases the hold) when it is a duplicate or late.
  // `tag` is opaque here: it comes back with the packet (RtpInput marks packets it will drop after
  // reordering, so they still fill their sequence slot instead of looking lost).
  bool insert(const RtpPacket& pkt, PacketHold hold, int64_t now_us, uint8_t tag = 0);
  // Releases the next packet if it is in order, or if the gap before it has waited long enough.
  bool pop(int64_t now_us, ReleasedPacket& out);
  // End of stream: release everything buffered, in order, declaring gaps lost without waiting.
  bool drain(ReleasedPacket& out);
  // Sequence numbers currently missing and still waited for, oldest first (for NACK, RFC 4585
  // §6.2.1). At most `max` entries.
  std::vector<uint16_t> missing(size_t max = 64) const;
  // Earliest time at which pop() could release a packet by timeout; INT64_MAX when none.
  int64_t next_deadline_us() const;
  size_t buffered() const;
  // The next inserted packet starts a new run whatever its sequence number (the caller saw an
  // SSRC change). Packets buffered before it are still released first, in order.
  void restart() { restart_next_ = started_; }
  const ReorderStats& stats() const { return stats_; }

 private:
  // One buffered packet. The ring holds packets whose ext_sequence lies within one ring length
  // of the lowest buffered one, at index ext_sequence & mask_; the rare packets beyond that
  // window (huge gaps with a stuck front) wait in spill_, sorted by ext_sequence, highest first.
  struct Slot {
    RtpPacket packet;  // packet.ext_sequence is the slot's key
    PacketHold hold;
    int64_t arrival_us = 0;
    bool used = false;
    uint8_t tag = 0;
  };

  int64_t unwrap_ext(uint16_t seq) const { return unwrap_.peek(seq) + offset_; }
  bool contains(int64_t ext) const;
  void store(Slot&& s);
  void place_in_ring(Slot&& s);
  bool grow_ring(int64_t span);
  void migrate_spill();
  int64_t min_arrival() const;
  bool front_due(int64_t now_us) const;
  bool release_front(ReleasedPacket& out);

  ReorderOptions opts_;
  ReorderStats stats_;
  SeqUnwrapper unwrap_;
  std::vector<Slot> ring_;
  uint64_t mask_ = 0;
  size_t ring_max_ = 0;      // ring length never exceeds this (power of two >= max_packets)
  size_t ring_count_ = 0;
  std::vector<Slot> spill_;  // all spilled ext_sequence > every ring ext_sequence
  bool started_ = false;
  bool restart_next_ = false;  // restart() was called: the next insert starts a new run
  int64_t offset_ = 0;       // ext_sequence = unwrapped sequence + offset_ (moves on a restart)
  int64_t next_ = 0;         // ext_sequence of the next packet to release
  int64_t highest_ = 0;      // highest ext_sequence accepted
  int64_t ring_lo_ = 0;      // lowest / highest ext_sequence in the ring (when ring_count_ > 0)
  int64_t ring_hi_ = 0;
  int64_t restart_at_ = 0;   // first packet of the current run; gaps before it are not waited for
  int64_t last_now_ = INT64_MIN;
  mutable int64_t min_arrival_ = INT64_MAX;  // earliest arrival among buffered packets
  mutable bool min_arrival_stale_ = false;

 public:
  ~ReorderBuffer();
  ReorderBuffer(const ReorderBuffer&) = delete;
  ReorderBuffer& operator=(const ReorderBuffer&) = delete;
};

}  // namespace te
