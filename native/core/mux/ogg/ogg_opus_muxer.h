// Ogg Opus muxer (RFC 7845 on RFC 3533): true passthrough of the RTP Opus packets.
//
// Layout (RFC 7845 §3): page 0 = OpusHead alone (BOS), page 1.. = OpusTags alone (it ends its
// page), then audio pages; the last page has EOS. Audio packets are views of the input packets.
//
// Timing follows the RTP clock: the first frame's timestamp is sample 0; a later timestamp gap
// (DTX, mute, loss) is filled with generated 2-byte PLC packets (see depack/opus_gap_filler.h, RFC 7845
// §4.1) rounded to 2.5 ms, measured against the absolute RTP position so rounding never drifts.
// Granule position of a page = 48 kHz sample count at the end of the last packet completed on it,
// i.e. the sum of the durations of all packets so far (RFC 7845 §4: the granule counts the
// pre-skip samples too; playback position = granule - pre-skip).
//
// Pre-skip (RFC 7845 §4.2) defaults to 0: the stream is a live capture whose encoder delay is
// already part of the RTP timeline (the sender never signals it), so 0 keeps file time == RTP time
// (lip sync with the video file made from the same session) and makes a decode of the file equal,
// sample for sample, to opus_decode() over the same packets (OpusPcmDecoder, opusdec, ffmpeg).
#pragma once
#include <memory>
#include <cstdint>
#include <vector>

#include "../muxer.h"
#include "ogg_page_writer.h"
#include "../../depack/opus_gap_filler.h"

namespace te {

struct OggOpusOptions {
  uint32_t serial = 0x74652D31;  // bitstream serial number ("te-1"); pass a random one if muxing
                                 // several streams into one physical Ogg stream
  uint16_t pre_skip = 0;
  uint32_t input_sample_rate = 48000;  // informational (OpusHead)
  const char* vendor = "track-egress";
  const char* comment = "ENCODER=track-egress passthrough";  // null/empty: no comment
  // A forward timestamp jump longer than this is treated as a sender restart (no fill, the
  // timeline continues); a backwards jump longer than 1 s likewise. Shorter backwards steps drop
  // the frame.
  uint32_t max_gap_ms = 6 * 3600 * 1000;
};

struct OggOpusStats {
  uint64_t gap_packets = 0;     // generated PLC packets
  uint64_t gap_samples = 0;     // 48 kHz samples they cover
  uint64_t dropped = 0;         // frames dropped (timestamp went backwards, bad TOC)
  uint64_t timestamp_resets = 0;
  uint64_t pages = 0;
};

class OggOpusMuxer : public Muxer {
 public:
  explicit OggOpusMuxer(MuxerOptions opts = {}, OggOpusOptions ogg = {});

  void write(Frame&& frame) override;
  void finish() override;
  const char* mime_type() const override { return "audio/ogg"; }  // RFC 7845 §9 / RFC 5334

  const OggOpusStats& ogg_stats() const { return ogg_stats_; }

 private:
  void write_headers(uint8_t channels);
  void add_audio_packet(const ByteChain& data, PacketHold&& hold, uint32_t samples);
  void fill_gap(uint64_t samples);
  void drain_pages();

  OggOpusOptions ogg_;
  OggOpusStats ogg_stats_;
  OggPageWriter pages_;
  bool started_ = false;
  // The first packet, held until the second arrives (pre-skip detection; see write()).
  std::unique_ptr<Frame> first_;
  uint32_t first_samples_ = 0;
  uint8_t first_toc_ = 0;
  void start_with_first();
  bool finished_ = false;
  int64_t base_ts_ = 0;      // RTP timestamp that maps to sample 0
  int64_t last_ts_ = 0;      // timestamp of the last frame written
  uint64_t position_ = 0;    // samples written so far (48 kHz): the granule position
  uint64_t page_samples_ = 0;  // samples completed on the page being filled
  uint8_t last_toc_ = 0;
  std::vector<OpusGapPacket> gap_scratch_;
  std::vector<uint8_t> toc_scratch_;
};

}  // namespace te
