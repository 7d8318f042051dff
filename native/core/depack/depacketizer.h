// Base of the codec depacketizers: RTP packets in sequence order in, whole frames out.
//
// The reorder buffer (rtp/reorder_buffer.h) delivers packets in order and says how many packets
// were lost right before each one. A depacketizer never emits a broken frame: after a loss that
// breaks a frame, or that removed a reference frame, it drops frames until the stream is decodable
// again (next keyframe, or sooner where the codec's headers prove the lost data was not a
// reference) and raises keyframe_needed() so the caller can send a PLI (RFC 4585 §6.3.1).
#pragma once
#include <cstdint>
#include <deque>

#include "../media/frame.h"
#include "../rtp/rtp_packet.h"

namespace te {

struct DepacketizerStats {
  uint64_t packets = 0;           // packets pushed
  uint64_t malformed = 0;         // payloads that could not be parsed (counted, skipped)
  uint64_t unsupported = 0;       // valid but unsupported payload structures (e.g. H.264 STAP-B)
  uint64_t frames = 0;            // frames emitted
  uint64_t frames_dropped = 0;    // frames dropped because of loss or waiting for a keyframe
  uint64_t keyframes = 0;         // keyframes emitted
  uint64_t keyframe_requests = 0; // times keyframe_needed went from false to true
  // Opus packets whose RTP timing cannot be Opus (a zero or overlapping timestamp step, a gap that
  // is not whole frames; see opus_depacketizer.h). Dropped, also counted in frames_dropped.
  uint64_t timing_invalid = 0;
  // Opus packets whose timestamp step was a few ticks off the frame grid and was snapped to it
  // (timestamp jitter; see opus_depacketizer.h). Emitted, not dropped.
  uint64_t timing_snapped = 0;
};

class Depacketizer {
 public:
  virtual ~Depacketizer() = default;

  // `pkt` is the next packet in sequence order; `lost_before` is the number of packets lost
  // between the previous pushed packet and this one (0 when contiguous). `hold` owns the packet.
  virtual void push(const RtpPacket& pkt, PacketHold hold, uint32_t lost_before) = 0;
  // End of stream: emit a complete pending frame if the codec allows deciding it is complete
  // (e.g. marker bit already seen), drop anything incomplete.
  virtual void flush() = 0;

  // Takes the next assembled frame; false when none is ready.
  bool pop(Frame& out) {
    if (ready_.empty()) return false;
    out = std::move(ready_.front());
    ready_.pop_front();
    return true;
  }
  bool keyframe_needed() const { return keyframe_needed_; }
  // True while frames are being dropped until the next keyframe (at start and after a loss that
  // broke decoding). The owner keeps sending PLIs, throttled, while this holds.
  bool waiting_for_keyframe() const { return waiting_keyframe_; }
  // Called by the owner once it has turned the request into a PLI; raised again on the next loss.
  void clear_keyframe_request() { keyframe_needed_ = false; }
  const DepacketizerStats& stats() const { return stats_; }

 protected:
  // Hands a finished frame to the caller. Last line of defence for "one timestamp, one frame"
  // (never two samples with one timestamp in any container): a frame whose timestamp equals one of
  // the last kRecentTimestamps emitted frames' is dropped and counted in frames_dropped; for video
  // decoding then waits for a key frame, since the dropped frame may have been a reference. Its
  // codec configuration and discontinuity are carried over to the next emitted frame. Returns
  // false when the frame was dropped. O(kRecentTimestamps) per frame.
  bool emit(Frame&& f) {
    for (uint32_t i = 0; i < recent_count_; i++) {
      if (recent_ts_[i] != f.timestamp) continue;
      stats_.frames_dropped++;
      if (f.config) pending_config_ = std::move(f.config);
      pending_discontinuity_ = true;
      if (f.codec != Codec::kOpus) wait_for_keyframe();
      return false;
    }
    recent_ts_[recent_next_] = f.timestamp;
    recent_next_ = (recent_next_ + 1) % kRecentTimestamps;
    if (recent_count_ < kRecentTimestamps) recent_count_++;
    if (pending_config_ && !f.config) f.config = std::move(pending_config_);
    pending_config_.reset();
    if (pending_discontinuity_) f.discontinuity = true;
    pending_discontinuity_ = false;
    stats_.frames++;
    if (f.keyframe) stats_.keyframes++;
    ready_.push_back(std::move(f));
    return true;
  }
  // True when a frame was emitted and the last one had timestamp `ts` (the guard's own record).
  bool last_emitted_is(int64_t ts) const {
    return recent_count_ > 0 &&
           recent_ts_[(recent_next_ + kRecentTimestamps - 1) % kRecentTimestamps] == ts;
  }
  void request_keyframe() {
    if (!keyframe_needed_) stats_.keyframe_requests++;
    keyframe_needed_ = true;
  }
  // Start dropping until the next keyframe, and ask for one.
  void wait_for_keyframe() {
    if (!waiting_keyframe_) {
      waiting_keyframe_ = true;
      request_keyframe();
    }
  }

  DepacketizerStats stats_;
  std::deque<Frame> ready_;
  bool keyframe_needed_ = false;
  // Video depacketizers start true (nothing is decodable before the first keyframe); Opus never
  // waits.
  bool waiting_keyframe_ = false;

 private:
  // Timestamps of the last emitted frames (H.264 B-frames make them non-monotonic, so not only
  // the last one is compared).
  static constexpr uint32_t kRecentTimestamps = 16;
  int64_t recent_ts_[kRecentTimestamps] = {};
  uint32_t recent_count_ = 0;
  uint32_t recent_next_ = 0;
  CodecConfigPtr pending_config_;
  bool pending_discontinuity_ = false;
};

}  // namespace te
