// VP9 RTP depacketization (RFC 9628 §4.1-§4.4; superframe index per VP9 spec Annex B; key frame
// header per VP9 spec §6.2). See vp9_depacketizer.h for the rules.
#include "vp9_depacketizer.h"

#include <utility>

#include "vp9_uncompressed_header.h"

namespace te {

Vp9Depacketizer::Vp9Depacketizer()
    : ss_scratch_(new Vp9ScalabilityStructure()) {
  waiting_keyframe_ = true;  // nothing decodable before the first keyframe
  for (int64_t& e : emitted_) e = -1;
}

void Vp9Depacketizer::drop(Partial& f) {
  stats_.frames_dropped++;
  discontinuity_ = true;
  f.data.clear();
  f.hold.release();
  f.active = false;
}

int64_t Vp9Depacketizer::unwrap_pid(uint16_t pid, bool pid_15) {
  const int32_t modulus = pid_15 ? 0x8000 : 0x80;
  if (!pid_started_) {
    pid_started_ = true;
    last_pid_ = pid;
    last_ext_pid_ = (int64_t{1} << 32) + pid;  // far from 0: references never go negative
    return last_ext_pid_;
  }
  int32_t delta = (static_cast<int32_t>(pid) - static_cast<int32_t>(last_pid_)) & (modulus - 1);
  if (delta >= modulus / 2) delta -= modulus;
  last_pid_ = pid;
  last_ext_pid_ += delta;
  return last_ext_pid_;
}

bool Vp9Depacketizer::refs_emitted(const Partial& f, int64_t ext_pid) const {
  if (!f.refs_known) return false;
  for (uint8_t i = 0; i < f.num_refs; i++) {
    const int64_t ref = ext_pid - f.refs[i];
    if (ref < 0 || emitted_[ref & 127] != ref) return false;
  }
  return true;
}

void Vp9Depacketizer::on_loss(const Vp9Descriptor& d, uint32_t rtp_ts) {
  discontinuity_ = true;
  if (cur_.active && !prev_marker_ && prev_ts_ == rtp_ts) {
    cur_.broken = true;  // the gap lies inside this picture
    if (!d.flexible) wait_for_keyframe();
    return;
  }
  bool harmless = true;
  if (cur_.active) {
    cur_.broken = true;  // the previous picture lost its tail
    harmless = false;
  }
  if (!d.begin) harmless = false;  // this picture lost its head
  const uint16_t mask = d.picture_id_15 ? 0x7FFF : 0x7F;
  const bool consecutive =
      prev_has_pid_ && d.has_picture_id && d.picture_id == ((prev_pid_ + 1) & mask);
  if (!consecutive) harmless = false;  // a whole picture may be gone
  // Flexible mode checks each picture's references instead (finish_picture).
  if (harmless || d.flexible) return;
  // Non-flexible temporal scalability (RFC 9628 §4.2): TL0PICIDX counts TID 0 pictures and every
  // picture carries the latest one's; TID 0 pictures reference only TID 0 pictures. When the lost
  // packets can only have belonged to pictures with TID > 0, the base layer stays decodable and
  // only the upper layers wait for a switching-up point (U=1) or a key frame.
  if (picture_start(d) && d.has_tl0picidx && prev_has_tl0_ && (!cur_.active || cur_.tid > 0)) {
    const uint8_t expect = static_cast<uint8_t>(d.tid == 0 ? prev_tl0_ + 1 : prev_tl0_);
    if (d.tl0picidx == expect) {
      // Consecutive PictureIDs: only the cut picture's tail is gone; else whole pictures of any
      // upper layer may be.
      break_layers_from((consecutive && cur_.active) ? cur_.tid : 1);
      return;
    }
  }
  wait_for_keyframe();
}

void Vp9Depacketizer::break_layers_from(uint8_t tid) {
  for (uint8_t t = tid; t < 8; t++) layer_ok_ &= static_cast<uint8_t>(~(1u << t));
}

bool Vp9Depacketizer::layers_decodable(const Partial& f) const {
  // A picture with TID t references pictures of TID <= t only.
  for (uint8_t t = 1; t <= f.tid; t++)
    if (!(layer_ok_ & (1u << t))) return false;
  return true;
}

bool Vp9Depacketizer::picture_start(const Vp9Descriptor& d) {
  // B=1 on the first layer frame of the picture: with layer indices, one that does not depend on
  // a lower spatial layer of the same picture (D=0, RFC 9628 §4.2).
  return d.begin && !(d.has_layer && d.inter_layer);
}

void Vp9Depacketizer::push(const RtpPacket& pkt, PacketHold hold, uint32_t lost_before) {
  stats_.packets++;
  Vp9Descriptor d;
  if (!parse_vp9_descriptor(pkt.payload, d, ss_scratch_.get())) {
    stats_.malformed++;
    pending_lost_ += lost_before + 1;
    return;
  }
  const uint32_t lost = lost_before + pending_lost_;
  pending_lost_ = 0;
  const int64_t ts = pkt.ext_timestamp;  // unwrapped (and rebased on SSRC change) by RtpInput
  if (d.has_ss) {
    if (!ss_) ss_.reset(new Vp9ScalabilityStructure());
    *ss_ = *ss_scratch_;
  }

  if (lost > 0 && have_prev_) on_loss(d, pkt.timestamp);

  bool restamped = false;
  if (cur_.active && cur_.rtp_ts != pkt.timestamp) {
    // The picture in progress never saw its marker. If this packet starts a picture, that one
    // just lacked the marker (tolerated; finish_picture still requires every layer frame's E
    // bit). Otherwise a packet inside a picture carries another timestamp (RFC 9628 §4.1: all
    // packets of a picture share one). If it carries the picture's PictureID, follows without
    // loss and the next packet returns to the picture's timestamp, only its timestamp is wrong:
    // it stays in the picture (repaired). Anything else leaves the picture incomplete: dropped.
    restamped = lost == 0 && !picture_start(d) && !pkt.marker && !cur_.broken && !cur_.restamped &&
                d.has_picture_id && cur_.has_pid && d.picture_id == cur_.pid;
    if (!restamped) {
      if (!picture_start(d)) cur_.broken = true;
      finish_picture();
    }
  } else if (cur_.active && cur_.restamped && !cur_.confirmed) {
    cur_.confirmed = true;  // the picture's timestamp again: the odd packet was mis-stamped
  }
  if (!cur_.active) {
    cur_.active = true;
    cur_.rtp_ts = pkt.timestamp;
    cur_.ts = ts;
    cur_.flexible = d.flexible;
    cur_.has_pid = d.has_picture_id;
    cur_.pid_15 = d.picture_id_15;
    cur_.pid = d.picture_id;
    cur_.first_inter = d.inter_picture;
    cur_.tid = d.has_layer ? d.tid : 0;
    cur_.switching_up = d.has_layer && d.switching_up;
    if (!picture_start(d)) cur_.broken = true;  // head missing
    // A picture stamped like the last emitted one is a second picture at one time (RFC 9628
    // §4.1); one of them carries a wrong timestamp.
    if (have_emitted_ && pkt.timestamp == last_emitted_ts_) cur_.broken = true;
  } else if (d.has_picture_id != cur_.has_pid || (d.has_picture_id && d.picture_id != cur_.pid)) {
    cur_.broken = true;  // one picture, one PictureID (RFC 9628 §4.2)
  }
  add_packet(pkt, std::move(hold), d);

  if (restamped) cur_.restamped = true;
  have_prev_ = true;
  prev_ts_ = restamped ? cur_.rtp_ts : pkt.timestamp;
  prev_marker_ = pkt.marker;
  prev_has_pid_ = d.has_picture_id;
  prev_pid_ = d.picture_id;
  prev_has_tl0_ = d.has_tl0picidx;
  prev_tl0_ = d.tl0picidx;

  if (pkt.marker) finish_picture();
}

void Vp9Depacketizer::add_packet(const RtpPacket& pkt, PacketHold&& hold, const Vp9Descriptor& d) {
  Partial& p = cur_;
  if (d.begin) {
    if (p.layer_open || p.num_layers == kVp9MaxSuperframeFrames) {
      p.broken = true;
    } else {
      p.layer_open = true;
      p.layer_sid[p.num_layers] = d.sid;
      p.layer_size[p.num_layers] = 0;
      p.num_layers++;
      if (d.inter_picture) {
        if (!d.flexible) {
          p.refs_known = false;
        } else {
          for (uint8_t i = 0; i < d.num_p_diff && p.num_refs < sizeof(p.refs); i++)
            p.refs[p.num_refs++] = d.p_diff[i];
        }
      }
    }
  } else if (!p.layer_open) {
    p.broken = true;
  }
  const uint32_t n = static_cast<uint32_t>(pkt.payload.size - d.size);
  if (p.num_layers > 0 && p.layer_open) p.layer_size[p.num_layers - 1] += n;
  p.data.append_view(pkt.payload.data + d.size, n, pkt.id,
                     pkt.payload_offset() + static_cast<uint32_t>(d.size));
  p.hold.absorb(std::move(hold));
  if (d.end) {
    if (!p.layer_open) p.broken = true;
    p.layer_open = false;
  }
}

void Vp9Depacketizer::finish_picture() {
  Partial f = std::move(cur_);
  cur_ = Partial();
  if (f.layer_open || f.num_layers == 0) f.broken = true;  // last layer frame lacks E
  if (f.restamped && !f.confirmed) f.broken = true;      // the odd timestamp was never contradicted
  const int64_t ext_pid = f.has_pid ? unwrap_pid(f.pid, f.pid_15) : -1;
  if (f.broken) {
    drop(f);
    // Non-flexible mode cannot tell which pictures referenced it: wait for a key frame (after a
    // loss on_loss has decided so already) — unless it belongs to an upper temporal layer, which
    // only pictures of its own and higher layers reference. Flexible mode: later pictures'
    // P_DIFFs decide.
    if (!f.flexible) {
      if (f.tid > 0) break_layers_from(f.tid);
      else wait_for_keyframe();
    }
    return;
  }
  uint8_t hdr[32];
  const size_t n = f.data.copy_out(hdr, f.layer_size[0] < sizeof(hdr) ? f.layer_size[0] : sizeof(hdr));
  Vp9FrameHeader fh;
  if (!parse_vp9_frame_header(hdr, n, fh)) {
    stats_.malformed++;
    drop(f);
    if (!f.flexible) wait_for_keyframe();
    return;
  }
  const bool key = !f.first_inter && fh.keyframe;
  bool decodable;
  if (key) {
    decodable = true;
  } else if (!have_config_) {
    decodable = false;  // nothing decoded yet: wait for the first key frame
  } else if (!f.first_inter) {
    decodable = true;  // no inter-picture prediction: restarts decoding
  } else if (f.flexible && f.has_pid) {
    decodable = refs_emitted(f, ext_pid);
  } else if (!waiting_keyframe_ && !layers_decodable(f)) {
    // An upper temporal layer waiting for a switching-up point: the base layer goes on, no key
    // frame is needed. Dropping it breaks its layer for the pictures after it.
    drop(f);
    break_layers_from(f.tid);
    return;
  } else {
    decodable = !waiting_keyframe_;
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
  // U=1 on a decodable picture of TID t: pictures above t after it reference no picture with
  // TID > t before it (RFC 9628 §4.2), so those layers decode again. A key frame resets all.
  if (key) layer_ok_ = 0xFF;
  else if (f.switching_up) layer_ok_ |= static_cast<uint8_t>(0xFFu << (f.tid + 1));

  Frame out;
  out.codec = Codec::kVP9;
  out.timestamp = f.ts;
  out.keyframe = key;
  out.discontinuity = discontinuity_;
  discontinuity_ = false;
  if (key) {
    uint16_t w = fh.width, h = fh.height;
    const uint8_t top = f.layer_sid[f.num_layers - 1];
    if (f.num_layers > 1 && ss_ && ss_->has_resolution && top < ss_->num_spatial &&
        ss_->width[top] && ss_->height[top]) {
      w = ss_->width[top];
      h = ss_->height[top];
    }
    if (!have_config_ || w != width_ || h != height_) {
      have_config_ = true;
      width_ = w;
      height_ = h;
      auto cfg = std::make_shared<CodecConfig>();
      cfg->codec = Codec::kVP9;
      cfg->clock_rate = 90000;
      cfg->width = w;
      cfg->height = h;
      out.config = std::move(cfg);
    }
  }
  if (f.num_layers > 1) {
    const size_t isz = vp9_superframe_index_size(f.layer_size, f.num_layers);
    write_vp9_superframe_index(f.layer_size, f.num_layers, f.data.append_generated(isz));
  }
  out.data = std::move(f.data);
  out.hold = std::move(f.hold);
  if (emit(std::move(out))) {
    if (ext_pid >= 0) emitted_[ext_pid & 127] = ext_pid;
    have_emitted_ = true;
    last_emitted_ts_ = f.rtp_ts;
  }
}

void Vp9Depacketizer::flush() {
  if (cur_.active) {
    if (cur_.has_pid) unwrap_pid(cur_.pid, cur_.pid_15);
    drop(cur_);
  }
  cur_ = Partial();
}

}  // namespace te
