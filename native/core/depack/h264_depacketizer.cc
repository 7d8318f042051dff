// RFC 6184 H.264 depacketizer (packetization-mode 1); overview in h264_depacketizer.h.
//
// RTP payload header, the first byte of every payload (§5.3) — same layout as the NAL header:
//   +-+-+-+-+-+-+-+-+
//   |F|NRI|  Type   |   Type 1-23: single NAL unit (§5.6), 24: STAP-A, 28: FU-A
//   +-+-+-+-+-+-+-+-+
//
// STAP-A (§5.7.1):
//   | STAP-A hdr | NALU 1 size (16) | NALU 1 ... | NALU 2 size (16) | NALU 2 ... |
//
// FU-A (§5.8):
//   | FU indicator (F|NRI|28) | FU header |  FU payload ...
//   FU header: +-+-+-+-+-+-+-+-+
//              |S|E|R|  Type   |   S = start, E = end, Type = the fragmented NAL's type
//              +-+-+-+-+-+-+-+-+
//   The NAL header is not transmitted: it is rebuilt as F|NRI (indicator) + Type (FU header).
#include "h264_depacketizer.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "avc_config.h"
#include "h264_nal.h"
#include "h264_slice_parser.h"
#include "h264_sps_parser.h"

namespace te {

namespace {
constexpr size_t kSliceHeadBytes = 64;                 // enough for the slice header fields read
constexpr uint32_t kMaxAccessUnitBytes = 64u << 20;    // larger AUs are treated as garbage

void put_be32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
}  // namespace

void H264Depacketizer::push(const RtpPacket& pkt, PacketHold hold, uint32_t lost_before) {
  stats_.packets++;
  const bool after_loss = lost_before > 0;
  const bool same_au = cur_.active && pkt.timestamp == cur_.rtp_ts;  // §5.1: one timestamp, one AU
  if (same_au && cur_.marker && !pkt.payload.empty()) {
    // The marker did not end the access unit (set per slice): from now on a marker proves nothing.
    marker_inside_au_ = true;
    h264_stats_.markers_inside_access_unit++;
  }
  // After a gap the open AU is complete only if it ended with a marker, the packet after the gap
  // starts another AU, and this stream's markers are known to mean "end of access unit": otherwise
  // the lost packets may have been its tail (more slices with the same timestamp).
  if (after_loss && cur_.active && !(cur_.marker && !same_au && !marker_inside_au_)) mark_broken();
  if (cur_.active && !same_au) complete_au();  // a new timestamp closes the access unit
  if (after_loss) {
    pending_discontinuity_ = true;
    need_verify_ = true;  // what was lost is unknown: the next picture must prove it
  }
  if (!cur_.active) start_au(pkt, after_loss);

  if (cur_.broken) {
    hold.release();  // nothing of a broken AU is kept
  } else {
    cur_.hold.absorb(std::move(hold));
  }

  ByteView payload = pkt.payload;
  if (payload.empty()) {
    // No payload header, no NAL (e.g. a padding-only packet, RFC 3550 §5.1, if one gets this far):
    // counted, but it removed nothing from the access unit, so the unit stays intact.
    stats_.malformed++;
  } else {
    uint8_t type = h264::nal_type(payload[0]);
    if (type >= 1 && type <= 23) {
      if (cur_.fu_active) mark_broken();  // an FU-A never got its end fragment
      single_nal(pkt, payload, pkt.payload_offset());
    } else if (type == h264::kStapA) {
      if (cur_.fu_active) mark_broken();
      stap_a(pkt);
    } else if (type == h264::kFuA) {
      fu_a(pkt, after_loss);
    } else if (type == h264::kStapB || type == h264::kMtap16 || type == h264::kMtap24 ||
               type == h264::kFuB) {
      stats_.unsupported++;  // interleaved mode only (§5.5)
      mark_broken();
    } else {
      stats_.malformed++;  // 0, 30, 31: undefined (§5.4 Table 1)
      mark_broken();
    }
  }

  if (cur_.check_start && !payload.empty()) {
    cur_.check_start = false;
    if (!cur_.start_proven) mark_broken();  // the AU's first packets may be among the lost
  }
  // §5.1: the marker flags the last packet of the access unit, but it is only trusted once the
  // next timestamp confirms it (see the header): the AU stays open until then.
  // A packet without payload ends nothing that was not ended before it.
  if (!payload.empty() || pkt.marker) cur_.marker = pkt.marker;
}

void H264Depacketizer::flush() {
  // The last AU is complete if its last packet carried the marker (nothing can follow any more);
  // without one it may have lost its tail: drop it.
  if (cur_.active) {
    if (!cur_.marker) mark_broken();
    complete_au();
  }
}

bool H264Depacketizer::set_out_of_band_parameter_sets(const std::vector<std::vector<uint8_t>>& sets) {
  for (const auto& nal : sets) {
    if (nal.empty()) return false;
    uint8_t type = h264::nal_type(nal[0]);
    H264Sps sps;
    H264PpsIds ids;
    if (type == h264::kSps ? !parse_h264_sps(nal.data(), nal.size(), sps)
                           : type != h264::kPps || !parse_h264_pps_ids(nal.data(), nal.size(), ids))
      return false;
  }
  for (const auto& nal : sets) capture_parameter_set(nal.data(), nal.size());
  if (!sets.empty()) insert_out_of_band_ = true;
  return true;
}

// The access unit with every known SPS and PPS in front (MP4 sample format, §5.3.2 lengths).
ByteChain H264Depacketizer::prepend_parameter_sets(ByteChain&& data) const {
  ByteChain out;
  for (const auto* sets : {&sps_, &pps_}) {
    for (const auto& kv : *sets) {
      put_be32(out.append_generated(4), static_cast<uint32_t>(kv.second.size()));
      out.append_copy(kv.second);
    }
  }
  out.append_chain(std::move(data));
  return out;
}

void H264Depacketizer::start_au(const RtpPacket& pkt, bool after_loss) {
  cur_ = AccessUnit();
  cur_.active = true;
  cur_.rtp_ts = pkt.timestamp;
  cur_.ext_ts = pkt.ext_timestamp;
  cur_.check_start = after_loss;
}

void H264Depacketizer::mark_broken() {
  if (!cur_.active) return;
  cur_.broken = true;
  cur_.data.clear();
  cur_.hold.release();
  cur_.fu_active = false;
  cur_.fu_length = nullptr;
}

// Records what the depacketizer needs to know about a NAL from its first bytes.
void H264Depacketizer::note_nal(uint8_t header, const uint8_t* head, size_t head_size) {
  uint8_t type = h264::nal_type(header);
  if (cur_.nal_count == 0) {
    if (type == h264::kAud || type == h264::kSps) {
      cur_.start_proven = true;  // §7.4.1.2.3: these can only open an access unit
    } else if (h264::is_slice(type)) {
      H264SliceStart ss;
      if (parse_h264_slice_start(head, head_size, ss) && ss.first_mb_in_slice == 0)
        cur_.start_proven = true;
    }
  }
  cur_.nal_count++;
  if (h264::is_slice(type)) {
    if (!cur_.has_slice) {
      cur_.has_slice = true;
      size_t n = head_size < kSliceHeadBytes ? head_size : kSliceHeadBytes;
      cur_.first_slice.assign(head, head + n);
    }
    if (type == h264::kIdr) cur_.has_idr = true;
    if (h264::nal_ref_idc(header) != 0) cur_.reference = true;
  } else if (type == h264::kSps) {
    cur_.has_sps = true;
  } else if (type == h264::kPps) {
    cur_.has_pps = true;
  }
}

void H264Depacketizer::capture_parameter_set(const uint8_t* nal, size_t size) {
  if (size == 0) return;
  uint8_t type = h264::nal_type(nal[0]);
  if (type == h264::kSps) {
    H264Sps sps;
    if (!parse_h264_sps(nal, size, sps)) {
      stats_.malformed++;
      return;
    }
    auto& slot = sps_[sps.sps_id];
    if (slot.size() != size || !std::equal(slot.begin(), slot.end(), nal)) {
      slot.assign(nal, nal + size);
      config_dirty_ = true;
      h264_stats_.parameter_set_changes++;
    }
  } else if (type == h264::kPps) {
    H264PpsIds ids;
    if (!parse_h264_pps_ids(nal, size, ids)) {
      stats_.malformed++;
      return;
    }
    auto& slot = pps_[ids.pps_id];
    if (slot.size() != size || !std::equal(slot.begin(), slot.end(), nal)) {
      slot.assign(nal, nal + size);
      pps_sps_[ids.pps_id] = ids.sps_id;
      config_dirty_ = true;
      h264_stats_.parameter_set_changes++;
    }
  }
}

// A complete NAL unit in one contiguous piece (single NAL packet or STAP-A item).
void H264Depacketizer::single_nal(const RtpPacket& pkt, ByteView nal, uint32_t offset) {
  uint8_t header = nal[0];
  uint8_t type = h264::nal_type(header);
  if (h264::nal_forbidden_bit(header) || type == 0 || type >= 24) {
    // F = 1 flags a syntax violation (§5.3); aggregation/fragmentation units cannot nest.
    stats_.malformed++;
    mark_broken();
    return;
  }
  note_nal(header, nal.data, nal.size);
  capture_parameter_set(nal.data, nal.size);
  if (cur_.broken || type == h264::kAud || type == h264::kFiller) return;
  if (cur_.data.size() + 4 + nal.size > kMaxAccessUnitBytes) {
    stats_.malformed++;
    mark_broken();
    return;
  }
  put_be32(cur_.data.append_generated(4), static_cast<uint32_t>(nal.size));
  cur_.data.append_view(nal.data, static_cast<uint32_t>(nal.size), pkt.id, offset);
}

void H264Depacketizer::stap_a(const RtpPacket& pkt) {
  ByteView p = pkt.payload;
  size_t off = 1;  // STAP-A NAL header
  if (p.size <= off) {
    stats_.malformed++;
    mark_broken();
    return;
  }
  while (off < p.size) {
    if (p.size - off < 2) {
      stats_.malformed++;
      mark_broken();
      return;
    }
    size_t n = (size_t{p[off]} << 8) | p[off + 1];
    off += 2;
    if (n == 0 || n > p.size - off) {  // §5.7.1: sizes must lie within the packet
      stats_.malformed++;
      mark_broken();
      return;
    }
    single_nal(pkt, p.sub(off, n), pkt.payload_offset() + static_cast<uint32_t>(off));
    off += n;
  }
}

void H264Depacketizer::fu_a(const RtpPacket& pkt, bool after_loss) {
  ByteView p = pkt.payload;
  if (p.size < 2) {
    stats_.malformed++;
    mark_broken();
    return;
  }
  uint8_t indicator = p[0], fu = p[1];
  bool start = (fu & 0x80) != 0, end = (fu & 0x40) != 0;
  uint8_t type = fu & 0x1F;
  uint8_t header = static_cast<uint8_t>((indicator & 0xE0) | type);
  if (type == 0 || type >= 24 || h264::nal_forbidden_bit(indicator)) {
    stats_.malformed++;
    mark_broken();
    return;
  }
  ByteView frag = p.sub(2);
  uint32_t frag_offset = pkt.payload_offset() + 2;
  if (start) {
    if (cur_.fu_active) mark_broken();  // previous FU lost its end fragment
    // Slice header fields are read from the rebuilt header + the start of the first fragment.
    uint8_t head[kSliceHeadBytes];
    head[0] = header;
    size_t hn = 1 + (frag.size < kSliceHeadBytes - 1 ? frag.size : kSliceHeadBytes - 1);
    for (size_t i = 1; i < hn; i++) head[i] = frag[i - 1];
    note_nal(header, head, hn);
    if (cur_.broken) return;
    cur_.fu_active = true;
    cur_.fu_type = type;
    cur_.fu_header = header;
    cur_.fu_skip = (type == h264::kAud || type == h264::kFiller);
    cur_.fu_size = 1;
    if (!cur_.fu_skip) {
      cur_.fu_length = cur_.data.append_generated(4);
      cur_.fu_offset = cur_.data.size();
      *cur_.data.append_generated(1) = header;
    }
  } else {
    if (cur_.broken) return;
    if (!cur_.fu_active || cur_.fu_type != type) {
      if (!after_loss) stats_.malformed++;  // after a loss this is just the missing start
      mark_broken();
      return;
    }
  }
  if (cur_.data.size() + frag.size > kMaxAccessUnitBytes) {
    stats_.malformed++;
    mark_broken();
    return;
  }
  cur_.fu_size += static_cast<uint32_t>(frag.size);
  if (!cur_.fu_skip) cur_.data.append_view(frag.data, static_cast<uint32_t>(frag.size), pkt.id, frag_offset);
  if (end) {
    cur_.fu_active = false;
    if (!cur_.fu_skip) {
      put_be32(cur_.fu_length, cur_.fu_size);
      cur_.fu_length = nullptr;
      if (type == h264::kSps || type == h264::kPps) {
        // A fragmented parameter set: read it back out of the chain (reading is allowed).
        std::vector<uint8_t> ps(cur_.fu_size);
        size_t got = cur_.data.copy_out(ps.data(), ps.size(), cur_.fu_offset);
        capture_parameter_set(ps.data(), got);
      }
    }
  }
}

bool H264Depacketizer::params_for(const AccessUnit& au, uint32_t* sps_id) const {
  H264SliceStart ss;
  if (!parse_h264_slice_start(au.first_slice.data(), au.first_slice.size(), ss)) return false;
  auto p = pps_sps_.find(ss.pps_id);
  if (p == pps_sps_.end() || sps_.find(p->second) == sps_.end()) return false;
  if (sps_id) *sps_id = p->second;
  return true;
}

bool H264Depacketizer::frame_num_of(const AccessUnit& au, uint32_t& frame_num, bool& gaps_allowed,
                                    uint32_t& log2_max) const {
  uint32_t sps_id = 0;
  if (!params_for(au, &sps_id)) return false;
  const std::vector<uint8_t>& raw = sps_.at(sps_id);
  H264Sps sps;
  if (!parse_h264_sps(raw.data(), raw.size(), sps)) return false;
  gaps_allowed = sps.gaps_in_frame_num_allowed;
  log2_max = sps.log2_max_frame_num;
  return parse_h264_frame_num(au.first_slice.data(), au.first_slice.size(),
                              sps.separate_colour_plane, sps.log2_max_frame_num, frame_num);
}

CodecConfigPtr H264Depacketizer::build_config(uint32_t sps_id) const {
  auto cfg = std::make_shared<CodecConfig>();
  cfg->codec = Codec::kH264;
  cfg->clock_rate = 90000;  // RFC 6184 §8.2.1: the H.264 RTP clock rate is 90 kHz
  for (const auto& kv : sps_) cfg->sps.push_back(kv.second);
  for (const auto& kv : pps_) cfg->pps.push_back(kv.second);
  // Put the SPS the keyframe uses first: avcC takes profile/level from the first one.
  for (size_t i = 0; i < cfg->sps.size(); i++) {
    if (cfg->sps[i] == sps_.at(sps_id)) {
      std::swap(cfg->sps[0], cfg->sps[i]);
      break;
    }
  }
  H264Sps sps;
  const std::vector<uint8_t>& raw = sps_.at(sps_id);
  if (parse_h264_sps(raw.data(), raw.size(), sps)) {
    cfg->width = static_cast<uint16_t>(sps.width);
    cfg->height = static_cast<uint16_t>(sps.height);
  }
  cfg->private_data = build_avc_config(cfg->sps, cfg->pps);
  if (cfg->private_data.empty()) return nullptr;
  return cfg;
}

void H264Depacketizer::break_chain() {
  if (!waiting_keyframe_) h264_stats_.chain_breaks++;
  waiting_keyframe_ = true;
  need_verify_ = false;
  request_keyframe();
}

void H264Depacketizer::complete_au() {
  AccessUnit au = std::move(cur_);
  cur_ = AccessUnit();
  if (au.fu_active) au.broken = true;  // fragmented NAL never ended
  if (!au.broken && !au.has_slice) return;  // e.g. parameter sets sent on their own: no picture
  if (last_emitted_is(au.ext_ts)) {
    // More of the picture just written (its timestamp came back after a unit of another one, e.g.
    // a lone parameter-set packet): a second sample at one time is never written. The reference
    // chain is unchanged — the picture it belongs to is already out.
    h264_stats_.duplicate_timestamps++;
    stats_.frames_dropped++;
    au.hold.release();
    return;
  }

  if (au.broken) {
    stats_.frames_dropped++;
    pending_discontinuity_ = true;
    au.hold.release();
    // A lost reference picture, or one we know nothing about, breaks decoding; a lost
    // non-reference picture (§7.4.1: nal_ref_idc == 0 for all its slices) does not.
    if (!waiting_keyframe_ && (au.reference || !au.has_slice)) break_chain();
    return;
  }

  uint32_t frame_num = 0, log2_max = 0;
  bool gaps = false;
  bool have_fn = frame_num_of(au, frame_num, gaps, log2_max);
  uint32_t sps_id = 0;
  if (waiting_keyframe_) {
    if (!(au.has_idr && params_for(au, &sps_id))) {
      if (au.has_idr) h264_stats_.parameter_sets_missing++;
      stats_.frames_dropped++;
      pending_discontinuity_ = true;
      request_keyframe();
      return;
    }
    waiting_keyframe_ = false;
    need_verify_ = false;
  } else if (need_verify_) {
    bool ok = au.has_idr && params_for(au, nullptr);
    if (!ok && have_fn && prev_ref_valid_ && !gaps) {
      uint32_t expected = (prev_ref_frame_num_ + 1) & ((1u << log2_max) - 1);
      ok = frame_num == expected;  // §7.4.3: no reference picture is missing in between
    }
    if (!ok) {
      stats_.frames_dropped++;
      pending_discontinuity_ = true;
      break_chain();
      return;
    }
    h264_stats_.losses_recovered++;
    need_verify_ = false;
  }
  if (au.reference) {
    prev_ref_valid_ = have_fn;
    prev_ref_frame_num_ = frame_num;
  }

  Frame f;
  f.codec = Codec::kH264;
  f.timestamp = au.ext_ts;
  f.keyframe = au.has_idr;
  f.discontinuity = pending_discontinuity_;
  pending_discontinuity_ = false;
  if (f.keyframe && config_dirty_ && params_for(au, &sps_id)) {
    f.config = build_config(sps_id);
    if (f.config) config_dirty_ = false;
  }
  if (f.keyframe && insert_out_of_band_) {
    // RFC 6184 §8.4 lets the parameter sets travel out of band; written in-band once too, so the
    // first IDR decodes from the samples alone (players that ignore avcC, concatenated fragments).
    insert_out_of_band_ = false;
    if (!(au.has_sps && au.has_pps)) au.data = prepend_parameter_sets(std::move(au.data));
  }
  f.data = std::move(au.data);
  f.hold = std::move(au.hold);
  emit(std::move(f));
}

}  // namespace te
