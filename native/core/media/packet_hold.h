// Ownership of input packets inside the core.
//
// The core never copies payload bytes: frames and output chunks point into the caller's packet
// buffers. Every input packet is therefore owned by exactly one holder at a time — the reorder
// buffer, a depacketizer's partial frame, a Frame, a muxer's pending fragment, or an OutputChunk —
// and moves along with the bytes that reference it. When the holder is destroyed, the packet's id
// goes to the ReleaseList, and the binding tells the caller that buffer may now be reused/freed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace te {

// Collects ids of packets the core no longer references. Owned by the pipeline.
struct ReleaseList {
  std::vector<uint32_t> ids;
};

class PacketHold {
 public:
  PacketHold() = default;
  PacketHold(ReleaseList* sink, uint32_t id) : sink_(sink) { ids_.push_back(id); }
  PacketHold(PacketHold&& o) noexcept : sink_(o.sink_), ids_(std::move(o.ids_)) { o.ids_.clear(); }
  PacketHold& operator=(PacketHold&& o) noexcept {
    if (this != &o) {
      release();
      sink_ = o.sink_;
      ids_ = std::move(o.ids_);
      o.ids_.clear();
    }
    return *this;
  }
  PacketHold(const PacketHold&) = delete;
  PacketHold& operator=(const PacketHold&) = delete;
  ~PacketHold() { release(); }

  // Moves all of `other`'s packets into this hold.
  void absorb(PacketHold&& other) {
    if (!sink_) sink_ = other.sink_;
    ids_.insert(ids_.end(), other.ids_.begin(), other.ids_.end());
    other.ids_.clear();
  }
  // Gives every held packet back to the caller now.
  void release() {
    if (sink_) sink_->ids.insert(sink_->ids.end(), ids_.begin(), ids_.end());
    ids_.clear();
  }
  bool empty() const { return ids_.empty(); }
  size_t count() const { return ids_.size(); }
  const std::vector<uint32_t>& ids() const { return ids_; }

 private:
  ReleaseList* sink_ = nullptr;
  std::vector<uint32_t> ids_;
};

}  // namespace te
