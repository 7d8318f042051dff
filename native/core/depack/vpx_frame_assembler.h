// Frame assembly shared by the VP8 (RFC 7741) and VP9 (RFC 9628) depacketizers: RTP packets in
// sequence order → whole frames, with keyframe gating and loss recovery. The codec subclass reads
// its payload descriptor into a VpxPacketInfo and supplies the per-codec rules through the hooks
// below (frame head/tail, what a loss may have hit, the frame header, references); everything
// else happens here, once:
//
// - Assembly: a frame is the packets of one RTP timestamp, from a frame start up to the marker bit.
//   A timestamp change inside a frame ends it (incomplete unless the new packet starts a frame).
// - Timestamp-damage repair: one packet with the frame's PictureID between two packets with the
//   frame's timestamp keeps the frame (only that packet's timestamp is wrong); if no later packet
//   returns to the frame's timestamp the frame is dropped.
// - Loss: the frame a loss hits is dropped; the codec decides whether the loss was harmless, broke
//   only temporal layers above some TID (TL0PICIDX proves no base-layer frame is missing), or
//   broke decoding until the next key frame (which is then requested).
// - Temporal layers: bit t of a mask says layer t still decodes; a frame of TID t > 0 is dropped
//   while any of layers 1..t is broken, until a layer sync (VP8 Y=1) or switching-up point (VP9
//   U=1) or a key frame repairs them.
// - Gating: nothing is emitted before the first key frame (requested once at the start).
// - Emit: a CodecConfig with the size on the first key frame and whenever it changes.
#pragma once
#include <cstdint>

#include "depacketizer.h"

namespace te {

// What the assembler needs from one packet's payload descriptor.
struct VpxPacketInfo {
  uint32_t descriptor_size = 0;  // bytes before the codec payload
  bool frame_start = false;      // first packet of a frame (VP8 S=1 PID=0; VP9 B=1, no D)
  bool has_pid = false;          // PictureID (same 7/15-bit format in both RFCs)
  bool pid_15 = false;
  uint16_t pid = 0;
  bool has_tl0 = false;          // TL0PICIDX present
  uint8_t tl0 = 0;
  uint8_t tid = 0;               // temporal layer, 0 without layer information
  bool non_reference = false;    // VP8 N: no frame references this one
  bool layer_sync = false;       // VP8 Y: references only base-layer frames
  bool switching_up = false;     // VP9 U: higher layers may start decoding after this frame
  bool lists_refs = false;       // VP9 F: each frame lists its references (flexible mode)
};

// The frame in progress.
struct VpxPartial {
  bool active = false;
  uint32_t rtp_ts = 0;
  int64_t ts = 0;              // unwrapped timestamp
  bool broken = false;         // head, tail or a middle packet missing, or malformed
  bool non_reference = false;  // N in every packet seen
  bool has_pid = false;        // PictureID of the first packet
  bool pid_15 = false;
  uint16_t pid = 0;
  uint8_t tid = 0;             // first packet's temporal layer
  bool layer_sync = false;
  bool switching_up = false;
  bool lists_refs = false;
  bool restamped = false;      // holds one packet with another timestamp but this PictureID
  bool confirmed = false;      // ...and a later packet came back to this frame's timestamp
  ByteChain data;
  PacketHold hold;
};

// What a loss before a packet did.
struct VpxLossVerdict {
  bool harmless = false;   // nothing decodable was lost
  uint8_t upper_from = 0;  // > 0: only layers upper_from.. lost their chain
};
enum class VpxDecodable : uint8_t { kYes, kNo, kByLayers };
struct VpxFrameHeader {
  bool key = false;
  uint16_t width = 0;
  uint16_t height = 0;
};

// CodecRules: the subclass (CRTP: its hooks are direct calls on the per-packet path, no virtual
// dispatch). It provides, as members the assembler can call (private, the assembler a friend):
//   bool read_descriptor(const RtpPacket& pkt, VpxPacketInfo& out)
//       parses the payload descriptor of `pkt` (kept for the hooks below); false when malformed.
//   VpxLossVerdict judge_loss(const VpxPacketInfo& p, bool inside)
//       after loss before the packet just read: was it harmless? `inside`: the gap lies between
//       two packets of the frame in progress (which is marked broken already).
//   void continue_frame(const VpxPacketInfo& p)
//       the packet just read continues cur_; may mark it broken.
//   bool close_frame(const VpxPartial& f)
//       the frame's packets are all in (or it is abandoned): the codec's completeness check,
//       called exactly once per frame.
//   bool read_frame_header(const VpxPartial& f, VpxFrameHeader& out)
//       reads the frame header of an intact frame; false when malformed.
// and may replace the defaults below (begin_frame, on_payload, inter_decodable, complete_payload,
// on_emitted). The definitions are in vpx_frame_assembler_impl.h, instantiated by each codec's .cc.
template <class CodecRules>
class VpxFrameAssembler : public Depacketizer {
 public:
  void push(const RtpPacket& pkt, PacketHold hold, uint32_t lost_before) final;
  void flush() final;

