// RTP → container, for one track: RtpInput → Depacketizer → Muxer. This is the whole track egress
// file path; the bindings only move packets in and output chunks out.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../depack/depacketizer.h"
#include "../depack/h264_fmtp.h"
#include "../mux/muxer.h"
#include "rtp_input.h"

namespace te {

struct RecorderOptions {
  Codec codec = Codec::kOpus;
  uint32_t channels = 2;  // Opus only
  RtpInputOptions input;
  MuxerOptions mux;
};

class Recorder {
 public:
  // Check ok() after construction (an unknown codec leaves the recorder unusable).
  explicit Recorder(const RecorderOptions& opts);
  bool ok() const { return depack_ && mux_; }

  // The SDP fmtp parameters of the stream ("k=v;k=v", RFC 4566 §6 a=fmtp without the payload
  // type). H.264 uses sprop-parameter-sets and packetization-mode (RFC 6184 §8.1); other codecs and
  // unknown keys are ignored. Only before the first push (see started()). On failure `error` says
  // why and the recorder is unchanged.
  FmtpResult set_fmtp(const std::string& fmtp, std::string& error);
  bool started() const { return started_; }

  void push(uint32_t id, ByteView bytes, int64_t arrival_us);
  void poll(int64_t now_us);
  void finish();
  bool finished() const { return finished_; }

  bool pop(OutputChunk& out) { return mux_->pop(out); }
  // Ids of packets no longer referenced; the caller clears it after reading.
  ReleaseList& released() { return released_; }
  bool take_keyframe_request();
  bool waiting_for_keyframe() const { return depack_->waiting_for_keyframe(); }
  std::vector<uint16_t> missing(size_t max) const { return input_.missing(max); }

  const RtpInputStats& input_stats() const { return input_.stats(); }
  const ReorderStats& reorder_stats() const { return input_.reorder_stats(); }
  const DepacketizerStats& depacketizer_stats() const { return depack_->stats(); }
  const MuxerStats& muxer_stats() const { return mux_->stats(); }
  const char* mime_type() const { return mux_->mime_type(); }
  uint16_t width() const { return width_; }
  uint16_t height() const { return height_; }
  // H.264: IDR access units dropped because no SPS/PPS they need arrived in-band or out of band.
  uint64_t parameter_sets_missing() const;

 private:
  void deliver(ReleasedPacket& rp);
  void drain_frames();

  // Declared first: every PacketHold below reports into it, so it must be destroyed last.
  ReleaseList released_;
  RtpInput input_;
  std::unique_ptr<Depacketizer> depack_;
  std::unique_ptr<Muxer> mux_;
  Codec codec_;
  uint32_t channels_;
  bool started_ = false;
  bool keyframe_request_ = false;
  bool finished_ = false;
  uint16_t width_ = 0, height_ = 0;
};

}  // namespace te
