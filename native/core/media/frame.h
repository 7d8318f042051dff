// One access unit / frame / audio packet, as a depacketizer assembles it and a muxer consumes it.
#pragma once
#include <cstdint>

#include "byte_chain.h"
#include "codec.h"
#include "packet_hold.h"

namespace te {

struct Frame {
  Codec codec = Codec::kOpus;
  // Presentation timestamp: the frame's RTP timestamp unwrapped to 64 bits, in clock-rate units,
  // relative to nothing (the muxer subtracts the first one). Frames arrive in *decode* order, which
  // for H.264 with B-frames is not presentation order.
  int64_t timestamp = 0;
  // Duration in clock units when the payload itself says (Opus TOC); 0 = unknown (the muxer uses
  // the distance to the next frame).
  uint32_t duration = 0;
  bool keyframe = false;
  // Something was lost or dropped right before this frame (the muxer keeps the timestamp gap).
  bool discontinuity = false;
  // Set on the first frame and whenever the configuration changed; null otherwise.
  CodecConfigPtr config;
  // The bitstream in the container's sample format: H.264 as 4-byte length-prefixed NAL units
  // (ISO/IEC 14496-15 sample format; the prefixes are generated, the NAL bytes are views), VP8/VP9
  // as the raw frame, Opus as the raw packet.
  ByteChain data;
  // The input packets `data` points into.
  PacketHold hold;
};

}  // namespace te