 protected:
  explicit VpxFrameAssembler(Codec codec) : codec_(codec) { waiting_keyframe_ = true; }

  // ---- default hooks ----
  // The packet just read opens cur_ (common fields set); may mark it broken.
  void begin_frame(const VpxPacketInfo& p) {}
  // The packet's `payload_size` codec bytes are about to be appended to cur_.
  void on_payload(uint32_t payload_size) {}
  // A non-key frame after the first key frame: decodable from what the descriptor says, or as far
  // as the temporal layer state (and waiting for a key frame) says.
  VpxDecodable inter_decodable(const VpxPartial& f) { return VpxDecodable::kByLayers; }
  // The frame is about to be emitted / was emitted.
  void complete_payload(VpxPartial& f) {}
  void on_emitted(const VpxPartial& f) {}

  // ---- helpers for the hooks ----
  // The packet's PictureID follows the previous packet's: no whole frame can be missing between.
  bool follows_prev_picture(const VpxPacketInfo& p) const;
  // TL0PICIDX proves that a loss before frame start `p` hit only frames above the base layer:
  // the lowest layer it may have hit, else 0.
  uint8_t upper_layers_lost_from(const VpxPacketInfo& p, bool consecutive) const;
  bool stamped_like_last_emitted(uint32_t rtp_ts) const {
    return have_emitted_ && rtp_ts == last_emitted_ts_;
  }

  VpxPartial cur_;

 private:
  CodecRules& rules() { return static_cast<CodecRules&>(*this); }
  void on_loss(const VpxPacketInfo& p, uint32_t rtp_ts);
  void finish_frame();
  void drop(VpxPartial& f);
  void break_layers_from(uint8_t tid);
  bool layers_decodable(const VpxPartial& f) const;

  static constexpr uint8_t kAllLayers = 0xFF;  // TID is at most 3 bits (VP9)

  const Codec codec_;
  uint32_t pending_lost_ = 0;  // malformed packets count as lost for the next packet

  // The previous accepted packet.
  bool have_prev_ = false;
  uint32_t prev_ts_ = 0;
  bool prev_marker_ = false;
  bool prev_has_pid_ = false;
  uint16_t prev_pid_ = 0;
  bool prev_has_tl0_ = false;
  uint8_t prev_tl0_ = 0;
  // Bit t: temporal layer t still decodes (its references are intact). Bit 0 is the base layer,
  // which waiting_for_keyframe() governs.
  uint8_t layer_ok_ = kAllLayers;
  bool requested_at_start_ = false;
  bool discontinuity_ = false;
  bool have_emitted_ = false;
  uint32_t last_emitted_ts_ = 0;  // RTP timestamp of the last emitted frame
  bool have_config_ = false;
  uint16_t width_ = 0;
  uint16_t height_ = 0;
};

}  // namespace te
