// Ogg Opus encapsulation, RFC 7845 §3 (packet organization), §4 (granule position), §5 (headers).
#include "ogg_opus_muxer.h"

#include "../../depack/opus_packet.h"
#include "opus_header_writer.h"

namespace te {

namespace {
constexpr uint32_t k48k = 48000;
constexpr int64_t kBackwardsRestart = 48000;  // 1 s
}  // namespace

OggOpusMuxer::OggOpusMuxer(MuxerOptions opts, OggOpusOptions ogg)
    : Muxer(opts), ogg_(ogg), pages_(ogg.serial) {
  stats_.clock_rate = k48k;
}

void OggOpusMuxer::write_headers(uint8_t channels) {
  OpusHeadFields head;
  head.channels = channels == 1 ? 1 : 2;
  head.pre_skip = ogg_.pre_skip;
  head.input_sample_rate = ogg_.input_sample_rate;
  ByteChain h;
  OpusHeaderWriter::write_head(head, h);
  pages_.add_packet(h, PacketHold(), 0);  // header pages have granule 0 (RFC 7845 §3)
  pages_.flush_page(false);               // OpusHead alone on the BOS page
  ByteChain t;
  OpusHeaderWriter::write_tags(ogg_.vendor, ogg_.comment, t);
  pages_.add_packet(t, PacketHold(), 0);
  pages_.flush_page(false);  // OpusTags ends its page; audio starts on a fresh one
  drain_pages();
}

void OggOpusMuxer::write(Frame&& frame) {
  if (finished_) return;
  if (!started_ && !first_ && !frame.config) {
    ogg_stats_.dropped++;  // the first frame must carry the config (muxer.h)
    return;
  }
  // Duration: from the depacketizer, or from the TOC when it did not say.
  uint32_t samples = frame.duration;
  uint8_t toc = 0;
  if (frame.data.empty()) {
    ogg_stats_.dropped++;
    return;
  }
  frame.data.copy_out(&toc, 1);
  if (samples == 0) {
    toc_scratch_.resize(frame.data.size());
    frame.data.copy_out(toc_scratch_.data(), toc_scratch_.size());
    OpusPacketInfo info;
    if (parse_opus_packet(ByteView(toc_scratch_.data(), toc_scratch_.size()), info) !=
        OpusPacketError::kNone) {
      ogg_stats_.dropped++;
      return;
    }
    samples = info.duration;
  }

  if (!started_) {
    // Hold the first packet until the second one's timestamp is known: if they overlap, the
    // overlap is the encoder's lookahead, which RFC 7845 §4.2 writes as the OpusHead pre-skip.
    if (!first_) {
      first_ = std::make_unique<Frame>(std::move(frame));
      first_samples_ = samples;
      first_toc_ = toc;
      return;
    }
    const int64_t overlap = first_->timestamp + first_samples_ - frame.timestamp;
    if (ogg_.pre_skip == 0 && overlap > 0 && overlap < static_cast<int64_t>(first_samples_)) {
      ogg_.pre_skip = static_cast<uint16_t>(overlap);
    }
    start_with_first();
  }
  {
    if (frame.timestamp < last_ts_) {
      if (last_ts_ - frame.timestamp <= kBackwardsRestart) {
        ogg_stats_.dropped++;  // out of order after the reorder buffer: cannot go back in time
        return;
      }
      ogg_stats_.timestamp_resets++;  // the sender restarted its clock: continue seamlessly
      base_ts_ = frame.timestamp - static_cast<int64_t>(position_);
    }
    const int64_t rel = frame.timestamp - base_ts_;
    const int64_t gap = rel - static_cast<int64_t>(position_);
    if (gap > static_cast<int64_t>(ogg_.max_gap_ms) * 48) {
      ogg_stats_.timestamp_resets++;
      base_ts_ = frame.timestamp - static_cast<int64_t>(position_);
    } else if (gap >= 60) {
      // Round to the nearest 2.5 ms (120 samples); the leftover stays in `gap` of the next
      // frame because positions are compared with the absolute RTP position.
      fill_gap(static_cast<uint64_t>((gap + 60) / 120) * 120);
    }
    // A small overlap (gap < 0: the packet starts before the previous one ended) is written as is;
    // the next gap absorbs it.
    last_ts_ = frame.timestamp;
  }

  if (opts_.fragment_ms > 0 && page_samples_ >= static_cast<uint64_t>(opts_.fragment_ms) * 48) {
    pages_.flush_page(false);
    page_samples_ = 0;
  }
  add_audio_packet(frame.data, std::move(frame.hold), samples);
  last_toc_ = toc;
  stats_.frames++;
  drain_pages();
}

void OggOpusMuxer::add_audio_packet(const ByteChain& data, PacketHold&& hold, uint32_t samples) {
  position_ += samples;
  const uint32_t pages_before = pages_.pages_written();
  pages_.add_packet(data, std::move(hold), static_cast<int64_t>(position_));
  // A page that filled up (255 segments) closed by itself: this packet ends on the new page.
  page_samples_ = pages_.pages_written() != pages_before ? samples : page_samples_ + samples;
  // Playable duration: granule position minus pre-skip (RFC 7845 §4.2), i.e. the RTP span.
  stats_.duration = static_cast<int64_t>(position_) - ogg_.pre_skip;
}

void OggOpusMuxer::fill_gap(uint64_t samples) {
  gap_scratch_.clear();
  OpusGapFiller::fill(last_toc_, samples, gap_scratch_);
  for (const OpusGapPacket& g : gap_scratch_) {
    if (opts_.fragment_ms > 0 && page_samples_ >= static_cast<uint64_t>(opts_.fragment_ms) * 48) {
      pages_.flush_page(false);
      page_samples_ = 0;
      drain_pages();
    }
    ByteChain c;
    c.append_copy(g.bytes, 2);  // generated: a TOC and a frame count byte, no payload
    add_audio_packet(c, PacketHold(), g.samples);
    ogg_stats_.gap_packets++;
    ogg_stats_.gap_samples += g.samples;
  }
}

void OggOpusMuxer::start_with_first() {
  started_ = true;
  write_headers(first_->config->channels);
  // Granule positions count the pre-skip (RFC 7845 §4): the timeline origin is pre_skip samples
  // before the first packet's RTP timestamp.
  base_ts_ = first_->timestamp - ogg_.pre_skip;
  last_ts_ = first_->timestamp;
  stats_.first_timestamp = first_->timestamp;
  add_audio_packet(first_->data, std::move(first_->hold), first_samples_);
  last_toc_ = first_toc_;
  stats_.frames++;
  first_.reset();
  drain_pages();
}

void OggOpusMuxer::finish() {
  if (finished_) return;
  if (!started_ && first_) start_with_first();
  finished_ = true;
  if (!started_) return;  // no audio at all: nothing to describe, empty output
  pages_.flush_page(true);  // EOS on the last page (RFC 3533 §6, RFC 7845 §3)
  drain_pages();
}

void OggOpusMuxer::drain_pages() {
  OggPage p;
  while (pages_.pop(p)) {
    ogg_stats_.pages++;
    emit(std::move(p.data), std::move(p.hold));
  }
}

}  // namespace te
