// Reorder buffer: RTP packets in arrival order in, sequence order out, with a bounded wait for
// gaps. Sequence numbers are extended to 64 bits the way RFC 3550 §A.1 keeps the "extended
// highest sequence number"; the missing list feeds Generic NACK (RFC 4585 §6.2.1).
//
// Storage: a ring of slots indexed by ext_sequence & mask_ (O(1) insert and pop, no heap
// allocation once the ring has grown to the stream's working size). The ring covers one ring
// length starting at the lowest buffered packet; gaps before that take no slot.
//
//   ext_sequence:  next_          ring_lo_                      ring_hi_
//                   |  missing ... |[used][ ][used][used] ... [used]|   spill_ (rare, sorted)
//                   v              v                                v
//   released <------+   lost_before = ring_lo_ - next_ when the gap is given up
//
// A gap is given up when (a) every buffered packet is older than the current run (restart),
// (b) max_packets are buffered, or (c) now >= earliest arrival among buffered packets +
// max_wait_us — every buffered packet lies after the front gap, so the earliest of them is when
// the gap became known. Times are clamped to be non-decreasing, so a clock step backwards from
// the caller cannot make a deadline move away.
//
// Restart: a jump of more than restart_gap from the highest accepted ext_sequence. The new packet
// is numbered highest + 1 (ext_sequence stays monotonic for the consumers) and starts a new run:
// everything buffered before it is released first without waiting, then it comes out with
// lost_before = 0. Packets that unwrap to before the run start are late (as before the first
// packet ever: the first packet defines the start, anything older is late).
#include <cstddef>  // media/packet_hold.h uses size_t without including it

#include "reorder_buffer.h"

#include <algorithm>
#include <climits>
#include <utility>

