// A borrowed, read-only view of bytes. Never owns; the owner guarantees the lifetime.
#pragma once
#include <cstddef>
#include <cstdint>

namespace te {

struct ByteView {
  const uint8_t* data = nullptr;
  size_t size = 0;

  ByteView() = default;
  ByteView(const uint8_t* d, size_t n) : data(d), size(n) {}

  bool empty() const { return size == 0; }
  uint8_t operator[](size_t i) const { return data[i]; }
  // Clamped sub-view: never reads past the end, whatever the arguments.
  ByteView sub(size_t offset, size_t n = SIZE_MAX) const {
    if (offset > size) offset = size;
    if (n > size - offset) n = size - offset;
    return ByteView(data + offset, n);
  }
};

}  // namespace te
