// libFuzzer target: parse_rtp + RFC 8285 extension iteration + ReorderBuffer.
//
// Input: 3 option bytes, then records:
//   op (1 byte): bit 7 = 1 -> pop at the current time; 0 -> a packet record follows:
//                len (1 byte), then `len` bytes of packet (copied to an exact-size buffer).
//   bits 0-5 of op advance the clock by (op & 63) * 5000 us; bit 6 steps it back instead.
// Checks: views stay inside the packet, released ext_sequence is contiguous once lost_before
// is counted, buffered() matches, and at the end every inserted packet id is released once.
// Then the same records go through RtpInput (timestamps checked against the arrival clock,
// padding-only packets and timestamp outliers dropped after reordering): every datagram is given
// back once, no delivered packet is empty, and sequence gaps are exactly the reported loss plus
// the padding packets dropped in between (an outlier's slot is reported as lost).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <algorithm>
#include <deque>
#include <vector>

#include "core/pipeline/rtp_input.h"
#include "core/rtp/reorder_buffer.h"
#include "core/rtp/rtp_packet.h"

namespace {

#define FUZZ_CHECK(c) \
  do {                \
    if (!(c)) abort(); \
  } while (0)

bool inside(te::ByteView outer, te::ByteView inner) {
  if (inner.size == 0) return true;
  return inner.data >= outer.data && inner.data + inner.size <= outer.data + outer.size;
}

struct Checker {
  bool have_prev = false;
  int64_t prev_ext = 0;
  uint64_t released = 0;

