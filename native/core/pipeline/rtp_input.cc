#include "rtp_input.h"

namespace te {

RtpInput::RtpInput(const RtpInputOptions& opts, ReleaseList* released)
    : opts_(opts), released_(released), reorder_(opts.reorder) {}

void RtpInput::push(uint32_t id, ByteView bytes, int64_t arrival_us) {
  stats_.datagrams++;
  stats_.bytes += bytes.size;
  PacketHold hold(released_, id);  // released on every early return below

  RtpPacket pkt;
  RtpParseError err = parse_rtp(bytes, id, pkt);
  if (err == RtpParseError::kRtcp) {
    stats_.rtcp++;
    return;
  }
  if (err != RtpParseError::kNone) {
    stats_.malformed++;
    return;
  }
  if ((opts_.ssrc >= 0 && pkt.ssrc != static_cast<uint32_t>(opts_.ssrc)) ||
      (opts_.payload_type >= 0 && pkt.payload_type != opts_.payload_type)) {
    stats_.filtered++;
    return;
  }

  if (!have_ssrc_) {
    have_ssrc_ = true;
    ssrc_ = pkt.ssrc;
  } else if (pkt.ssrc != ssrc_) {
    // New encoder instance: its sequence numbers and timestamps start anywhere. Rebase its
    // timestamps to continue from the old stream at the wall-clock distance (RTP clock units).
    stats_.ssrc_changes++;
    ssrc_ = pkt.ssrc;
    ts_unwrap_.reset();
    int64_t elapsed = arrival_us > last_arrival_us_ ? arrival_us - last_arrival_us_ : 0;
    int64_t first = ts_unwrap_.unwrap(pkt.timestamp);
    ts_offset_ = last_ext_ts_ + elapsed * static_cast<int64_t>(opts_.clock_rate) / 1000000 - first;
    pkt.ext_timestamp = first + ts_offset_;
    pkt.arrival_us = arrival_us;
    last_ext_ts_ = pkt.ext_timestamp;
    last_arrival_us_ = arrival_us;
    reorder_.restart();
    reorder_.insert(pkt, std::move(hold), arrival_us);
    return;
  }
  pkt.ext_timestamp = ts_unwrap_.unwrap(pkt.timestamp) + ts_offset_;
  pkt.arrival_us = arrival_us;
  last_ext_ts_ = pkt.ext_timestamp;
  last_arrival_us_ = arrival_us;
  reorder_.insert(pkt, std::move(hold), arrival_us);
}

bool RtpInput::pop(int64_t now_us, ReleasedPacket& out) { return reorder_.pop(now_us, out); }

}  // namespace te
