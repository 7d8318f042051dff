// libopus decoding with gap concealment (RFC 6716 §4.4 packet loss concealment; LBRR §4.2.5).
#include "opus_pcm_decoder.h"

#include <cstring>

#include <opus.h>

#include "../depack/opus_gap_filler.h"
#include "../depack/opus_packet.h"

namespace te {

namespace {
constexpr uint64_t kUnit48 = 120;         // 2.5 ms at 48 kHz: the PLC granularity
constexpr int64_t kBackwardsRestart = 48000;  // 1 s
}  // namespace

OpusPcmDecoder::OpusPcmDecoder(OpusPcmDecoderOptions opts) : opts_(opts) {
  int err = OPUS_OK;
  dec_ = opus_decoder_create(opts_.sample_rate, opts_.channels, &err);
  if (err != OPUS_OK || !dec_) {
    status_ = err != OPUS_OK ? err : OPUS_ALLOC_FAIL;
    dec_ = nullptr;
  }
}

OpusPcmDecoder::~OpusPcmDecoder() {
  if (dec_) opus_decoder_destroy(dec_);
}

bool OpusPcmDecoder::plc(uint32_t samples) {
  const uint32_t plc_max = opts_.max_plc_ms * static_cast<uint32_t>(opts_.sample_rate) / 1000;
  const size_t ch = static_cast<size_t>(opts_.channels);
  if (plc_run_ >= plc_max) {  // PLC has faded out: plain silence, no allocation of samples
    out_.append_silence(static_cast<uint64_t>(samples) * ch);
  } else {
    int16_t* pcm = out_.append(samples * ch);
    int ret = -1;
    if (have_toc_) {
      // Decode the same zero-length-frame packets OggOpusMuxer writes for this gap, so the PCM is
      // bit-identical to a libopus decode of the Ogg file (libopus conceals such frames).
      gap_scratch_.clear();
      OpusGapFiller::fill(last_toc_, static_cast<uint64_t>(samples) * per_48k(), gap_scratch_);
      uint32_t done = 0;
      ret = 0;
      for (const OpusGapPacket& g : gap_scratch_) {
        int r = opus_decode(dec_, g.bytes, 2, pcm + done * ch, static_cast<int>(samples - done), 0);
        if (r < 0) {
          ret = r;
          break;
        }
        done += static_cast<uint32_t>(r);
      }
      if (ret == 0 && done != samples) ret = -1;
    } else {
      ret = opus_decode(dec_, nullptr, 0, pcm, static_cast<int>(samples), 0);
    }
    if (ret < 0) {
      for (size_t i = 0; i < samples * ch; ++i) pcm[i] = 0;
    }
  }
  plc_run_ += samples;
  stats_.samples_concealed += samples;
  return true;
}

void OpusPcmDecoder::conceal(uint64_t units, const uint8_t* packet, int32_t len,
                             uint32_t fec_units) {
  const uint32_t unit_out = static_cast<uint32_t>(opts_.sample_rate) / 400;  // 2.5 ms
  if (fec_units > units) fec_units = 0;
  uint64_t plc_units = units - fec_units;
  while (plc_units > 0) {
    const uint64_t chunk = plc_units < 48 ? plc_units : 48;  // <= 120 ms per call
    plc(static_cast<uint32_t>(chunk) * unit_out);
    plc_units -= chunk;
  }
  if (fec_units == 0) return;
  // LBRR of the previous frame (RFC 6716 §4.2.5), decoded with frame_size = the packet's frame
  // duration so libopus goes straight to the FEC path.
  const uint32_t n = fec_units * unit_out;
  const size_t ch = static_cast<size_t>(opts_.channels);
  int16_t* pcm = out_.append(n * ch);
  int ret = opus_decode(dec_, packet, len, pcm, static_cast<int>(n), 1);
  if (ret < 0) {
    for (size_t i = 0; i < n * ch; ++i) pcm[i] = 0;
  } else {
    stats_.fec_used++;
  }
  stats_.samples_concealed += n;
  plc_run_ = 0;
}

bool OpusPcmDecoder::decode(const Frame& frame) {
  if (!dec_) return false;

  // The packet, contiguous (an Opus frame from the depacketizer is one view; join otherwise).
  const uint8_t* p = nullptr;
  const size_t size = frame.data.size();
  if (frame.data.runs().size() == 1) {
    p = frame.data.runs()[0].data;
  } else if (size > 0) {
    scratch_.resize(size);
    frame.data.copy_out(scratch_.data(), size);
    p = scratch_.data();
  }
  OpusPacketInfo info;
  const bool valid = size > 0 && size <= 0x7FFFFFFF &&
                     parse_opus_packet(ByteView(p, size), info) == OpusPacketError::kNone;
  uint32_t duration = valid ? info.duration : frame.duration;

  // Place the frame on the timeline (48 kHz units relative to the first frame).
  if (!started_) {
    started_ = true;
    base_ts_ = frame.timestamp;
    last_ts_ = frame.timestamp;
  } else {
    if (frame.timestamp < last_ts_) {
      if (last_ts_ - frame.timestamp <= kBackwardsRestart) {
        stats_.dropped++;
        return false;
      }
      stats_.timestamp_resets++;
      base_ts_ = frame.timestamp - static_cast<int64_t>(position_);
    }
    const int64_t gap = (frame.timestamp - base_ts_) - static_cast<int64_t>(position_);
    if (gap > static_cast<int64_t>(opts_.max_gap_ms) * 48) {
      stats_.timestamp_resets++;
      base_ts_ = frame.timestamp - static_cast<int64_t>(position_);
    } else if (gap > 0) {
      // libopus conceals in 2.5 ms units: conceal the gap rounded up, then trim the excess so the
      // timeline has exactly the samples the RTP clock says.
      const uint64_t units = (static_cast<uint64_t>(gap) + kUnit48 - 1) / kUnit48;
      uint32_t fec_units = 0;
      if (opts_.use_fec && valid && frame.discontinuity && opus_packet_has_lbrr(ByteView(p, size), info))
        fec_units = info.frame_samples / kUnit48;
      conceal(units, p, static_cast<int32_t>(size), fec_units);
      const uint64_t excess_out = (units * kUnit48 - static_cast<uint64_t>(gap)) / per_48k();
      out_.drop_back(excess_out * static_cast<uint64_t>(opts_.channels));
      position_ += units * kUnit48 - excess_out * per_48k();
    } else if (gap < 0 && first_held_) {
      // RFC 7845 §4.2 pre-skip, recovered from RTP: the first packet overlaps the second.
      const uint64_t overlap_out = static_cast<uint64_t>(-gap) / per_48k();
      if (overlap_out * per_48k() < position_) {
        out_.consume(static_cast<size_t>(overlap_out) * static_cast<size_t>(opts_.channels));
        position_ -= overlap_out * per_48k();
      }
    }
    first_held_ = false;
    last_ts_ = frame.timestamp;
  }

  const size_t ch = static_cast<size_t>(opts_.channels);
  if (valid) {
    const uint32_t max = 5760 / per_48k();  // 120 ms at the output rate
    int16_t* pcm = out_.append(max * ch);
    int ret = opus_decode(dec_, p, static_cast<int32_t>(size), pcm, static_cast<int>(max), 0);
    if (ret >= 0) {
      // A packet that starts before the current position (a mid-stream overlap): drop the
      // samples the timeline already has, from the front of this packet's output.
      const int64_t overlap = static_cast<int64_t>(position_) - (frame.timestamp - base_ts_);
      uint32_t drop = 0;
      if (frames_seen_ > 0 && overlap > 0) {
        drop = static_cast<uint32_t>(overlap) / per_48k();
        if (drop > static_cast<uint32_t>(ret)) drop = static_cast<uint32_t>(ret);
        std::memmove(pcm, pcm + drop * ch, (static_cast<size_t>(ret) - drop) * ch * sizeof(int16_t));
      }
      out_.trim_back((max - static_cast<uint32_t>(ret) + drop) * ch);
      if (frames_seen_++ == 0) first_held_ = true;
      ret -= static_cast<int>(drop);
      position_ += static_cast<uint64_t>(ret) * per_48k();
      stats_.frames_decoded++;
      last_toc_ = p[0];
      have_toc_ = true;
      stats_.samples_decoded += static_cast<uint64_t>(ret);
      plc_run_ = 0;
      return true;
    }
    out_.trim_back(max * ch);
  }
  // Corrupt packet: count it and conceal its duration (multiples of 2.5 ms) instead.
  stats_.decode_errors++;
  conceal(duration / kUnit48, nullptr, 0, 0);
  position_ += duration / kUnit48 * kUnit48;
  return true;
}

}  // namespace te