namespace te {

namespace {

constexpr size_t kInitialRing = 64;
constexpr size_t kMaxRing = size_t{1} << 16;  // slots; beyond this packets spill

size_t round_up_pow2(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

int64_t saturating_add(int64_t a, int64_t b) {  // b >= 0
  return a > INT64_MAX - b ? INT64_MAX : a + b;
}

}  // namespace

ReorderBuffer::ReorderBuffer(ReorderOptions opts) : opts_(opts) {
  if (opts_.max_packets == 0) opts_.max_packets = 1;
  ring_max_ = round_up_pow2(std::min<size_t>(opts_.max_packets, kMaxRing));
  ring_.resize(std::min(kInitialRing, ring_max_));
  mask_ = ring_.size() - 1;
}

ReorderBuffer::~ReorderBuffer() = default;

size_t ReorderBuffer::buffered() const { return ring_count_ + spill_.size(); }

bool ReorderBuffer::insert(const RtpPacket& pkt, PacketHold hold, int64_t now_us, uint8_t tag) {
  stats_.received++;
  last_now_ = std::max(last_now_, now_us);

  Slot s;
  s.packet = pkt;
  s.arrival_us = last_now_;
  s.used = true;
  s.tag = tag;

  if (!started_) {
    started_ = true;
    const int64_t ext = unwrap_.unwrap(pkt.sequence);
    offset_ = 0;
    next_ = highest_ = restart_at_ = ext;
    s.packet.ext_sequence = ext;
    s.hold = std::move(hold);
    store(std::move(s));
    return true;
  }

  int64_t ext = unwrap_ext(pkt.sequence);
  const int64_t jump = ext - highest_;
  const int64_t gap = static_cast<int64_t>(opts_.restart_gap);
  if (jump > gap || jump < -gap || restart_next_) {
    restart_next_ = false;
    stats_.restarts++;
    unwrap_.reset();
    const int64_t raw = unwrap_.unwrap(pkt.sequence);
    ext = highest_ + 1;
    offset_ = ext - raw;
    highest_ = restart_at_ = ext;
    s.packet.ext_sequence = ext;
    s.hold = std::move(hold);
    store(std::move(s));
    return true;
  }

  if (ext < next_ || ext < restart_at_) {
    stats_.late++;
    return false;  // `hold` dies here: the packet goes back to the caller
  }
  if (contains(ext)) {
    stats_.duplicates++;
    return false;
  }
  unwrap_.unwrap(pkt.sequence);
  if (ext < highest_) {
    stats_.reordered++;
  } else {
    highest_ = ext;
  }
  s.packet.ext_sequence = ext;
  s.hold = std::move(hold);
  store(std::move(s));
  return true;
}

bool ReorderBuffer::contains(int64_t ext) const {
  if (ring_count_ > 0 && ext >= ring_lo_ && ext <= ring_hi_) {
    const Slot& s = ring_[static_cast<uint64_t>(ext) & mask_];
    return s.used && s.packet.ext_sequence == ext;
  }
  // spill_ is sorted by ext_sequence, highest first.
  auto it = std::lower_bound(spill_.begin(), spill_.end(), ext, [](const Slot& a, int64_t e) {
    return a.packet.ext_sequence > e;
  });
  return it != spill_.end() && it->packet.ext_sequence == ext;
}

void ReorderBuffer::place_in_ring(Slot&& s) {
  const int64_t ext = s.packet.ext_sequence;
  if (ring_count_ == 0) {
    ring_lo_ = ring_hi_ = ext;
  } else {
    ring_lo_ = std::min(ring_lo_, ext);
    ring_hi_ = std::max(ring_hi_, ext);
  }
  ring_[static_cast<uint64_t>(ext) & mask_] = std::move(s);
  ring_count_++;
}

bool ReorderBuffer::grow_ring(int64_t span) {
  // Grows (power of two, at most ring_max_) towards `span`; true when `span` now fits.
  const size_t want = span > static_cast<int64_t>(ring_max_)
                          ? ring_max_
                          : round_up_pow2(static_cast<size_t>(span));
  if (want > ring_.size()) {
    std::vector<Slot> bigger(want);
    const uint64_t mask = bigger.size() - 1;
    for (Slot& s : ring_) {
      if (s.used) bigger[static_cast<uint64_t>(s.packet.ext_sequence) & mask] = std::move(s);
    }
    ring_.swap(bigger);
    mask_ = mask;
  }
  return span <= static_cast<int64_t>(ring_.size());
}

void ReorderBuffer::store(Slot&& s) {
  const int64_t ext = s.packet.ext_sequence;
  if (min_arrival_stale_ || buffered() == 0) {
    min_arrival_ = buffered() == 0 ? s.arrival_us : min_arrival_;
  } else {
    min_arrival_ = std::min(min_arrival_, s.arrival_us);
  }
  const int64_t cap = static_cast<int64_t>(ring_.size());
  if (ring_count_ == 0) {  // invariant: an empty ring means an empty spill
    place_in_ring(std::move(s));
    return;
  }
  const bool above_spill = !spill_.empty() && ext > spill_.back().packet.ext_sequence;
  if (!above_spill) {
    const int64_t span = std::max(ring_hi_, ext) - std::min(ring_lo_, ext) + 1;
    if (span <= cap || grow_ring(span)) {
      place_in_ring(std::move(s));
      return;
    }
    if (ext < ring_lo_) {
      // Far below the ring: move the ring's top packets to the spill until it fits.
      const int64_t limit = ext + static_cast<int64_t>(ring_.size());
      while (ring_count_ > 0 && ring_hi_ >= limit) {
        Slot& top = ring_[static_cast<uint64_t>(ring_hi_) & mask_];
        spill_.push_back(std::move(top));  // smaller than every spilled packet: stays sorted
        top.used = false;
        ring_count_--;
        do {
          ring_hi_--;
        } while (ring_count_ > 0 && !ring_[static_cast<uint64_t>(ring_hi_) & mask_].used);
      }
      place_in_ring(std::move(s));
      return;
    }
  }
  auto it = std::lower_bound(spill_.begin(), spill_.end(), ext, [](const Slot& a, int64_t e) {
    return a.packet.ext_sequence > e;
  });
  spill_.insert(it, std::move(s));
}

void ReorderBuffer::migrate_spill() {
  while (!spill_.empty()) {
    const int64_t ext = spill_.back().packet.ext_sequence;
    if (ring_count_ > 0 && ext - ring_lo_ >= static_cast<int64_t>(ring_.size())) return;
    place_in_ring(std::move(spill_.back()));
    spill_.pop_back();
  }
}

int64_t ReorderBuffer::min_arrival() const {
  if (min_arrival_stale_) {
    int64_t m = INT64_MAX;
    if (ring_count_ > 0) {
      for (int64_t e = ring_lo_; e <= ring_hi_; ++e) {
        const Slot& s = ring_[static_cast<uint64_t>(e) & mask_];
        if (s.used) m = std::min(m, s.arrival_us);
      }
    }
    for (const Slot& s : spill_) m = std::min(m, s.arrival_us);
    min_arrival_ = m;
    min_arrival_stale_ = false;
  }
  return min_arrival_;
}

bool ReorderBuffer::front_due(int64_t now_us) const {
  if (ring_count_ == 0) return false;
  if (ring_lo_ == next_) return true;               // in order
  if (ring_lo_ <= restart_at_) return true;         // before a restart: drain without waiting
  if (buffered() >= opts_.max_packets) return true;  // full: give up the oldest gap
  return now_us >= saturating_add(min_arrival(), opts_.max_wait_us);
}

bool ReorderBuffer::release_front(ReleasedPacket& out) {
  Slot& s = ring_[static_cast<uint64_t>(ring_lo_) & mask_];
  const int64_t ext = ring_lo_;
  const int64_t lost = ext - next_;
  const int64_t arrival = s.arrival_us;
  out.packet = s.packet;
  out.hold = std::move(s.hold);
  out.tag = s.tag;
  out.lost_before = lost > static_cast<int64_t>(UINT32_MAX) ? UINT32_MAX : static_cast<uint32_t>(lost);
  s.used = false;
  ring_count_--;
  stats_.released++;
  stats_.lost += static_cast<uint64_t>(lost);
  next_ = ext + 1;

  if (ring_count_ > 0) {
    do {
      ring_lo_++;
    } while (!ring_[static_cast<uint64_t>(ring_lo_) & mask_].used);
  }
  migrate_spill();
  if (buffered() == 0) {
    min_arrival_ = INT64_MAX;
    min_arrival_stale_ = false;
  } else if (arrival <= min_arrival_) {
    min_arrival_stale_ = true;
  }
  return true;
}

bool ReorderBuffer::pop(int64_t now_us, ReleasedPacket& out) {
  last_now_ = std::max(last_now_, now_us);
  if (!front_due(last_now_)) return false;
  return release_front(out);
}

bool ReorderBuffer::drain(ReleasedPacket& out) {
  if (ring_count_ == 0) return false;
  return release_front(out);
}

std::vector<uint16_t> ReorderBuffer::missing(size_t max) const {
  std::vector<uint16_t> out;
  if (buffered() == 0) return out;
  // Gaps before the current run's first packet are not waited for (see front_due).
  for (int64_t e = std::max(next_, restart_at_); e < highest_ && out.size() < max; ++e) {
    if (!contains(e)) out.push_back(static_cast<uint16_t>(e - offset_));
  }
  return out;
}

int64_t ReorderBuffer::next_deadline_us() const {
  if (ring_count_ == 0) return INT64_MAX;
  if (ring_lo_ == next_ || ring_lo_ <= restart_at_ || buffered() >= opts_.max_packets) {
    return last_now_;  // releasable now
  }
  return saturating_add(min_arrival(), opts_.max_wait_us);
}

}  // namespace te
