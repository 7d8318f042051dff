// VP8 depacketizer (RFC 7741): RTP packets in sequence order → whole VP8 frames (zero-copy views
// of the payloads after the payload descriptor).
//
// Frame assembly (RFC 7741 §4.4, §4.1): a frame is the packets of one RTP timestamp, from the
// packet with S=1 and PID=0 up to the packet with the marker bit. A timestamp change inside a
// frame makes it incomplete (dropped, with the loss recovery below) — except one packet with the
// frame's PictureID between two packets with the frame's timestamp: that packet's timestamp alone
// is wrong, and it stays in the frame.
// Key frames (RFC 7741 §4.3): P bit of the first payload header byte is 0; the size comes from the
// key frame header (RFC 6386 §9.1) and is attached as a CodecConfig on the first key frame and
// whenever it changes.
// Loss: the frame a loss hits is dropped. Decoding continues only when the lost data is proven
// harmless: every frame it touched is marked N=1 (non-reference, RFC 7741 §4.2) in a packet we did
// receive, and no frame can have been lost whole — either the loss lies between two packets of the
// same frame, or PictureIDs on both sides are consecutive. With temporal layers (T, L), a loss
// that TL0PICIDX proves hit only frames with TID > 0 (as when an SFU drops upper layers) keeps the
// base layer going; upper-layer frames are dropped until a layer sync frame (Y=1) or a key frame.
// Otherwise frames are dropped until the next key frame and a key frame is requested. Decoding
// starts at the first key frame.
#pragma once
#include <cstdint>

#include "vp8_payload_descriptor.h"
#include "vpx_frame_assembler.h"

namespace te {

// The VP8 rules of the shared assembler (vpx_frame_assembler.h): only the payload descriptor and
// key frame header are read here.
class Vp8Depacketizer final : public VpxFrameAssembler<Vp8Depacketizer> {
 public:
  Vp8Depacketizer() : VpxFrameAssembler(Codec::kVP8) {}

 private:
  friend class VpxFrameAssembler<Vp8Depacketizer>;

  bool read_descriptor(const RtpPacket& pkt, VpxPacketInfo& out);
  VpxLossVerdict judge_loss(const VpxPacketInfo& p, bool inside);
  void continue_frame(const VpxPacketInfo& p);
  bool close_frame(const VpxPartial& f);
  bool read_frame_header(const VpxPartial& f, VpxFrameHeader& out);

  Vp8Descriptor d_;  // of the packet being pushed
};

// Instantiated in vp8_depacketizer.cc.
extern template class VpxFrameAssembler<Vp8Depacketizer>;

}  // namespace te
