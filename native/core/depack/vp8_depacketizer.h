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

#include "../rtp/seq_unwrapper.h"
#include "depacketizer.h"
#include "vp8_payload_descriptor.h"

namespace te {

class Vp8Depacketizer : public Depacketizer {
 public:
  Vp8Depacketizer() { waiting_keyframe_ = true; }

  void push(const RtpPacket& pkt, PacketHold hold, uint32_t lost_before) override;
  void flush() override;

 private:
  struct Partial {
    bool active = false;
    uint32_t rtp_ts = 0;
    int64_t ts = 0;
    bool started = false;        // first packet had S=1, PID=0
    bool broken = false;         // a packet of it is missing or malformed
    bool non_reference = false;  // N bit
    bool has_pid = false;        // PictureID of the first packet
    uint16_t pid = 0;
    bool has_tid = false;        // T: temporal layer of the first packet
    uint8_t tid = 0;
    bool layer_sync = false;     // Y
    bool restamped = false;      // holds one packet with another timestamp but this PictureID
    bool confirmed = false;      // ...and a later packet came back to this frame's timestamp
    ByteChain data;
    PacketHold hold;
  };

  // Decides whether decoding can continue after `lost` packets before the packet `d`.
  void on_loss(const Vp8Descriptor& d, uint32_t rtp_ts);
  // A frame of an upper temporal layer can be decoded (its layer and those below are intact, or
  // Y=1).
  bool layers_decodable(const Partial& f) const;

  static constexpr uint8_t kMaxTemporalLayers = 4;  // TID is 2 bits
  static constexpr uint8_t kAllLayers = 0x0F;
  void finish_frame();
  void drop(Partial& f);

  Partial cur_;
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
