// Interleaved s16 PCM waiting to be read, as a queue of blocks: decoded samples, or runs of pure
// silence kept as a count (so a track muted for an hour does not allocate an hour of zeros).
//
// Reading: while (available()) { use(data(), available()); consume(available()); }
// available()/data() expose the contiguous front block (silence is served from a shared block of
// zeros, kZeroChunk values at a time); total() counts everything queued.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace te {

class PcmQueue {
 public:
  static constexpr size_t kZeroChunk = 8192;

  // Appends n interleaved values; returns where to write them (valid until the next call).
  int16_t* append(size_t n);
  // Shrinks the last append by `unused` values (when a decoder produced fewer than reserved).
  void trim_back(size_t unused);
  void append_silence(uint64_t n);
  // Removes the last n unread values, across blocks (trims concealment to the exact sample).
  void drop_back(uint64_t n);

  size_t available() const;
  const int16_t* data() const;
  void consume(size_t n);
  uint64_t total() const { return total_; }
  void clear();

 private:
  struct Block {
    std::vector<int16_t> pcm;  // decoded values, or empty for a silence block
    uint64_t silence = 0;      // values of silence when pcm is empty
    size_t read = 0;           // values of pcm already consumed
  };
  std::deque<Block> blocks_;
  uint64_t total_ = 0;
};

}  // namespace te
