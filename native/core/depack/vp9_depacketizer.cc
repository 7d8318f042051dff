// VP9 RTP depacketization (RFC 9628 §4.1-§4.4; superframe index per VP9 spec Annex B; key frame
// header per VP9 spec §6.2). See vp9_depacketizer.h for the rules.
#include "vp9_depacketizer.h"

#include "vpx_frame_assembler_impl.h"

#include "vp9_uncompressed_header.h"

namespace te {

Vp9Depacketizer::Vp9Depacketizer()
    : VpxFrameAssembler(Codec::kVP9), ss_scratch_(new Vp9ScalabilityStructure()) {
  for (int64_t& e : emitted_) e = -1;
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

bool Vp9Depacketizer::refs_emitted(int64_t ext_pid) const {
  if (!pic_.refs_known) return false;
  for (uint8_t i = 0; i < pic_.num_refs; i++) {
    const int64_t ref = ext_pid - pic_.refs[i];
    if (ref < 0 || emitted_[ref & 127] != ref) return false;
  }
  return true;
}

bool Vp9Depacketizer::picture_start(const Vp9Descriptor& d) {
  // B=1 on the first layer frame of the picture: with layer indices, one that does not depend on
  // a lower spatial layer of the same picture (D=0, RFC 9628 §4.2).
  return d.begin && !(d.has_layer && d.inter_layer);
}

bool Vp9Depacketizer::read_descriptor(const RtpPacket& pkt, VpxPacketInfo& out) {
  if (!parse_vp9_descriptor(pkt.payload, d_, ss_scratch_.get())) return false;
  if (d_.has_ss) {
    if (!ss_) ss_.reset(new Vp9ScalabilityStructure());
    *ss_ = *ss_scratch_;
  }
  out.descriptor_size = static_cast<uint32_t>(d_.size);
  out.frame_start = picture_start(d_);
  out.has_pid = d_.has_picture_id;
  out.pid_15 = d_.picture_id_15;
  out.pid = d_.picture_id;
  out.has_tl0 = d_.has_tl0picidx;  // non-flexible mode with layer indices
  out.tl0 = d_.tl0picidx;
  out.tid = d_.has_layer ? d_.tid : 0;
  out.switching_up = d_.has_layer && d_.switching_up;
  out.lists_refs = d_.flexible;
  return true;
}

VpxLossVerdict Vp9Depacketizer::judge_loss(const VpxPacketInfo& p, bool inside) {
  // Flexible mode (F=1) checks each picture's references instead (inter_decodable). Non-flexible
  // mode: a loss is harmless only between two complete pictures with consecutive PictureIDs.
  VpxLossVerdict v;
  if (inside) {
    v.harmless = d_.flexible;
    return v;
  }
  const bool consecutive = follows_prev_picture(p);
  v.harmless = (!cur_.active && d_.begin && consecutive) || d_.flexible;
  if (!v.harmless) v.upper_from = upper_layers_lost_from(p, consecutive);
  return v;
}

void Vp9Depacketizer::begin_frame(const VpxPacketInfo& p) {
  pic_ = Layers();
  pic_.first_inter = d_.inter_picture;
  // A picture stamped like the last emitted one is a second picture at one time (RFC 9628 §4.1);
  // one of them carries a wrong timestamp.
  if (stamped_like_last_emitted(cur_.rtp_ts)) cur_.broken = true;
}

void Vp9Depacketizer::continue_frame(const VpxPacketInfo& p) {
  if (p.has_pid != cur_.has_pid || (p.has_pid && p.pid != cur_.pid))
    cur_.broken = true;  // one picture, one PictureID (RFC 9628 §4.2)
}

void Vp9Depacketizer::on_payload(uint32_t n) {
  Layers& l = pic_;
  if (d_.begin) {
    if (l.layer_open || l.num_layers == kVp9MaxSuperframeFrames) {
      cur_.broken = true;
    } else {
      l.layer_open = true;
      l.layer_sid[l.num_layers] = d_.sid;
      l.layer_size[l.num_layers] = 0;
      l.num_layers++;
      if (d_.inter_picture) {
        if (!d_.flexible) {
          l.refs_known = false;
        } else {
          for (uint8_t i = 0; i < d_.num_p_diff && l.num_refs < sizeof(l.refs); i++)
            l.refs[l.num_refs++] = d_.p_diff[i];
        }
      }
    }
  } else if (!l.layer_open) {
    cur_.broken = true;
  }
  if (l.num_layers > 0 && l.layer_open) l.layer_size[l.num_layers - 1] += n;
  if (d_.end) {
    if (!l.layer_open) cur_.broken = true;
    l.layer_open = false;
  }
}

bool Vp9Depacketizer::close_frame(const VpxPartial& f) {
  ext_pid_ = f.has_pid ? unwrap_pid(f.pid, f.pid_15) : -1;
  return !pic_.layer_open && pic_.num_layers > 0;  // else the last layer frame lacks E
}

bool Vp9Depacketizer::read_frame_header(const VpxPartial& f, VpxFrameHeader& out) {
  uint8_t hdr[32];
  const size_t n =
      f.data.copy_out(hdr, pic_.layer_size[0] < sizeof(hdr) ? pic_.layer_size[0] : sizeof(hdr));
  Vp9FrameHeader fh;
  if (!parse_vp9_frame_header(hdr, n, fh)) return false;
  out.key = !pic_.first_inter && fh.keyframe;
  out.width = fh.width;
  out.height = fh.height;
  // The size of the top spatial layer present, from the SS when it has one.
  const uint8_t top = pic_.layer_sid[pic_.num_layers - 1];
  if (out.key && pic_.num_layers > 1 && ss_ && ss_->has_resolution && top < ss_->num_spatial &&
      ss_->width[top] && ss_->height[top]) {
    out.width = ss_->width[top];
    out.height = ss_->height[top];
  }
  return true;
}

VpxDecodable Vp9Depacketizer::inter_decodable(const VpxPartial& f) {
  // No inter-picture prediction: restarts decoding.
  if (!pic_.first_inter) return VpxDecodable::kYes;
  // Flexible mode: decodable when each predicted layer frame's P_DIFF references point to
  // emitted pictures.
  if (f.lists_refs && f.has_pid)
    return refs_emitted(ext_pid_) ? VpxDecodable::kYes : VpxDecodable::kNo;
  return VpxDecodable::kByLayers;
}

void Vp9Depacketizer::complete_payload(VpxPartial& f) {
  if (pic_.num_layers > 1) {
    const size_t isz = vp9_superframe_index_size(pic_.layer_size, pic_.num_layers);
    write_vp9_superframe_index(pic_.layer_size, pic_.num_layers, f.data.append_generated(isz));
  }
}

void Vp9Depacketizer::on_emitted(const VpxPartial& f) {
  if (ext_pid_ >= 0) emitted_[ext_pid_ & 127] = ext_pid_;
}

template class VpxFrameAssembler<Vp9Depacketizer>;

}  // namespace te
