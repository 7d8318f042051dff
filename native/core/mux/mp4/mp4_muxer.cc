// ISO/IEC 14496-12 fragmented (§8.8) and regular (§8.1.1 mdat + §8.2 moov at the end) MP4
// writing for H.264; the file layouts are drawn in mp4_muxer.h.
#include "mp4_muxer.h"

#include <algorithm>
#include <limits>

#include "../../depack/h264_sps_parser.h"
#include "mp4_box_writer.h"
#include "mp4_fragment_writer.h"
#include "mp4_moov_writer.h"

namespace te {

namespace {

// Further back than this behind the latest PTS is not B-frame reordering (a few frames) but a
// bad timestamp.
constexpr int64_t kMaxBackstepSeconds = 1;
constexpr int64_t kMaxFragmentSeconds = 10;  // with reordering, cut without a keyframe after this

ByteChain generated(const std::vector<uint8_t>& bytes) {
  ByteChain c;
  c.append_copy(bytes);
  return c;
}

int32_t clamp_i32(int64_t v) {
  if (v > std::numeric_limits<int32_t>::max()) return std::numeric_limits<int32_t>::max();
  if (v < std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(v);
}

uint32_t clamp_u32(int64_t v) {
  if (v < 0) return 0;
  if (v > static_cast<int64_t>(UINT32_MAX)) return UINT32_MAX;
  return static_cast<uint32_t>(v);
}

Mp4TrackInfo track_info(const CodecConfig& cfg, int64_t media_time) {
  Mp4TrackInfo t;
  t.timescale = cfg.clock_rate ? cfg.clock_rate : 90000;
  t.width = cfg.width;
  t.height = cfg.height;
  if ((t.width == 0 || t.height == 0) && !cfg.sps.empty()) {
    H264Sps sps;
    if (parse_h264_sps(cfg.sps[0].data(), cfg.sps[0].size(), sps)) {
      t.width = static_cast<uint16_t>(sps.width);
      t.height = static_cast<uint16_t>(sps.height);
    }
  }
  t.avcc = cfg.private_data;
  t.media_time = media_time;
  return t;
}

}  // namespace

Mp4Muxer::Mp4Muxer(MuxerOptions opts) : Muxer(opts) {}

bool Mp4Muxer::accept_first(const Frame& frame) {
  if (started_) return true;
  if (frame.codec != Codec::kH264 || !frame.keyframe || !frame.config ||
      frame.config->private_data.empty())
    return false;
  started_ = true;
  config_ = frame.config;
  stats_.first_timestamp = frame.timestamp;
  stats_.clock_rate = config_->clock_rate ? config_->clock_rate : 90000;
  max_pts_ = frame.timestamp;
  if (!config_->sps.empty()) {
    H264Sps sps;
    if (parse_h264_sps(config_->sps[0].data(), config_->sps[0].size(), sps)) {
      if (sps.bitstream_restriction && sps.max_num_reorder_frames <= 16)
        reorder_frames_ = sps.max_num_reorder_frames;
      // Baseline (66) has no B slices (H.264 §A.2.1): a frame stamped back is a bad timestamp,
      // never reordering, so it must not stop the cutting of fragments on time.
      baseline_ = sps.profile_idc == 66;
    }
    reordering_ = reorder_frames_ > 0;
  }
  return true;
}

void Mp4Muxer::write(Frame&& frame) {
  if (finished_ || frame.codec != Codec::kH264 || !accept_first(frame)) {
    mp4_stats_.frames_dropped++;
    return;  // the frame's hold dies here: its packets go back to the caller
  }
  if (frame.timestamp < max_pts_ - kMaxBackstepSeconds * stats_.clock_rate) {
    mp4_stats_.timestamps_back++;
    mp4_stats_.frames_dropped++;
    return;
  }
  if (frame.config && frame.config != config_ &&
      frame.config->private_data != config_->private_data)
    mp4_stats_.config_changes++;
  stats_.frames++;
  if (frame.timestamp < max_pts_ && !baseline_) reordering_ = true;
  max_pts_ = std::max(max_pts_, frame.timestamp);
  if (!fragmented()) {
    write_seekable(std::move(frame));
    return;
  }
  timeline_.push(frame.timestamp);
  if (!pending_.empty()) {
    // Cut on time, keyframe or not. With reordering (B-frames), decode times come from the sorted
    // presentation times, which needs every earlier-presented frame before the cut: only a
    // keyframe (an IDR, a closed group) guarantees that, or the old 10 s cap.
    int64_t span = frame.timestamp - pending_min_pts_;
    bool due = span >= int64_t{opts_.fragment_ms} * stats_.clock_rate / 1000;
    if ((due && (frame.keyframe || !reordering_)) || span >= kMaxFragmentSeconds * stats_.clock_rate)
      cut_fragment(true);
  }
  if (pending_.empty() || frame.timestamp < pending_min_pts_) pending_min_pts_ = frame.timestamp;
  pending_.push_back(Pending{frame.timestamp, frame.keyframe, std::move(frame.data),
                             std::move(frame.hold)});
}

// The reorder delay D: what the first frames need, or more when the SPS announces deeper
// reordering (VUI max_num_reorder_frames, H.264 §E.2.1) than the first GOP showed.
int64_t Mp4Muxer::choose_delay(const std::vector<int64_t>& pts) const {
  int64_t d = Mp4DecodeTimeline::required_delay(pts);
  if (reorder_frames_ > 0 && pts.size() > 1) {
    std::vector<int64_t> sorted(pts);
    std::sort(sorted.begin(), sorted.end());
    int64_t interval = 0;
    for (size_t i = 1; i < sorted.size(); i++) {
      int64_t g = sorted[i] - sorted[i - 1];
      if (g > 0 && (interval == 0 || g < interval)) interval = g;
    }
    d = std::max(d, interval * reorder_frames_);
  }
  return d;
}

uint32_t Mp4Muxer::last_sample_duration() const {
  // A single frame: assume 30 fps.
  return clamp_u32(durations_.typical(stats_.clock_rate / 30));
}

void Mp4Muxer::cut_fragment(bool has_next) {
  if (pending_.empty()) return;
  if (!timeline_.started()) {
    std::vector<int64_t> pts;
    for (const Pending& p : pending_) pts.push_back(p.pts);
    timeline_.start(choose_delay(pts));
    Mp4BoxWriter w;
    write_mp4_ftyp(w, true);
    moov_offset_ = end() + w.size();
    if (opts_.crash_safe) write_mp4_indexable_init_moov(w, track_info(*config_, timeline_.delay()), 0);
    else write_mp4_moov(w, track_info(*config_, timeline_.delay()), nullptr, 0);
    moov_size_ = w.size() - (moov_offset_ - end());
    emit(generated(w.data()), PacketHold());
  }
  std::vector<int64_t> dts(pending_.size());
  for (size_t i = 0; i < pending_.size(); i++) dts[i] = timeline_.take();
  std::vector<Mp4Sample> samples(pending_.size());
  for (size_t i = 0; i < pending_.size(); i++) {
    Mp4Sample& s = samples[i];
    s.size = static_cast<uint32_t>(pending_[i].data.size());
    s.keyframe = pending_[i].keyframe;
    if (i + 1 < pending_.size()) {
      s.duration = clamp_u32(dts[i + 1] - dts[i]);
      durations_.add(s.duration);
    } else if (has_next) {
      s.duration = clamp_u32(timeline_.reserve_next() - dts[i]);
      durations_.add(s.duration);
    } else {
      s.duration = last_sample_duration();
    }
    int64_t off = timeline_.composition_offset(pending_[i].pts, dts[i]);
    if (off < 0) mp4_stats_.timing_clamps++;
    s.composition_offset = clamp_i32(off);
  }
  if (opts_.crash_safe && opts_.seekable) {
    for (size_t i = 0; i < samples.size(); i++) {
      if (!samples[i].keyframe) continue;
      // The first sync sample of the fragment is enough to seek to it (fragments are ~1 s).
      Mp4RandomAccessPoint p;
      p.time = static_cast<uint64_t>(dts[i] + samples[i].composition_offset);
      p.moof_offset = end();
      p.sample_number = static_cast<uint32_t>(i + 1);
      random_access_.push_back(p);
      break;
    }
  }

  Mp4BoxWriter w;
  write_mp4_fragment_header(w, ++sequence_, static_cast<uint64_t>(dts[0]), samples);
  ByteChain out = generated(w.data());
  PacketHold hold;
  for (Pending& p : pending_) {
    out.append_chain(std::move(p.data));  // zero-copy: views of the input packets move along
    hold.absorb(std::move(p.hold));
  }
  pending_.clear();
  mp4_stats_.fragments++;
  stats_.duration = dts.back() + samples.back().duration;
  emit(std::move(out), std::move(hold));
}

void Mp4Muxer::write_seekable(Frame&& frame) {
  if (samples_.empty()) {
    Mp4BoxWriter w;
    write_mp4_ftyp(w, false);
    mdat_start_ = end() + w.size();
    // §4.2: size = 1 → a 64-bit largesize follows the type; patched in finish().
    w.u32(1);
    w.fourcc("mdat");
    w.u64(0);
    emit(generated(w.data()), PacketHold());
  }
  Mp4Sample s;
  s.size = static_cast<uint32_t>(frame.data.size());
  s.keyframe = frame.keyframe;
  samples_.push_back(s);
  pts_.push_back(frame.timestamp);
  emit(std::move(frame.data), std::move(frame.hold));
}

void Mp4Muxer::finish_seekable() {
  if (samples_.empty()) return;
  // All PTS are known now: the delay covers the whole stream, so no offset is ever negative.
  for (int64_t p : pts_) timeline_.push(p);
  timeline_.start(choose_delay(pts_));
  std::vector<int64_t> dts(samples_.size());
  for (size_t i = 0; i < samples_.size(); i++) dts[i] = timeline_.take();
  for (size_t i = 0; i < samples_.size(); i++) {
    Mp4Sample& s = samples_[i];
    if (i + 1 < samples_.size()) {
      s.duration = clamp_u32(dts[i + 1] - dts[i]);
      durations_.add(s.duration);
    } else {
      s.duration = last_sample_duration();
    }
    int64_t off = timeline_.composition_offset(pts_[i], dts[i]);
    if (off < 0) mp4_stats_.timing_clamps++;
    s.composition_offset = clamp_i32(off);
  }
  stats_.duration = dts.back() + samples_.back().duration;

  uint64_t mdat_end = end();
  uint64_t data_start = mdat_start_ + 16;
  Mp4BoxWriter w;
  write_mp4_moov(w, track_info(*config_, timeline_.delay()), &samples_, data_start);
  emit(generated(w.data()), PacketHold());

  Mp4BoxWriter patch;
  patch.u64(mdat_end - mdat_start_);  // largesize: the whole box, header included
  emit_at(mdat_start_ + 8, generated(patch.data()));
}

// Crash-safe layout, clean end: the moov again, same size, with the durations (§8.2.2 mvhd, §8.8.2
// mehd, §8.3.2 tkhd, §8.4.2 mdhd, §8.6.6 elst), then the random-access index (§8.8.9 mfra).
void Mp4Muxer::finish_index() {
  if (!timeline_.started()) return;
  const uint64_t duration = static_cast<uint64_t>(stats_.duration);
  Mp4BoxWriter moov;
  write_mp4_indexable_init_moov(moov, track_info(*config_, timeline_.delay()), duration);
  if (moov.size() == moov_size_) emit_at(moov_offset_, generated(moov.data()));
  Mp4BoxWriter w;
  write_mp4_mfra(w, random_access_);
  emit(generated(w.data()), PacketHold());
}

void Mp4Muxer::finish() {
  if (finished_) return;
  finished_ = true;
  if (!fragmented()) {
    finish_seekable();
    return;
  }
  cut_fragment(false);
  if (opts_.crash_safe && opts_.seekable) finish_index();
}

}  // namespace te
