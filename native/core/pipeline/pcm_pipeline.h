// Opus RTP → interleaved s16 PCM, for one track: RtpInput → OpusDepacketizer → OpusPcmDecoder.
// This is the WebSocket PCM egress path; the PCM timeline has exactly the samples the RTP clock
// says (gaps concealed by the decoder).
#pragma once
#include <cstdint>
#include <vector>

#include "../audio/opus_pcm_decoder.h"
#include "../depack/opus_depacketizer.h"
#include "rtp_input.h"

namespace te {

struct PcmPipelineOptions {
  uint32_t in_channels = 2;  // the stream's channel count (SDP stereo / sprop-stereo)
  OpusPcmDecoderOptions decoder;
  RtpInputOptions input;
};

class PcmPipeline {
 public:
  explicit PcmPipeline(const PcmPipelineOptions& opts);
  // libopus status of the decoder (0 = OK); check after construction.
  int status() const { return decoder_.status(); }

  void push(uint32_t id, ByteView bytes, int64_t arrival_us);
  void poll(int64_t now_us);
  void finish();
  bool finished() const { return finished_; }

  // Moves decoded samples into `out` (replacing its contents): at most max_read() values, so one
  // call never materializes more than a second of PCM whatever the timestamps said (a long gap is
  // queued as a compact silence run). Call until `out` comes back empty.
  void read(std::vector<int16_t>& out);
  // One second of interleaved values at the output rate.
  size_t max_read() const {
    return static_cast<size_t>(decoder_.sample_rate()) * static_cast<size_t>(decoder_.channels());
  }
  ReleaseList& released() { return released_; }
  std::vector<uint16_t> missing(size_t max) const { return input_.missing(max); }

  const RtpInputStats& input_stats() const { return input_.stats(); }
  const ReorderStats& reorder_stats() const { return input_.reorder_stats(); }
  const DepacketizerStats& depacketizer_stats() const { return depack_.stats(); }
  const OpusPcmDecoderStats& decoder_stats() const { return decoder_.stats(); }

 private:
  void deliver(ReleasedPacket& rp);
  void decode_frames();

  ReleaseList released_;  // first: holds below report into it
  RtpInput input_;
  OpusDepacketizer depack_;
  OpusPcmDecoder decoder_;
  bool finished_ = false;
};

}  // namespace te
