// RFC 7587 §4.2: the RTP payload is one Opus packet (RFC 6716 §3), nothing else.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |      RTP header (RFC 3550), timestamp at 48 kHz (RFC 7587 §4.1)|
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | TOC | Opus frame(s) ...  (RFC 6716 §3.1-§3.2)                   |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#include "opus_depacketizer.h"

#include <memory>

#include "opus_packet.h"

namespace te {

OpusDepacketizer::OpusDepacketizer(OpusDepacketizerOptions opts) : opts_(opts) {
  if (opts_.channels != 1) opts_.channels = 2;  // mapping family 0 streams are mono or stereo
}

namespace {
constexpr int64_t kMaxCheckedStep = 48000;  // 1 s: longer jumps are pauses or clock restarts
constexpr uint32_t kDtxFrameUnit = 960;     // 20 ms: every frame size divides or is a multiple of it
// Timestamp jitter that is snapped: less than one 2.5 ms Opus unit, the granularity of every
// Opus duration (RFC 6716 §2.1.4). livekit-server 1.13.5 was seen off by up to 14 ticks.
constexpr int64_t kMaxJitter = 120;

uint32_t grid_unit(uint32_t ref_frame, uint32_t cur_frame) {
  uint32_t unit = ref_frame < cur_frame ? ref_frame : cur_frame;
  return unit > kDtxFrameUnit ? kDtxFrameUnit : unit;
}
}  // namespace

bool OpusDepacketizer::ordered(const Timing& ref, const Timing& cur, bool first_pair) {
  const int64_t step = cur.ts - ref.ts;
  if (step == 0) return false;                   // two packets cannot start at one instant
  if (step < 0) return -step > kMaxCheckedStep;  // a small step back overlaps; a big one restarts
  if (step < ref.duration) return first_pair;    // overlap: only the first packet's lookahead
  return true;
}

bool OpusDepacketizer::whole_frames(const Timing& ref, const Timing& cur) {
  const int64_t gap = cur.ts - ref.ts - ref.duration;
  if (gap <= 0 || gap >= kMaxCheckedStep) return true;
  // DTX (RFC 7587 §3.1.3) leaves out whole frames of the encoder's frame size.
  return gap % grid_unit(ref.frame, cur.frame) == 0;
}

OpusDepacketizer::Timing OpusDepacketizer::snapped(const Timing& ref, const Timing& cur,
                                                   bool first_pair) {
  const int64_t gap = cur.ts - ref.ts - ref.duration;
  if (gap == 0 || gap <= -kMaxJitter || gap >= kMaxCheckedStep) return cur;
  if (gap < 0 && first_pair) return cur;  // the lookahead: becomes the pre-skip
  // Nearest step that leaves out whole frames (none for a small overlap).
  const int64_t unit = grid_unit(ref.frame, cur.frame);
  const int64_t frames = gap < 0 ? 0 : (gap + unit / 2) / unit;
  const int64_t off = gap - frames * unit;
  if (off <= -kMaxJitter || off >= kMaxJitter) return cur;
  Timing s = cur;
  s.ts = ref.ts + ref.duration + frames * unit;
  return s;
}

bool OpusDepacketizer::timing_valid(const Timing& cur, int64_t& shift) const {
  shift = 0;
  if (!have_ref_) return true;
  const Timing s = snapped(ref_, cur, ref_first_);
  if (!ordered(ref_, s, ref_first_)) return false;
  if (!ref_gap_known_ || whole_frames(ref_, s)) {
    shift = s.ts - cur.ts;
    return true;
  }
  // Not whole frames after the last accepted packet: still fine when it continues the packet
  // right before it (rejected for its timing), i.e. the stream was re-stamped once.
  if (!have_rejected_) return false;
  const Timing r = snapped(rejected_, cur, false);
  if (!ordered(rejected_, r, false) || !whole_frames(rejected_, r)) return false;
  shift = r.ts - cur.ts;
  Timing placed = cur;  // where it is emitted, on the last accepted packet's axis
  placed.ts += shift;
  return ordered(ref_, placed, false);
}

void OpusDepacketizer::drop_packet() {
  stats_.frames_dropped++;
  lost_pending_ = true;  // the decoder sees this as a loss
  ref_first_ = false;
}

void OpusDepacketizer::push(const RtpPacket& pkt, PacketHold hold, uint32_t lost_before) {
  stats_.packets++;
  opus_stats_.lost += lost_before;
  if (lost_before > 0) {
    lost_pending_ = true;
    ref_gap_known_ = false;
    ref_first_ = false;
    have_rejected_ = false;
  }
  if (have_ref_ && pkt.ssrc != ref_ssrc_) {
    // A new encoder (RtpInput rebased its timestamps): its timing starts afresh.
    release_held();
    have_ref_ = false;
    have_rejected_ = false;
  }

  OpusPacketInfo info;
  if (pkt.payload.size == 0) {
    // RFC 7587 §4.2 does not define empty payloads; a sender that "sends DTX" this way gives us
    // nothing to write. Skip; the timestamp gap before the next packet keeps the timing.
    opus_stats_.empty++;
    stats_.frames_dropped++;
    ref_gap_known_ = false;
    ref_first_ = false;
    have_rejected_ = false;
    return;  // `hold` dies here: the packet is released
  }
  if (parse_opus_packet(pkt.payload, info) != OpusPacketError::kNone) {
    stats_.malformed++;
    drop_packet();
    ref_gap_known_ = false;  // its duration is unknown
    have_rejected_ = false;
    return;
  }

  Timing cur;
  cur.ts = pkt.ext_timestamp;
  cur.duration = info.duration;
  cur.frame = info.frame_samples;
  if (have_held_) {
    // The first packet waited for this one: if the two are out of order (beyond the first
    // packet's lookahead), the first one's timestamp is the likely outlier — with nothing
    // emitted yet it can still go, and this packet starts the timeline instead.
    if (ordered(ref_, cur, ref_first_)) {
      release_held();
    } else {
      have_held_ = false;
      held_ = Frame();  // releases its packet
      stats_.timing_invalid++;
      drop_packet();
      have_ref_ = false;
    }
  }
  int64_t shift = 0;
  if (!timing_valid(cur, shift)) {
    stats_.timing_invalid++;
    drop_packet();
    have_rejected_ = true;
    rejected_ = cur;
    return;
  }
  if (shift != 0) stats_.timing_snapped++;
  offset_ += shift;
  const bool first = !have_ref_;
  ref_first_ = first;
  have_ref_ = true;
  ref_ = cur;
  ref_ssrc_ = pkt.ssrc;
  ref_gap_known_ = true;
  have_rejected_ = false;

  Frame f;
  f.codec = Codec::kOpus;
  f.timestamp = pkt.ext_timestamp + offset_;
  f.duration = info.duration;
  f.keyframe = true;  // every Opus packet decodes on its own (no inter-packet references)
  f.discontinuity = lost_pending_;
  lost_pending_ = false;
  f.data.append_view(pkt.payload.data, static_cast<uint32_t>(pkt.payload.size), pkt.id,
                     pkt.payload_offset());
  f.hold = std::move(hold);
  if (first) {
    held_ = std::move(f);
    have_held_ = true;
    return;
  }
  output(std::move(f));
}

void OpusDepacketizer::output(Frame&& f) {
  if (!config_sent_) {
    auto cfg = std::make_shared<CodecConfig>();
    cfg->codec = Codec::kOpus;
    cfg->clock_rate = 48000;  // RFC 7587 §4.1
    cfg->channels = opts_.channels;
    f.config = std::move(cfg);
    config_sent_ = true;
  }
  emit(std::move(f));
}

void OpusDepacketizer::release_held() {
  if (!have_held_) return;
  have_held_ = false;
  output(std::move(held_));
  held_ = Frame();
}

}  // namespace te
