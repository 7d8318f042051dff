// H.264 → MP4 muxer (ISO/IEC 14496-12, ISO/IEC 14496-15), one video track, no transcoding.
//
// Fragmented (default, streamable):   ftyp moov(mvex) | moof mdat | moof mdat | ...
//   A fragment starts with the first frame at or after fragment_ms of media, keyframe or not
//   (trun sample flags mark the sync samples) — except in streams with B-frames (never in WebRTC,
//   whose H.264 is Constrained Baseline), which are cut at a keyframe, or after 10 s without one. The init segment goes out with the first fragment,
//   because its edit list needs the reorder delay measured on that first fragment. avc1/avcC
//   describe the first configuration: a later SPS change (new resolution) is carried by the
//   in-band SPS/PPS that stay in every keyframe sample, which decoders follow.
// Crash-safe (MuxerOptions.crash_safe): the fragmented layout with a fixed-size moov (version 1
//   boxes + mehd). With seekable, finish() overwrites the moov in place with the durations and
//   appends mfra (tfra: the first sync sample of every fragment) so players know the duration and
//   can seek; until then (or after a crash) the file is a valid fragmented MP4 of every complete
//   fragment.                     ftyp moov(mvex/mehd) | moof mdat | ... | mfra(tfra, mfro)
// Seekable (MuxerOptions.seekable, local file):  ftyp | mdat(largesize) samples... | moov
//   Samples are appended as they arrive; finish() writes the complete index (stts, ctts, stss,
//   stsz, stsc, co64, edts) at the end and patches the 64-bit mdat size at its start.
//
// The last sample lasts a typical frame (median of the recent deltas, frame_duration.h), not the
// gap before it. A frame stamped more than kMaxBackstepSeconds before the latest presentation time
// seen (more than any B-frame reordering) is dropped and counted: it could only fold the time line.
//
// Timing follows the RTP clock exactly; see mp4_decode_timeline.h for DTS/CTS with B-frames.
#pragma once
#include <cstdint>
#include <vector>

#include "../frame_duration.h"
#include "../muxer.h"
#include "mp4_moov_writer.h"
#include "mp4_decode_timeline.h"
#include "mp4_sample.h"

namespace te {

struct Mp4MuxerStats {
  uint64_t frames_dropped = 0;  // before the first keyframe with a config, or not H.264
  uint64_t config_changes = 0;  // later configs (kept in-band only)
  uint64_t fragments = 0;
  uint64_t timing_clamps = 0;   // samples whose composition offset had to go negative
  uint64_t timestamps_back = 0;  // frames dropped: stamped far before the latest frame
};

class Mp4Muxer : public Muxer {
 public:
  explicit Mp4Muxer(MuxerOptions opts = MuxerOptions());

  void write(Frame&& frame) override;
  void finish() override;
  const char* mime_type() const override { return "video/mp4"; }

  const Mp4MuxerStats& mp4_stats() const { return mp4_stats_; }
  // Reorder delay (composition offset of the first frame) chosen, in clock units.
  int64_t reorder_delay() const { return timeline_.delay(); }

 private:
  struct Pending {
    int64_t pts;
    bool keyframe;
    ByteChain data;
    PacketHold hold;
  };

  bool accept_first(const Frame& frame);
  int64_t choose_delay(const std::vector<int64_t>& pts) const;
  void cut_fragment(bool has_next);
  void write_seekable(Frame&& frame);
  void finish_seekable();
  void finish_index();
  uint32_t last_sample_duration() const;
  bool fragmented() const { return !opts_.seekable || opts_.crash_safe; }

  CodecConfigPtr config_;
  uint32_t reorder_frames_ = 0;  // VUI max_num_reorder_frames, 0 when absent
  bool started_ = false;
  bool finished_ = false;
  Mp4DecodeTimeline timeline_;
  RecentFrameDuration durations_;  // recent DTS deltas
  int64_t max_pts_ = 0;
  bool reordering_ = false;  // B-frames announced (VUI) or seen (a PTS below an earlier one)
  bool baseline_ = false;    // Baseline profile: no B-frames possible
  Mp4MuxerStats mp4_stats_;
  // fragmented
  std::vector<Pending> pending_;
  int64_t pending_min_pts_ = 0;
  uint32_t sequence_ = 0;
  // crash-safe index
  uint64_t moov_offset_ = 0;
  size_t moov_size_ = 0;
  std::vector<Mp4RandomAccessPoint> random_access_;
  // seekable
  uint64_t mdat_start_ = 0;       // offset of the mdat box
  std::vector<int64_t> pts_;      // per sample, decode order
  std::vector<Mp4Sample> samples_;
};

}  // namespace te
