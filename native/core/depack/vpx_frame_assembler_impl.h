// Frame assembly, keyframe gating and loss recovery shared by VP8 and VP9 (RFC 7741 §4.4, RFC 9628
// §4.1-§4.4). See vpx_frame_assembler.h for the rules. Included (and instantiated) by
// vp8_depacketizer.cc and vp9_depacketizer.cc only.
#pragma once
#include "vpx_frame_assembler.h"

#include <memory>
#include <utility>

namespace te {

template <class CodecRules>
void VpxFrameAssembler<CodecRules>::drop(VpxPartial& f) {
  stats_.frames_dropped++;
  discontinuity_ = true;
  f.data.clear();
  f.hold.release();
  f.active = false;
}

template <class CodecRules>
void VpxFrameAssembler<CodecRules>::break_layers_from(uint8_t tid) {
  for (uint8_t t = tid; t < 8; t++) layer_ok_ &= static_cast<uint8_t>(~(1u << t));
}

template <class CodecRules>
bool VpxFrameAssembler<CodecRules>::layers_decodable(const VpxPartial& f) const {
  // A frame of TID t references frames of its own and lower layers; a VP8 layer sync frame (Y=1)
  // only base-layer frames (RFC 7741 §4.2).
  if (f.layer_sync) return true;
  for (uint8_t t = 1; t <= f.tid; t++)
    if (!(layer_ok_ & (1u << t))) return false;
  return true;
}

template <class CodecRules>
bool VpxFrameAssembler<CodecRules>::follows_prev_picture(const VpxPacketInfo& p) const {
  const uint16_t mask = p.pid_15 ? 0x7FFF : 0x7F;
  return prev_has_pid_ && p.has_pid && p.pid == ((prev_pid_ + 1) & mask);
}

template <class CodecRules>
uint8_t VpxFrameAssembler<CodecRules>::upper_layers_lost_from(const VpxPacketInfo& p,
                                                              bool consecutive) const {
  // Temporal scalability (RFC 7741 §4.2, RFC 9628 §4.2): TL0PICIDX counts base-layer (TID 0)
  // frames and every frame carries the latest one's; base-layer frames reference only base-layer
  // frames. The frame in progress (if cut) must be above the base layer too.
  if (!p.frame_start || !p.has_tl0 || !prev_has_tl0_ || (cur_.active && cur_.tid == 0)) return 0;
  const uint8_t expect = static_cast<uint8_t>(p.tid == 0 ? prev_tl0_ + 1 : prev_tl0_);
  if (p.tl0 != expect) return 0;
  // Consecutive PictureIDs: only the cut frame's tail is gone; else whole frames of any upper
  // layer may be.
  return (consecutive && cur_.active) ? cur_.tid : 1;
}

template <class CodecRules>
void VpxFrameAssembler<CodecRules>::on_loss(const VpxPacketInfo& p, uint32_t rtp_ts) {
  discontinuity_ = true;
  // Both neighbours of the gap in one frame: only that frame is hit. Otherwise the previous
  // frame's tail (if unfinished), maybe whole frames, and this frame's head may be gone.
  const bool inside = cur_.active && !prev_marker_ && prev_ts_ == rtp_ts;
  if (cur_.active) cur_.broken = true;
  const VpxLossVerdict v = rules().judge_loss(p, inside);
  if (v.harmless) return;
  if (v.upper_from > 0) break_layers_from(v.upper_from);  // the base layer goes on
  else wait_for_keyframe();
}

template <class CodecRules>
void VpxFrameAssembler<CodecRules>::push(const RtpPacket& pkt, PacketHold hold,
                                         uint32_t lost_before) {
  stats_.packets++;
  VpxPacketInfo p;
  if (!rules().read_descriptor(pkt, p)) {
    stats_.malformed++;
    pending_lost_ += lost_before + 1;  // its bytes are missing from whatever frame it was part of
    return;                            // `hold` dies: the packet is released
  }
  const uint32_t lost = lost_before + pending_lost_;
  pending_lost_ = 0;

  if (lost > 0 && have_prev_) on_loss(p, pkt.timestamp);

  bool restamped = false;
  if (cur_.active && cur_.rtp_ts != pkt.timestamp) {
    // The frame in progress never saw its marker. If this packet starts a frame, that one just
    // lacked the marker (tolerated; with loss it was marked broken above). Otherwise a packet
    // inside a frame carries another timestamp (all packets of a frame share one: RFC 7741 §4.4,
    // RFC 9628 §4.1). If it carries the frame's PictureID, follows without loss and the next
    // packet returns to the frame's timestamp, only its timestamp is wrong: it stays in the frame
    // (repaired). Anything else leaves the frame incomplete: dropped.
    restamped = lost == 0 && !p.frame_start && !pkt.marker && !cur_.broken && !cur_.restamped &&
                p.has_pid && cur_.has_pid && p.pid == cur_.pid;
    if (!restamped) {
      if (!p.frame_start) cur_.broken = true;
      finish_frame();
    }
  } else if (cur_.active && cur_.restamped && !cur_.confirmed) {
    cur_.confirmed = true;  // the frame's timestamp again: the odd packet was mis-stamped
  }
  if (!cur_.active) {
    cur_.active = true;
    cur_.rtp_ts = pkt.timestamp;
    cur_.ts = pkt.ext_timestamp;  // unwrapped (and rebased on SSRC change) by RtpInput
    if (!p.frame_start) cur_.broken = true;  // head missing
    cur_.non_reference = p.non_reference;
    cur_.has_pid = p.has_pid;
    cur_.pid_15 = p.pid_15;
    cur_.pid = p.pid;
    cur_.tid = p.tid;
    cur_.layer_sync = p.layer_sync;
    cur_.switching_up = p.switching_up;
    cur_.lists_refs = p.lists_refs;
    rules().begin_frame(p);
  } else {
    cur_.non_reference = cur_.non_reference && p.non_reference;
    rules().continue_frame(p);
  }
  const uint32_t n = static_cast<uint32_t>(pkt.payload.size - p.descriptor_size);
  rules().on_payload(n);
  cur_.data.append_view(pkt.payload.data + p.descriptor_size, n, pkt.id,
                        pkt.payload_offset() + p.descriptor_size);
  cur_.hold.absorb(std::move(hold));

  if (restamped) cur_.restamped = true;
  have_prev_ = true;
  prev_ts_ = restamped ? cur_.rtp_ts : pkt.timestamp;
  prev_marker_ = pkt.marker;
  prev_has_pid_ = p.has_pid;
  prev_pid_ = p.pid;
  prev_has_tl0_ = p.has_tl0;
  prev_tl0_ = p.tl0;

  if (pkt.marker) finish_frame();
}

template <class CodecRules>
void VpxFrameAssembler<CodecRules>::finish_frame() {
  VpxPartial f = std::move(cur_);
  cur_ = VpxPartial();
  if (!rules().close_frame(f)) f.broken = true;
  if (f.restamped && !f.confirmed) f.broken = true;  // the odd timestamp was never contradicted
  if (f.broken) {
    drop(f);
    // A frame that nothing references (VP8 N=1 in every packet seen) can go; one of an upper
    // temporal layer (TID > 0) breaks only its own and higher layers; dropping any other frame
    // breaks the references of the frames after it (after a loss, on_loss has decided the same
    // way already). VP9 flexible mode: the later frames' P_DIFFs decide.
    if (!f.lists_refs) {
      if (f.tid > 0) break_layers_from(f.tid);
      else if (!f.non_reference) wait_for_keyframe();
    }
    return;
  }
  VpxFrameHeader h;
  if (!rules().read_frame_header(f, h)) {
    stats_.malformed++;
    drop(f);
    if (!f.lists_refs) wait_for_keyframe();
    return;
  }
  bool decodable;
  if (h.key) {
    decodable = true;
  } else if (!have_config_) {
    decodable = false;  // nothing decoded yet: wait for the first key frame
  } else {
    const VpxDecodable d = rules().inter_decodable(f);
    if (d != VpxDecodable::kByLayers) {
      decodable = d == VpxDecodable::kYes;
    } else if (!waiting_keyframe_ && !layers_decodable(f)) {
      // An upper temporal layer waiting for its layer sync / switching-up point: the base layer
      // goes on, no key frame is needed. Dropping it breaks its layer for the frames after it.
      drop(f);
      break_layers_from(f.tid);
      return;
    } else {
      decodable = !waiting_keyframe_;
    }
  }
  if (!decodable) {
    drop(f);
    if (!have_config_) {
      if (!requested_at_start_) {
        requested_at_start_ = true;
        request_keyframe();
      }
    } else {
      wait_for_keyframe();
    }
    return;
  }
  waiting_keyframe_ = false;
  // A key frame resets all layers. VP8 Y=1 on a frame of TID t: its layer decodes again. VP9 U=1
  // on a frame of TID t: frames above t after it reference no frame with TID > t before it.
  if (h.key) layer_ok_ = kAllLayers;
  else if (f.tid > 0 && f.layer_sync) layer_ok_ |= static_cast<uint8_t>(1u << f.tid);
  else if (f.switching_up) layer_ok_ |= static_cast<uint8_t>(0xFFu << (f.tid + 1));

  Frame out;
  out.codec = codec_;
  out.timestamp = f.ts;
  out.keyframe = h.key;
  out.discontinuity = discontinuity_;
  discontinuity_ = false;
  if (h.key && (!have_config_ || h.width != width_ || h.height != height_)) {
    have_config_ = true;
    width_ = h.width;
    height_ = h.height;
    auto cfg = std::make_shared<CodecConfig>();
    cfg->codec = codec_;
    cfg->clock_rate = 90000;
    cfg->width = width_;
    cfg->height = height_;
    out.config = std::move(cfg);
  }
  rules().complete_payload(f);
  out.data = std::move(f.data);
  out.hold = std::move(f.hold);
  if (emit(std::move(out))) {
    rules().on_emitted(f);
    have_emitted_ = true;
    last_emitted_ts_ = f.rtp_ts;
  }
}

template <class CodecRules>
void VpxFrameAssembler<CodecRules>::flush() {
  // A frame is finished as soon as its marker arrives, so anything pending is incomplete.
  if (cur_.active) {
    rules().close_frame(cur_);
    drop(cur_);
  }
  cur_ = VpxPartial();
}

}  // namespace te