  void take(te::ReleasedPacket& r) {
    FUZZ_CHECK(r.hold.count() == 1 && r.hold.ids()[0] == r.packet.id);
    if (have_prev) FUZZ_CHECK(r.packet.ext_sequence == prev_ext + 1 + r.lost_before);
    have_prev = true;
    prev_ext = r.packet.ext_sequence;
    released++;
    r.hold.release();
  }
};

void run_rtp_input(const uint8_t* data, size_t size) {
  te::RtpInputOptions opts;
  opts.reorder.max_packets = 2 + data[0] % 64;
  opts.reorder.restart_gap = 1 + static_cast<uint32_t>(data[1]) * 16;
  opts.reorder.max_wait_us = static_cast<uint32_t>(data[2]) * 2000;
  opts.clock_rate = data[0] & 1 ? 48000 : 90000;
  te::ReleaseList released;
  std::deque<std::vector<uint8_t>> buffers;
  uint32_t pushed = 0;
  {
    te::RtpInput in(opts, &released);
    bool have_prev = false;
    int64_t prev_ext = 0;
    uint64_t prev_padding = 0, prev_restarts = 0;
    auto take = [&](te::ReleasedPacket& r) {
      FUZZ_CHECK(r.packet.payload.size > 0);
      FUZZ_CHECK(r.hold.count() == 1 && r.hold.ids()[0] == r.packet.id);
      const uint64_t restarts = in.reorder_stats().restarts;
      if (have_prev && restarts == prev_restarts) {
        const int64_t gap = r.packet.ext_sequence - prev_ext - 1;
        FUZZ_CHECK(gap >= 0);
        FUZZ_CHECK(static_cast<uint64_t>(gap) == r.lost_before + (in.stats().padding - prev_padding));
      }
      have_prev = true;
      prev_ext = r.packet.ext_sequence;
      prev_padding = in.stats().padding;
      prev_restarts = restarts;
      r.hold.release();
    };
    te::ReleasedPacket r;
    int64_t now = 0;
    size_t pos = 3;
    while (pos < size) {
      const uint8_t op = data[pos++];
      const int64_t step = static_cast<int64_t>(op & 63) * 5000;
      now += (op & 0x40) ? -step : step;
      if (op & 0x80) {
        while (in.pop(now, r)) take(r);
        continue;
      }
      if (pos >= size) break;
      const size_t len = std::min<size_t>(data[pos++], size - pos);
      buffers.emplace_back(data + pos, data + pos + len);
      pos += len;
      const std::vector<uint8_t>& buf = buffers.back();
      in.push(pushed++, te::ByteView(buf.empty() ? nullptr : buf.data(), buf.size()), now);
      while (in.pop(now, r)) take(r);
    }
    while (in.drain(r)) take(r);
  }
  std::vector<uint32_t> got = released.ids;
  std::sort(got.begin(), got.end());
  FUZZ_CHECK(got.size() == pushed);
  for (uint32_t i = 0; i < pushed; i++) FUZZ_CHECK(got[i] == i);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  te::ReorderOptions opts;
  // Small capacities reach the full/spill paths; large ones make the ring grow past 64 slots.
  opts.max_packets = data[0] < 128 ? 1 + data[0] % 40 : 8 * (data[0] - 120);
  opts.restart_gap = 1 + static_cast<uint32_t>(data[1]) * 16;
  opts.max_wait_us = static_cast<uint32_t>(data[2]) * 2000;
  size_t pos = 3;

  te::ReleaseList released;
  std::deque<std::vector<uint8_t>> buffers;  // keeps packet bytes alive while referenced
  std::vector<uint32_t> accepted_ids;
  uint64_t accepted = 0;
  Checker check;
  int64_t now = 0;
  int64_t clock = INT64_MIN;  // the largest `now` the buffer has been given
  uint32_t next_id = 1;
  {
    te::ReorderBuffer rb(opts);
    te::ReleasedPacket r;
    while (pos < size) {
      const uint8_t op = data[pos++];
      const int64_t step = static_cast<int64_t>(op & 63) * 5000;
      now += (op & 0x40) ? -step : step;
      if (op & 0x80) {
        clock = std::max(clock, now);
        while (rb.pop(now, r)) check.take(r);
      } else {
        if (pos >= size) break;
        const size_t want = data[pos++];
        const size_t len = std::min(want, size - pos);
        buffers.emplace_back(data + pos, data + pos + len);
        pos += len;
        const std::vector<uint8_t>& buf = buffers.back();
        te::ByteView bytes(buf.empty() ? nullptr : buf.data(), buf.size());
        te::RtpPacket pkt;
        const uint32_t id = next_id++;
        if (te::parse_rtp(bytes, id, pkt) != te::RtpParseError::kNone) continue;
        FUZZ_CHECK(inside(bytes, pkt.payload) && inside(bytes, pkt.extension));
        FUZZ_CHECK(pkt.payload_offset() + pkt.payload.size + pkt.padding == bytes.size);
        uint32_t sum = 0;
        te::for_each_rtp_extension(pkt, [&](const te::RtpExtensionElement& e) {
          FUZZ_CHECK(inside(pkt.extension, e.data));
          for (size_t i = 0; i < e.data.size; ++i) sum += e.data[i];
        });
        (void)sum;
        clock = std::max(clock, now);
        if (rb.insert(pkt, te::PacketHold(&released, id), now)) accepted++;
        accepted_ids.push_back(id);
        // next_deadline_us() <= now exactly when pop() releases something now.
        const bool due = rb.next_deadline_us() <= clock;
        FUZZ_CHECK(rb.pop(now, r) == due);
        if (due) check.take(r);
        while (rb.pop(now, r)) check.take(r);
        (void)rb.missing(8);
        FUZZ_CHECK(rb.next_deadline_us() == INT64_MAX || rb.buffered() > 0);
      }
      FUZZ_CHECK(rb.buffered() == accepted - check.released);
    }
    while (rb.drain(r)) check.take(r);
    FUZZ_CHECK(rb.buffered() == 0);
    FUZZ_CHECK(check.released == accepted);
  }
  // Every valid packet handed to insert() was released exactly once (accepted or dropped).
  std::vector<uint32_t> got = released.ids;
  std::sort(got.begin(), got.end());
  FUZZ_CHECK(got == accepted_ids);  // accepted_ids is increasing
  run_rtp_input(data, size);
  return 0;
}
