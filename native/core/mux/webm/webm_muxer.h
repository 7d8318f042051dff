// WebM muxer (Matroska, RFC 9559; WebM profile: https://www.webmproject.org/docs/container/).
// One track: VP8 (V_VP8), VP9 (V_VP9) or Opus (A_OPUS).
//
//   EBML header (DocType "webm", DocTypeVersion 4, DocTypeReadVersion 2)
//   Segment (unknown size 01 FF FF FF FF FF FF FF; seekable: overwritten with the size at finish)
//   ├ Void (seekable: reserved, overwritten by SeekHead{Info, Tracks, Cues} + Void at finish)
//   ├ Info (TimestampScale 1 ms, [Void → Duration], MuxingApp, WritingApp)
//   ├ Tracks / TrackEntry (TrackNumber 1, TrackUID, TrackType, CodecID, Video | Audio)
//   ├ Cluster (known size, written when complete) { Timestamp, SimpleBlock... } ...
//   └ Cues (seekable only) { CuePoint { CueTime, CueTrackPositions { CueTrack, CueClusterPosition,
//                                                                   [CueRelativePosition] }}}
//
// Crash safety (every mode): until finish() the file is a live WebM — unknown Segment size, no
// Duration (a Void holds its place: RFC 9559 §5.1.2.2 needs Duration > 0 when present) — whose
// complete clusters all play, so a killed writer loses only the cluster being filled.
//
// Timing: each frame's time is round((ts - first_ts) * 1000 / clock_rate) ms from the exact 64-bit
// tick offset (never accumulated), so there is no drift over long recordings. A cluster starts
// with the first frame at or after fragment_ms of media, keyframe or not (RFC 9559 §10.3 lets a
// cluster start with any block; the SimpleBlock keyframe flag says which are keyframes), and
// always before a SimpleBlock's signed 16-bit relative timestamp (RFC 9559 §10.2) would overflow.
// A cue points at the first keyframe of each cluster that has one. The last frame lasts a typical
// frame (median of the recent deltas, frame_duration.h), not the gap before it. A frame stamped
// less than 1 s before its predecessor is placed 1 ms after it; further back, it is dropped.
// Frame bytes are appended to the cluster chunk as views (zero-copy); holds move with them.
#pragma once
#include <cstdint>
#include <vector>

#include "../frame_duration.h"
#include "../muxer.h"

namespace te {

class WebmMuxer : public Muxer {
 public:
  explicit WebmMuxer(MuxerOptions opts = MuxerOptions());

  void write(Frame&& frame) override;
  void finish() override;
  const char* mime_type() const override;

  // Frames ignored because no config had been seen yet, or because their codec is unsupported.
  uint64_t frames_skipped() const { return skipped_; }
  // Of those, frames stamped more than 1 s before the latest frame (dropped, never placed).
  uint64_t timestamps_back() const { return timestamps_back_; }

  // Opus in Matroska (Matroska codec mapping for A_OPUS): pre-skip / CodecDelay and SeekPreRoll.
  static constexpr uint32_t kOpusPreSkip = 3840;                // 80 ms at 48 kHz
  static constexpr uint64_t kOpusSeekPreRollNs = 80000000;      // 80 ms
  // Bytes reserved after the Segment header for the SeekHead written at finish().
  static constexpr size_t kSeekHeadReserve = 96;
  // Bytes of the Duration element (2-byte ID, 1-byte size, 8-byte float), reserved as a Void.
  static constexpr size_t kDurationSize = 11;

 private:
  struct Block {
    int64_t ms;
    bool key;
    ByteChain data;
    PacketHold hold;
  };
  struct Cue {
    int64_t ms;
    uint64_t position;  // of the Cluster, relative to the Segment data start
    uint64_t relative;  // of the keyframe's SimpleBlock, relative to the Cluster data start
  };

  bool write_header(const CodecConfig& cfg);
  void flush_cluster();
  int64_t to_ms(int64_t ts) const;

  bool started_ = false;
  bool finished_ = false;
  bool audio_ = false;
  Codec codec_ = Codec::kVP8;
  uint32_t clock_rate_ = 90000;
  int64_t first_ts_ = 0;
  int64_t last_ts_ = 0;   // latest frame timestamp seen (the maximum)
  int64_t last_ms_ = 0;   // block time of the previous frame (kept strictly increasing)
  RecentFrameDuration durations_;
  uint64_t skipped_ = 0;
  uint64_t timestamps_back_ = 0;

  std::vector<Block> cluster_;
  int64_t cluster_ms_ = 0;
  std::vector<Cue> cues_;

  uint64_t segment_size_offset_ = 0;  // absolute offset of the Segment's 8-byte size
  uint64_t segment_data_start_ = 0;   // absolute offset of the Segment's first child
  uint64_t seekhead_offset_ = 0;      // absolute offset of the reserved Void
  uint64_t duration_offset_ = 0;      // absolute offset of the Void reserved for Duration
  uint64_t info_position_ = 0;        // relative to segment_data_start_
  uint64_t tracks_position_ = 0;
};

}  // namespace te
