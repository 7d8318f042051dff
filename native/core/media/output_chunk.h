// A piece of container output: bytes to write at `offset` of the output file or stream.
#pragma once
#include <cstdint>

#include "byte_chain.h"
#include "packet_hold.h"

namespace te {

struct OutputChunk {
  // Position in the output. Streaming muxers only ever append (offset == bytes written so far);
  // a seekable finalize may emit a chunk at an earlier offset to patch a size or duration field.
  uint64_t offset = 0;
  ByteChain data;
  // Input packets that `data` references; released when the chunk is consumed.
  PacketHold hold;
};

}  // namespace te
