// VP8 RTP depacketization (RFC 7741 §4.4 frame reassembly, §4.3 key frames, §4.2 N bit / PictureID
// for loss recovery). See vp8_depacketizer.h for the rules.
#include "vp8_depacketizer.h"

#include <memory>
#include <utility>

namespace te {

void Vp8Depacketizer::drop(Partial& f) {
  stats_.frames_dropped++;
  discontinuity_ = true;
  f.data.clear();
  f.hold.release();
  f.active = false;
}

void Vp8Depacketizer::on_loss(const Vp8Descriptor& d, uint32_t rtp_ts) {
  discontinuity_ = true;
  bool harmless;
  if (cur_.active && !prev_marker_ && prev_ts_ == rtp_ts) {
    // Both neighbours of the gap belong to the same frame: only that frame is hit.
    cur_.broken = true;
    harmless = cur_.non_reference && d.non_reference;
  } else {
    // The gap spans a frame boundary: the previous frame's tail (if unfinished), maybe whole
    // frames, and this frame's head (if this packet is not its start) may be gone.
    harmless = true;
    if (cur_.active) {
      cur_.broken = true;
      harmless = cur_.non_reference;
    }
    if (!d.frame_start()) harmless = harmless && d.non_reference;
    const uint16_t mask = d.picture_id_15 ? 0x7FFF : 0x7F;
    const bool consecutive = prev_has_pid_ && d.has_picture_id &&
                             d.picture_id == ((prev_pid_ + 1) & mask);
    harmless = harmless && consecutive;
  }
  if (!harmless) wait_for_keyframe();
}

void Vp8Depacketizer::push(const RtpPacket& pkt, PacketHold hold, uint32_t lost_before) {
  stats_.packets++;
  Vp8Descriptor d;
  if (!parse_vp8_descriptor(pkt.payload, d)) {
    stats_.malformed++;
    pending_lost_ += lost_before + 1;  // its bytes are missing from whatever frame it was part of
    return;                            // `hold` dies: the packet is released
  }
  const uint32_t lost = lost_before + pending_lost_;
  pending_lost_ = 0;
  const int64_t ts = pkt.ext_timestamp;  // unwrapped (and rebased on SSRC change) by RtpInput

  if (lost > 0 && have_prev_) on_loss(d, pkt.timestamp);
  else if (lost > 0 && cur_.active) cur_.broken = true;

  bool restamped = false;
  if (cur_.active && cur_.rtp_ts != pkt.timestamp) {
    // New timestamp while the frame in progress never saw its marker. If this packet starts a
    // frame (S=1, PID=0), the previous one ended without a marker (tolerated; with loss it was
    // marked broken above). Otherwise a packet inside a frame carries another timestamp (RFC 7741
    // §4.4: all packets of a frame share one). If it carries the frame's PictureID, follows
    // without loss and the next packet returns to the frame's timestamp, only its timestamp is
    // wrong: it is kept as part of the frame (repaired). Anything else makes the frame in
    // progress incomplete: it is dropped.
    restamped = lost == 0 && !d.frame_start() && !pkt.marker && cur_.started && !cur_.broken &&
                !cur_.restamped && d.has_picture_id && cur_.has_pid && d.picture_id == cur_.pid;
    if (!restamped) {
      if (!d.frame_start()) cur_.broken = true;
      finish_frame();
    }
  } else if (cur_.active && cur_.restamped && !cur_.confirmed) {
    cur_.confirmed = true;  // the frame's timestamp again: the odd packet was mis-stamped
  }
  if (!cur_.active) {
    cur_.active = true;
    cur_.rtp_ts = pkt.timestamp;
    cur_.ts = ts;
    cur_.started = d.frame_start();
    cur_.broken = cur_.broken || !cur_.started;
    cur_.non_reference = d.non_reference;
    cur_.has_pid = d.has_picture_id;
    cur_.pid = d.picture_id;
  } else {
    if (d.frame_start()) cur_.broken = true;  // a second frame start within one frame
    cur_.non_reference = cur_.non_reference && d.non_reference;
  }
  const uint32_t off = pkt.payload_offset() + static_cast<uint32_t>(d.size);
  cur_.data.append_view(pkt.payload.data + d.size, static_cast<uint32_t>(pkt.payload.size - d.size),
                        pkt.id, off);
  cur_.hold.absorb(std::move(hold));

  if (restamped) cur_.restamped = true;
  have_prev_ = true;
  prev_ts_ = restamped ? cur_.rtp_ts : pkt.timestamp;
  prev_marker_ = pkt.marker;
  prev_has_pid_ = d.has_picture_id;
  prev_pid_ = d.picture_id;

  if (pkt.marker) finish_frame();
}

void Vp8Depacketizer::finish_frame() {
  Partial f = std::move(cur_);
  cur_ = Partial();
  // A frame start stamped like the last emitted frame is a second frame at one time (RFC 7741
  // §4.4: one timestamp, one frame); one of the two carries a wrong timestamp.
  if (have_emitted_ && f.rtp_ts == last_emitted_ts_) f.broken = true;
  if (f.restamped && !f.confirmed) f.broken = true;  // the odd timestamp was never contradicted
  if (f.broken || !f.started) {
    // A frame that references nothing we keep (N=1 in every packet we saw, RFC 7741 §4.2) can
    // go; dropping any other frame breaks the references of the frames after it. (After a loss,
    // on_loss has already decided the same way, with the PictureIDs.)
    if (!f.non_reference) wait_for_keyframe();
    drop(f);
    return;
  }
  uint8_t hdr[10];
  const size_t n = f.data.copy_out(hdr, sizeof(hdr));
  if (n < 3) {  // shorter than the 3-byte frame tag (RFC 6386 §9.1)
    stats_.malformed++;
    drop(f);
    wait_for_keyframe();
    return;
  }
  const bool key = vp8_is_keyframe(hdr[0]);
  Vp8KeyframeInfo info;
  if (key && !parse_vp8_keyframe_header(hdr, n, info)) {
    stats_.malformed++;
    drop(f);
    wait_for_keyframe();
    return;
  }
  if (waiting_keyframe_ && !key) {
    drop(f);
    if (!requested_at_start_ && !have_config_) {
      requested_at_start_ = true;
      request_keyframe();
    }
    return;
  }
  waiting_keyframe_ = false;

  Frame out;
  out.codec = Codec::kVP8;
  out.timestamp = f.ts;
  out.keyframe = key;
  out.discontinuity = discontinuity_;
  discontinuity_ = false;
  if (key && (!have_config_ || info.width != width_ || info.height != height_)) {
    have_config_ = true;
    width_ = info.width;
    height_ = info.height;
    auto cfg = std::make_shared<CodecConfig>();
    cfg->codec = Codec::kVP8;
    cfg->clock_rate = 90000;
    cfg->width = width_;
    cfg->height = height_;
    out.config = std::move(cfg);
  }
  out.data = std::move(f.data);
  out.hold = std::move(f.hold);
  if (emit(std::move(out))) {
    have_emitted_ = true;
    last_emitted_ts_ = f.rtp_ts;
  }
}

void Vp8Depacketizer::flush() {
  // A frame is finished as soon as its marker arrives, so anything pending is incomplete.
  if (cur_.active) drop(cur_);
  cur_ = Partial();
}

}  // namespace te
