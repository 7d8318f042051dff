// WebM muxer: EBML header (RFC 8794 §11.2), Segment/SeekHead/Info/Tracks/Cluster/Cues (RFC 9559
// §5.1), SimpleBlock (RFC 9559 §10.2), WebM restrictions (webmproject.org container guidelines),
// Opus mapping (A_OPUS, OpusHead per RFC 7845 §5.1). Layout in webm_muxer.h.
#include "webm_muxer.h"

#include <cstring>
#include <utility>

#include "ebml_writer.h"
#include "webm_ids.h"

namespace te {

namespace {
constexpr uint64_t kOurTrackUid = 1;
constexpr uint8_t kOurTrackNumber = 1;
}  // namespace

WebmMuxer::WebmMuxer(MuxerOptions opts) : Muxer(opts) {}

const char* WebmMuxer::mime_type() const { return audio_ ? "audio/webm" : "video/webm"; }

int64_t WebmMuxer::to_ms(int64_t ts) const {
  // Round half away from zero on the exact tick offset; never accumulate rounded deltas.
  const int64_t ticks = ts - first_ts_;
  const int64_t rate = clock_rate_;
  const int64_t scaled = ticks * 1000;
  return scaled >= 0 ? (scaled + rate / 2) / rate : -((-scaled + rate / 2) / rate);
}

bool WebmMuxer::write_header(const CodecConfig& cfg) {
  using namespace webm_id;
  const char* codec_id = nullptr;
  switch (cfg.codec) {
    case Codec::kVP8: codec_id = "V_VP8"; break;
    case Codec::kVP9: codec_id = "V_VP9"; break;
    case Codec::kOpus: codec_id = "A_OPUS"; break;
    default: return false;
  }
  codec_ = cfg.codec;
  audio_ = cfg.codec == Codec::kOpus;
  clock_rate_ = cfg.clock_rate ? cfg.clock_rate : (audio_ ? 48000 : 90000);

  EbmlWriter w;
  EbmlWriter ebml;  // RFC 8794 §11.2 EBML header
  ebml.put_uint(kEbmlVersion, 1);
  ebml.put_uint(kEbmlReadVersion, 1);
  ebml.put_uint(kEbmlMaxIdLength, 4);
  ebml.put_uint(kEbmlMaxSizeLength, 8);
  ebml.put_string(kDocType, "webm");
  ebml.put_uint(kDocTypeVersion, 4);
  ebml.put_uint(kDocTypeReadVersion, 2);
  w.put_master(kEbml, ebml);

  w.put_id(kSegment);
  segment_size_offset_ = end() + w.size();
  w.put_unknown_size();  // 8 bytes; a seekable finish() overwrites it with the size
  segment_data_start_ = end() + w.size();

  if (opts_.seekable) {
    seekhead_offset_ = end() + w.size();
    w.put_void(kSeekHeadReserve);
  }

  EbmlWriter info;
  info.put_uint(kTimestampScale, 1000000);  // 1 ms ticks
  size_t duration_in_body = 0;
  if (opts_.seekable) {
    // The place of Duration (2-byte ID, 1-byte size, 8-byte float), a Void until finish().
    duration_in_body = info.size();
    info.put_void(kDurationSize);
  }
  info.put_string(kMuxingApp, "track-egress");
  info.put_string(kWritingApp, "track-egress");
  info_position_ = end() + w.size() - segment_data_start_;
  duration_offset_ = end() + w.size() + ebml_id_length(kInfo) + ebml_size_length(info.size()) +
                     duration_in_body;  // of the whole Duration element
  w.put_master(kInfo, info);

  EbmlWriter entry;
  entry.put_uint(kTrackNumber, kOurTrackNumber);
  entry.put_uint(kTrackUid, kOurTrackUid);
  entry.put_uint(kTrackType, audio_ ? 2 : 1);  // 1 video, 2 audio
  entry.put_uint(kFlagLacing, 0);
  entry.put_string(kCodecId, codec_id);
  if (audio_) {
    const uint8_t channels = cfg.channels == 0 ? 2 : (cfg.channels > 2 ? 2 : cfg.channels);
    // OpusHead, RFC 7845 §5.1: magic, version 1, channels, pre-skip (LE16), input rate (LE32),
    // output gain (LE16), mapping family 0 (mono/stereo).
    uint8_t head[19] = {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, channels,
                        static_cast<uint8_t>(kOpusPreSkip & 0xFF),
                        static_cast<uint8_t>(kOpusPreSkip >> 8),
                        0x80, 0xBB, 0x00, 0x00,  // 48000
                        0, 0, 0};
    entry.put_binary(kCodecPrivate, head, sizeof(head));
    entry.put_uint(kCodecDelay, uint64_t{kOpusPreSkip} * 1000000000ull / 48000);
    entry.put_uint(kSeekPreRoll, kOpusSeekPreRollNs);
    EbmlWriter audio;
    audio.put_float(kSamplingFrequency, 48000.0);
    audio.put_uint(kChannels, channels);
    entry.put_master(kAudio, audio);
  } else {
    EbmlWriter video;
    video.put_uint(kPixelWidth, cfg.width);
    video.put_uint(kPixelHeight, cfg.height);
    entry.put_master(kVideo, video);
  }
  EbmlWriter tracks;
  tracks.put_master(kTrackEntry, entry);
  tracks_position_ = end() + w.size() - segment_data_start_;
  w.put_master(kTracks, tracks);

  ByteChain chain;
  chain.append_copy(w.bytes());
  emit(std::move(chain), PacketHold());
  return true;
}

void WebmMuxer::write(Frame&& frame) {
  if (finished_) return;
  if (!started_) {
    if (!frame.config || !write_header(*frame.config)) {
      skipped_++;
      return;  // the frame (and its hold) dies here
    }
    started_ = true;
    first_ts_ = frame.timestamp;
    last_ts_ = frame.timestamp;
    stats_.first_timestamp = frame.timestamp;
    stats_.clock_rate = clock_rate_;
  } else if (frame.codec != codec_) {
    skipped_++;
    return;
  } else if (frame.timestamp < last_ts_ - static_cast<int64_t>(clock_rate_)) {
    // More than 1 s before the latest frame: a bad timestamp (VP8/VP9/Opus have no reordering).
    // Placing it would fold the time line; drop and count it.
    skipped_++;
    timestamps_back_++;
    return;
  }
  int64_t ms = to_ms(frame.timestamp);
  const int64_t exact_ms = ms;
  if (ms < 0) ms = 0;  // a Cluster Timestamp is unsigned; earlier frames are pinned to 0
  // Frames come in presentation order (VP8/VP9/Opus have no reordering), and demuxers require
  // strictly increasing block times. Two frames less than 0.5 ms apart (a publisher under load)
  // round to the same millisecond: move the later one 1 ms on. Times stay computed from the
  // exact tick offset, so the nudge never accumulates.
  if (stats_.frames > 0 && ms <= last_ms_) ms = last_ms_ + 1;
  last_ms_ = ms;
  const bool key = audio_ || frame.keyframe;

  if (!cluster_.empty()) {
    const int64_t rel = ms - cluster_ms_;
    // On time, keyframe or not (see the header).
    if (rel > INT16_MAX || rel >= static_cast<int64_t>(opts_.fragment_ms)) flush_cluster();
  }
  if (cluster_.empty()) cluster_ms_ = ms;

  // Duration: the end of this frame, never before the end already reached. The frame starts at
  // its exact tick offset, or at its block time when that was pinned or nudged; it lasts what its
  // depacketizer said (Opus), else a typical frame.
  if (stats_.frames > 0) durations_.add(frame.timestamp - last_ts_);
  if (stats_.frames == 0 || frame.timestamp > last_ts_) last_ts_ = frame.timestamp;
  const int64_t start = ms == exact_ms ? frame.timestamp - first_ts_ : ms * clock_rate_ / 1000;
  const int64_t dur = frame.duration ? static_cast<int64_t>(frame.duration)
                                     : durations_.typical(clock_rate_ / 30);
  stats_.frames++;
  if (start + dur > stats_.duration) stats_.duration = start + dur;

  Block b{ms, key, std::move(frame.data), std::move(frame.hold)};
  cluster_.push_back(std::move(b));
}

void WebmMuxer::flush_cluster() {
  using namespace webm_id;
  if (cluster_.empty()) return;
  EbmlWriter ts;
  ts.put_uint(kTimestamp, static_cast<uint64_t>(cluster_ms_));
  uint64_t body = ts.size();
  for (const Block& b : cluster_) {
    const uint64_t n = 4 + b.data.size();  // track number, int16 timestamp, flags, frame
    body += ebml_id_length(kSimpleBlock) + ebml_size_length(n) + n;
  }
  if (opts_.seekable) {
    uint64_t relative = ts.size();
    for (const Block& b : cluster_) {
      if (b.key) {
        cues_.push_back(Cue{b.ms, end() - segment_data_start_, relative});
        break;
      }
      const uint64_t n = 4 + b.data.size();
      relative += ebml_id_length(kSimpleBlock) + ebml_size_length(n) + n;
    }
  }

  EbmlWriter head;
  head.put_id(kCluster);
  head.put_size(body);
  head.put_bytes(ts.bytes().data(), ts.size());
  ByteChain chain;
  PacketHold hold;
  chain.append_copy(head.bytes());
  for (Block& b : cluster_) {
    const int64_t rel = b.ms - cluster_ms_;
    uint8_t* p = chain.append_generated(ebml_id_length(kSimpleBlock) + ebml_size_length(4 + b.data.size()) + 4);
    EbmlWriter sb;
    sb.put_id(kSimpleBlock);
    sb.put_size(4 + b.data.size());
    std::memcpy(p, sb.bytes().data(), sb.size());
    p += sb.size();
    *p++ = 0x80 | kOurTrackNumber;  // track number as a 1-byte EBML varint
    *p++ = static_cast<uint8_t>(static_cast<uint16_t>(rel) >> 8);
    *p++ = static_cast<uint8_t>(static_cast<uint16_t>(rel));
    *p++ = b.key ? 0x80 : 0x00;  // SimpleBlock flags: keyframe
    chain.append_chain(std::move(b.data));
    hold.absorb(std::move(b.hold));
  }
  cluster_.clear();
  emit(std::move(chain), std::move(hold));
}

void WebmMuxer::finish() {
  using namespace webm_id;
  if (finished_) return;
  finished_ = true;
  if (!started_) return;
  flush_cluster();
  if (!opts_.seekable) return;

  uint64_t cues_position = 0;
  if (!cues_.empty()) {
    cues_position = end() - segment_data_start_;
    EbmlWriter cues;
    for (const Cue& c : cues_) {
      EbmlWriter pos;
      pos.put_uint(kCueTrack, kOurTrackNumber);
      pos.put_uint(kCueClusterPosition, c.position);
      pos.put_uint(kCueRelativePosition, c.relative);
      EbmlWriter point;
      point.put_uint(kCueTime, static_cast<uint64_t>(c.ms));
      point.put_master(kCueTrackPositions, pos);
      cues.put_master(kCuePoint, point);
    }
    EbmlWriter w;
    w.put_master(kCues, cues);
    ByteChain chain;
    chain.append_copy(w.bytes());
    emit(std::move(chain), PacketHold());
  }

  // Patch 1: Segment size (8-byte form reserved in write_header).
  {
    ByteChain c;
    write_ebml_size(c.append_generated(8), end() - segment_data_start_, 8);
    emit_at(segment_size_offset_, std::move(c));
  }
  // Patch 2: Duration in TimestampScale units (ms), an 8-byte float, in place of its Void.
  if (stats_.duration > 0) {
    const double ms = static_cast<double>(stats_.duration) * 1000.0 / clock_rate_;
    EbmlWriter d;
    d.put_float(kDuration, ms);
    ByteChain c;
    c.append_copy(d.bytes());
    if (d.size() == kDurationSize) emit_at(duration_offset_, std::move(c));
  }
  // Patch 3: SeekHead (Info, Tracks, Cues) + Void filling the reserved space.
  {
    EbmlWriter seeks;
    const uint32_t ids[3] = {kInfo, kTracks, kCues};
    const uint64_t positions[3] = {info_position_, tracks_position_, cues_position};
    for (int i = 0; i < 3; i++) {
      if (ids[i] == kCues && cues_.empty()) continue;
      EbmlWriter id;
      id.put_be(ids[i], 4);
      EbmlWriter seek;
      seek.put_binary(kSeekId, id.bytes().data(), id.size());
      seek.put_id(kSeekPosition);  // fixed 8-byte position keeps the SeekHead size predictable
      seek.put_size(8);
      seek.put_be(positions[i], 8);
      seeks.put_master(kSeek, seek);
    }
    EbmlWriter w;
    w.put_master(kSeekHead, seeks);
    const size_t rest = kSeekHeadReserve - w.size();  // 68 bytes used at most: always >= 2
    w.put_void(rest);
    ByteChain c;
    c.append_copy(w.bytes());
    emit_at(seekhead_offset_, std::move(c));
  }
}

}  // namespace te
