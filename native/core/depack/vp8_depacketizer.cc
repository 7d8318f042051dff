// VP8 RTP depacketization (RFC 7741 §4.4 frame reassembly, §4.3 key frames, §4.2 N bit / PictureID
// / TL0PICIDX for loss recovery). See vp8_depacketizer.h for the rules.
#include "vp8_depacketizer.h"

#include "vpx_frame_assembler_impl.h"

namespace te {

bool Vp8Depacketizer::read_descriptor(const RtpPacket& pkt, VpxPacketInfo& out) {
  if (!parse_vp8_descriptor(pkt.payload, d_)) return false;
  out.descriptor_size = static_cast<uint32_t>(d_.size);
  out.frame_start = d_.frame_start();
  out.has_pid = d_.has_picture_id;
  out.pid_15 = d_.picture_id_15;
  out.pid = d_.picture_id;
  out.has_tl0 = d_.has_tl0picidx;
  out.tl0 = d_.tl0picidx;
  out.tid = d_.tid;  // 0 without T
  out.non_reference = d_.non_reference;
  out.layer_sync = d_.layer_sync;
  return true;
}

VpxLossVerdict Vp8Depacketizer::judge_loss(const VpxPacketInfo& p, bool inside) {
  // Harmless only when every frame the loss touched is marked N=1 (non-reference, RFC 7741 §4.2)
  // in a packet we did receive, and no frame can have been lost whole.
  VpxLossVerdict v;
  if (inside) {
    v.harmless = cur_.non_reference && p.non_reference;
    v.upper_from = cur_.tid;  // an upper-layer frame breaks only its own and higher layers
    return v;
  }
  const bool consecutive = follows_prev_picture(p);
  v.harmless = (!cur_.active || cur_.non_reference) && (p.frame_start || p.non_reference) &&
               consecutive;
  if (d_.has_tid) v.upper_from = upper_layers_lost_from(p, consecutive);
  return v;
}

void Vp8Depacketizer::continue_frame(const VpxPacketInfo& p) {
  if (p.frame_start) cur_.broken = true;  // a second frame start within one frame
}

bool Vp8Depacketizer::close_frame(const VpxPartial& f) {
  // A frame stamped like the last emitted frame is a second frame at one time (RFC 7741 §4.4: one
  // timestamp, one frame); one of the two carries a wrong timestamp.
  return !stamped_like_last_emitted(f.rtp_ts);
}

bool Vp8Depacketizer::read_frame_header(const VpxPartial& f, VpxFrameHeader& out) {
  uint8_t hdr[10];
  const size_t n = f.data.copy_out(hdr, sizeof(hdr));
  if (n < 3) return false;  // shorter than the 3-byte frame tag (RFC 6386 §9.1)
  out.key = vp8_is_keyframe(hdr[0]);
  if (!out.key) return true;
  Vp8KeyframeInfo info;
  if (!parse_vp8_keyframe_header(hdr, n, info)) return false;
  out.width = info.width;
  out.height = info.height;
  return true;
}

template class VpxFrameAssembler<Vp8Depacketizer>;

}  // namespace te
