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
  // Temporal scalability (RFC 7741 §4.2): TL0PICIDX counts base-layer (TID 0) frames and every
  // frame carries the latest one's; base-layer frames reference only base-layer frames. When the
  // lost packets can only have belonged to frames with TID > 0, the base layer stays decodable and
  // only the upper layers need a layer sync (Y=1) or a key frame.
  uint8_t upper_from = 0;  // lowest temporal layer the loss may have hit (0: the base layer)
  if (cur_.active && !prev_marker_ && prev_ts_ == rtp_ts) {
    // Both neighbours of the gap belong to the same frame: only that frame is hit.
    cur_.broken = true;
    harmless = cur_.non_reference && d.non_reference;
    if (cur_.has_tid && cur_.tid > 0) upper_from = cur_.tid;
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
    // Only frames above the base layer lost: the frame in progress (if cut) was one, this packet
    // starts a frame, and its TL0PICIDX shows that no base-layer frame is missing.
    if (d.frame_start() && d.has_tid && d.has_tl0picidx && prev_has_tl0_ &&
        (!cur_.active || (cur_.has_tid && cur_.tid > 0))) {
      const uint8_t expect = static_cast<uint8_t>(d.tid == 0 ? prev_tl0_ + 1 : prev_tl0_);
      // Consecutive PictureIDs: only the cut frame's tail is gone; else whole frames of any
      // upper layer may be.
      if (d.tl0picidx == expect) upper_from = (consecutive && cur_.active) ? cur_.tid : 1;
    }
  }
  if (harmless) return;
  if (upper_from > 0) {
    // Layers upper_from.. lost their chain; the base layer (and those below) continue.
    for (uint8_t t = upper_from; t < kMaxTemporalLayers; t++) layer_ok_ &= static_cast<uint8_t>(~(1u << t));
    return;
  }
  wait_for_keyframe();
}

bool Vp8Depacketizer::layers_decodable(const Partial& f) const {
  if (!f.has_tid || f.tid == 0) return true;
  // Y=1: depends only on base-layer frames (RFC 7741 §4.2). Otherwise on earlier frames of its
  // own and every lower layer.
  if (f.layer_sync) return true;
  for (uint8_t t = 1; t <= f.tid; t++)
    if (!(layer_ok_ & (1u << t))) return false;
  return true;
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
    cur_.has_tid = d.has_tid;
    cur_.tid = d.tid;
    cur_.layer_sync = d.layer_sync;
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
  prev_has_tl0_ = d.has_tl0picidx;
  prev_tl0_ = d.tl0picidx;

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
    // A frame that nothing references (N=1 in every packet we saw, RFC 7741 §4.2) can go; a
    // frame of an upper temporal layer (TID > 0) breaks only its own and higher layers; dropping
    // any other frame breaks the references of the frames after it. (After a loss, on_loss has
    // already decided the same way, with the PictureIDs and TL0PICIDX.)
    if (f.has_tid && f.tid > 0) {
      for (uint8_t t = f.tid; t < kMaxTemporalLayers; t++) layer_ok_ &= static_cast<uint8_t>(~(1u << t));
    } else if (!f.non_reference) {
      wait_for_keyframe();
    }
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
  if (!key && !waiting_keyframe_ && !layers_decodable(f)) {
    // An upper temporal layer waiting for its layer sync: the base layer goes on, no key frame
    // is needed. A frame dropped here breaks its layer for the frames after it.
    drop(f);
    for (uint8_t t = f.tid; t < kMaxTemporalLayers; t++) layer_ok_ &= static_cast<uint8_t>(~(1u << t));
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
  if (key) layer_ok_ = kAllLayers;
  else if (f.has_tid && f.tid > 0 && f.layer_sync) layer_ok_ |= static_cast<uint8_t>(1u << f.tid);

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
