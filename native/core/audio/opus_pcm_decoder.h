// Opus → interleaved PCM s16 (native endian, i.e. s16le on every target we build), with the RTP
// timeline kept sample-exact: timestamp gaps are concealed (libopus PLC, or in-band FEC when the
// packet after a loss carries LBRR data, RFC 6716 §2.1.7 / §4.2.5), corrupt packets are concealed
// for their duration, and nothing is ever resampled outside libopus (which decodes natively at
// 8/12/16/24/48 kHz, RFC 6716 §2).
//
// Input: Frames from OpusDepacketizer, in order. Output: a PcmQueue the caller drains.
// Errors from opus_decoder_create are reported by status(); decode() is then a no-op.
#pragma once
#include <cstdint>
#include <vector>

#include "../media/frame.h"
#include "../depack/opus_gap_filler.h"
#include "pcm_queue.h"

struct OpusDecoder;  // libopus (opus.h), kept out of this header

namespace te {

struct OpusPcmDecoderOptions {
  int32_t sample_rate = 48000;  // 8000, 12000, 16000, 24000 or 48000
  int channels = 2;             // 1 or 2 (libopus down/up-mixes the coded stream)
  bool use_fec = true;          // decode LBRR data after a loss
  // Concealment longer than this continues as digital silence (PLC has faded out by then).
  uint32_t max_plc_ms = 1000;
  // A forward timestamp jump longer than this (or backwards by more than 1 s) is a sender restart:
  // the timeline continues without a gap. Shorter backwards steps drop the frame.
  uint32_t max_gap_ms = 6 * 3600 * 1000;
};

struct OpusPcmDecoderStats {
  uint64_t frames_decoded = 0;
  uint64_t samples_decoded = 0;    // per channel, at the output rate
  uint64_t samples_concealed = 0;  // per channel, at the output rate (PLC + FEC + silence)
  uint64_t fec_used = 0;           // losses repaired (partly) from LBRR data
  uint64_t decode_errors = 0;      // corrupt packets (concealed instead)
  uint64_t dropped = 0;            // frames whose timestamp went backwards
  uint64_t timestamp_resets = 0;
};

class OpusPcmDecoder {
 public:
  explicit OpusPcmDecoder(OpusPcmDecoderOptions opts = {});
  ~OpusPcmDecoder();
  OpusPcmDecoder(const OpusPcmDecoder&) = delete;
  OpusPcmDecoder& operator=(const OpusPcmDecoder&) = delete;

  // OPUS_OK (0) or the libopus error code (e.g. OPUS_BAD_ARG = -1 for an unsupported rate).
  int status() const { return status_; }
  bool ok() const { return status_ == 0; }

  // Decodes one frame (after concealing any gap before it). False if not ok() or dropped.
  bool decode(const Frame& frame);

  // End of stream: releases the first frame if it is still held back (see first_held_).
  void flush() { first_held_ = false; }

  // Interleaved int16 values ready to read (contiguous run at data()); see PcmQueue.
  size_t available() const { return first_held_ ? 0 : out_.available(); }
  const int16_t* data() const { return out_.data(); }
  void consume(size_t values) { out_.consume(values); }
  uint64_t buffered() const { return out_.total(); }

  int sample_rate() const { return opts_.sample_rate; }
  int channels() const { return opts_.channels; }
  const OpusPcmDecoderStats& stats() const { return stats_; }

 private:
  // Conceals `units` of 2.5 ms; the last `fec_units` of them from LBRR in `packet` if non-null.
  void conceal(uint64_t units, const uint8_t* packet, int32_t len, uint32_t fec_units);
  bool plc(uint32_t samples);  // samples per channel, multiple of 2.5 ms, <= 120 ms

  OpusPcmDecoderOptions opts_;
  OpusPcmDecoderStats stats_;
  ::OpusDecoder* dec_ = nullptr;
  int status_ = 0;
  PcmQueue out_;
  bool started_ = false;
  int64_t base_ts_ = 0;
  int64_t last_ts_ = 0;
  uint64_t position_ = 0;     // 48 kHz samples of timeline produced
  uint64_t plc_run_ = 0;      // output samples concealed since the last decoded packet
  uint32_t per_48k() const { return 48000u / static_cast<uint32_t>(opts_.sample_rate); }
  std::vector<uint8_t> scratch_;
  std::vector<OpusGapPacket> gap_scratch_;
  uint8_t last_toc_ = 0;  // TOC of the last decoded packet: the gap fillers copy its config
  bool have_toc_ = false;
  // The first frame's samples are held back until the second frame's timestamp is known: if the
  // two overlap, the overlap is the encoder's lookahead (what Ogg calls pre-skip) and is dropped
  // from the front, so output sample 0 is the first packet's RTP time minus nothing extra.
  bool first_held_ = false;
  uint32_t frames_seen_ = 0;
};

}  // namespace te
