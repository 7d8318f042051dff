// Base of the container muxers: frames in (decode order), OutputChunks out.
//
// Streaming is the default: every chunk is appended at the current end of the output, so it can
// go to a socket or a multipart upload as it comes. With `seekable` set, the muxer may, at
// finish(), emit chunks at earlier offsets to patch sizes, durations or an index (a local file).
//
// Media always goes out in pieces of about fragment_ms (MP4 fragments, WebM clusters, Ogg pages)
// cut on time, whatever the keyframe interval: a piece may start with a non-keyframe (its samples'
// sync flags say which are keyframes). So everything but the piece being filled is on its way to
// the output at any moment, and a crash-safe file (see crash_safe) loses at most about fragment_ms
// when the process dies.
#pragma once
#include <cstdint>
#include <deque>

#include "../media/frame.h"
#include "../media/output_chunk.h"

namespace te {

struct MuxerOptions {
  bool seekable = false;  // the target can take positioned writes at finish()
  // Fragment / cluster / page length in milliseconds: a new one starts with the first frame at or
  // after this much media since the current one started (keyframe or not).
  uint32_t fragment_ms = 2000;
  // Crash-safe file layout: whatever was written stays a playable file if the process dies (kill
  // -9, power loss). MP4 is then fragmented even when seekable (ftyp moov(mvex) | moof mdat ...),
  // and a seekable finish adds the index: it overwrites the moov in place with the durations and
  // appends an mfra random-access index. WebM (live clusters, Segment size and Duration patched at
  // a seekable finish) and Ogg are crash-safe in every mode. Default false: a seekable MP4 is the
  // classic layout with the whole index (moov) at the end, unreadable until finish().
  bool crash_safe = false;
};

struct MuxerStats {
  uint64_t frames = 0;
  uint64_t bytes = 0;          // bytes emitted so far (file size when streaming)
  int64_t first_timestamp = 0; // unwrapped RTP ts of the first frame written
  int64_t duration = 0;        // in clock units, first frame start to last frame end
  uint32_t clock_rate = 0;
};

class Muxer {
 public:
  explicit Muxer(MuxerOptions opts) : opts_(opts) {}
  virtual ~Muxer() = default;

  // Frames come in decode order. The first frame must carry a config (Frame::config).
  virtual void write(Frame&& frame) = 0;
  // End of stream: flush buffered frames, write trailers; with opts.seekable, also patch the head.
  virtual void finish() = 0;
  // True when every chunk this muxer emits is appended at the end (never a positioned patch).
  bool monotonic() const { return !opts_.seekable; }
  // MIME type of the container, e.g. "video/mp4".
  virtual const char* mime_type() const = 0;

  bool pop(OutputChunk& out) {
    if (out_.empty()) return false;
    out = std::move(out_.front());
    out_.pop_front();
    return true;
  }
  const MuxerStats& stats() const { return stats_; }

 protected:
  // Appends `data` at the current end of the output.
  void emit(ByteChain&& data, PacketHold&& hold) {
    OutputChunk c;
    c.offset = end_;
    end_ += data.size();
    stats_.bytes = end_;
    c.data = std::move(data);
    c.hold = std::move(hold);
    out_.push_back(std::move(c));
  }
  // Overwrites bytes at an earlier offset (seekable targets only; only from finish()).
  void emit_at(uint64_t offset, ByteChain&& data) {
    OutputChunk c;
    c.offset = offset;
    c.data = std::move(data);
    out_.push_back(std::move(c));
  }
  uint64_t end() const { return end_; }

  MuxerOptions opts_;
  MuxerStats stats_;

 private:
  std::deque<OutputChunk> out_;
  uint64_t end_ = 0;
};

}  // namespace te
