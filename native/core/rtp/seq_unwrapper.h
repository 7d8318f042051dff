// Unwrapping of RTP's 16-bit sequence numbers and 32-bit timestamps to 64-bit values
// (RFC 3550 §A.1 keeps an extended highest sequence number the same way). Each new value is
// placed at the signed distance from the previous one, so reordering, B-frame timestamps that go
// backwards, and wrap-around all come out right.
#pragma once
#include <cstdint>

namespace te {

class SeqUnwrapper {
 public:
  int64_t unwrap(uint16_t seq) {
    if (!started_) {
      started_ = true;
      last_ = seq;
      return last_ext_ = seq;
    }
    int16_t delta = static_cast<int16_t>(static_cast<uint16_t>(seq - static_cast<uint16_t>(last_)));
    last_ext_ += delta;
    last_ = seq;
    return last_ext_;
  }
  // Peeks without updating state.
  int64_t peek(uint16_t seq) const {
    if (!started_) return seq;
    int16_t delta = static_cast<int16_t>(static_cast<uint16_t>(seq - static_cast<uint16_t>(last_)));
    return last_ext_ + delta;
  }
  void reset() { started_ = false; }

 private:
  bool started_ = false;
  uint16_t last_ = 0;
  int64_t last_ext_ = 0;
};

class TimestampUnwrapper {
 public:
  int64_t unwrap(uint32_t ts) {
    if (!started_) {
      started_ = true;
      last_ = ts;
      return last_ext_ = ts;
    }
    int32_t delta = static_cast<int32_t>(ts - last_);
    last_ext_ += delta;
    last_ = ts;
    return last_ext_;
  }
  void reset() { started_ = false; }

 private:
  bool started_ = false;
  uint32_t last_ = 0;
  int64_t last_ext_ = 0;
};

}  // namespace te
