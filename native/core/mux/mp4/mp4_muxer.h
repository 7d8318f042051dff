// H.264 → MP4 muxer (ISO/IEC 14496-12, ISO/IEC 14496-15), one video track, no transcoding.
//
// Fragmented (default, streamable):   ftyp moov(mvex) | moof mdat | moof mdat | ...
//   A fragment starts at a keyframe once >= fragment_ms of media is buffered (or at any frame
//   after 10 s without a keyframe). The init segment goes out with the first fragment, because its
//   edit list needs the reorder delay measured on that first fragment. avc1/avcC describe the first
//   configuration: a later SPS change (new resolution) is carried by the in-band SPS/PPS that stay
//   in every keyframe sample, which decoders follow.
// Seekable (MuxerOptions.seekable, local file):  ftyp | mdat(largesize) samples... | moov
//   Samples are appended as they arrive; finish() writes the complete index (stts, ctts, stss,
//   stsz, stsc, co64, edts) at the end and patches the 64-bit mdat size at its start.
//
// Timing follows the RTP clock exactly; see mp4_decode_timeline.h for DTS/CTS with B-frames.
#pragma once
#include <cstdint>
#include <vector>

#include "../muxer.h"
#include "mp4_decode_timeline.h"
#include "mp4_sample.h"

namespace te {

struct Mp4MuxerStats {
  uint64_t frames_dropped = 0;  // before the first keyframe with a config, or not H.264
  uint64_t config_changes = 0;  // later configs (kept in-band only)
  uint64_t fragments = 0;
  uint64_t timing_clamps = 0;   // samples whose composition offset had to go negative
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
  uint32_t fallback_duration() const;

  CodecConfigPtr config_;
  uint32_t reorder_frames_ = 0;  // VUI max_num_reorder_frames, 0 when absent
  bool started_ = false;
  bool finished_ = false;
  Mp4DecodeTimeline timeline_;
  uint32_t last_duration_ = 0;
  Mp4MuxerStats mp4_stats_;
  // fragmented
  std::vector<Pending> pending_;
  uint32_t sequence_ = 0;
  // seekable
  uint64_t mdat_start_ = 0;       // offset of the mdat box
  std::vector<int64_t> pts_;      // per sample, decode order
  std::vector<Mp4Sample> samples_;
};

}  // namespace te
