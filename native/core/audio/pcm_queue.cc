#include "pcm_queue.h"

namespace te {

namespace {
const int16_t kZeros[PcmQueue::kZeroChunk] = {};
constexpr size_t kMaxBlock = 1 << 16;  // start a new pcm block past this, so consume stays cheap
}  // namespace

int16_t* PcmQueue::append(size_t n) {
  if (blocks_.empty() || blocks_.back().pcm.empty() ||
      blocks_.back().pcm.size() - blocks_.back().read > kMaxBlock) {
    blocks_.emplace_back();
  }
  std::vector<int16_t>& v = blocks_.back().pcm;
  const size_t at = v.size();
  v.resize(at + n);
  total_ += n;
  return v.data() + at;
}

void PcmQueue::trim_back(size_t unused) {
  if (blocks_.empty()) return;
  Block& b = blocks_.back();
  if (unused > b.pcm.size() - b.read) unused = b.pcm.size() - b.read;
  b.pcm.resize(b.pcm.size() - unused);
  total_ -= unused;
  if (b.pcm.empty() && b.silence == 0) blocks_.pop_back();
}

void PcmQueue::drop_back(uint64_t n) {
  while (n > 0 && !blocks_.empty()) {
    Block& b = blocks_.back();
    const uint64_t left = b.pcm.empty() ? b.silence : b.pcm.size() - b.read;
    const uint64_t take = n < left ? n : left;
    if (b.pcm.empty()) b.silence -= take; else b.pcm.resize(b.pcm.size() - static_cast<size_t>(take));
    total_ -= take;
    n -= take;
    if (take == left) blocks_.pop_back();
  }
}

void PcmQueue::append_silence(uint64_t n) {
  if (n == 0) return;
  if (blocks_.empty() || !blocks_.back().pcm.empty()) blocks_.emplace_back();
  blocks_.back().silence += n;
  total_ += n;
}

size_t PcmQueue::available() const {
  if (blocks_.empty()) return 0;
  const Block& b = blocks_.front();
  if (!b.pcm.empty()) return b.pcm.size() - b.read;
  return b.silence < kZeroChunk ? static_cast<size_t>(b.silence) : kZeroChunk;
}

const int16_t* PcmQueue::data() const {
  if (blocks_.empty()) return kZeros;
  const Block& b = blocks_.front();
  return b.pcm.empty() ? kZeros : b.pcm.data() + b.read;
}

void PcmQueue::consume(size_t n) {
  while (n > 0 && !blocks_.empty()) {
    Block& b = blocks_.front();
    uint64_t left = b.pcm.empty() ? b.silence : b.pcm.size() - b.read;
    uint64_t take = n < left ? n : left;
    if (b.pcm.empty()) b.silence -= take; else b.read += static_cast<size_t>(take);
    total_ -= take;
    n -= static_cast<size_t>(take);
    if (take == left) blocks_.pop_front();
  }
}

void PcmQueue::clear() {
  blocks_.clear();
  total_ = 0;
}

}  // namespace te
