#include "rtp_input.h"

namespace te {

namespace {

RtpTimelineOptions timeline_options(const RtpInputOptions& o) {
  RtpTimelineOptions t;
  t.clock_rate = o.clock_rate;
  // A packet reordered by up to the reorder wait is still placed; later ones are dropped as late.
  t.behind_tolerance_ms += o.reorder.max_wait_us / 1000;
  return t;
}

}  // namespace

RtpInput::RtpInput(const RtpInputOptions& opts, ReleaseList* released)
    : opts_(opts), released_(released), reorder_(opts.reorder), timeline_(timeline_options(opts)) {}

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
    // New encoder instance: its sequence numbers and timestamps start anywhere. The time line
    // continues from the old stream at the wall-clock distance; the reorder buffer starts a run.
    stats_.ssrc_changes++;
    ssrc_ = pkt.ssrc;
    timeline_.restart();
    reorder_.restart();
  }
  pkt.arrival_us = arrival_us;
  Tag tag = kMedia;
  if (pkt.payload.size == 0) {
    // No media (padding only): its timestamp is not checked and moves nothing.
    pkt.ext_timestamp = timeline_.peek(pkt.timestamp, arrival_us);
  } else {
    switch (timeline_.place(pkt.timestamp, arrival_us, pkt.ext_timestamp)) {
      case RtpTimeVerdict::kOutlier:
        tag = kOutlier;
        break;
      case RtpTimeVerdict::kRebased:
        stats_.timestamp_rebases++;
        break;
      case RtpTimeVerdict::kAccepted:
        break;
    }
  }
  reorder_.insert(pkt, std::move(hold), arrival_us, tag);
}

bool RtpInput::deliverable(ReleasedPacket& rp) {
  if (rp.tag == kOutlier) {
    stats_.timestamp_outliers++;
    carried_lost_ += uint64_t{rp.lost_before} + 1;  // the packet itself is lost to the time line
  } else if (rp.packet.payload.size == 0) {
    stats_.padding++;
    carried_lost_ += rp.lost_before;  // the loss before it is still a loss before the next one
  } else {
    if (carried_lost_) {
      const uint64_t lost = carried_lost_ + rp.lost_before;
      rp.lost_before = lost > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(lost);
      carried_lost_ = 0;
    }
    return true;
  }
  rp.hold.release();
  return false;
}

bool RtpInput::pop(int64_t now_us, ReleasedPacket& out) {
  while (reorder_.pop(now_us, out)) {
    if (deliverable(out)) return true;
  }
  return false;
}

bool RtpInput::drain(ReleasedPacket& out) {
  while (reorder_.drain(out)) {
    if (deliverable(out)) return true;
  }
  return false;
}

}  // namespace te
