// VP9 depacketizer (RFC 9628): RTP packets in sequence order → whole VP9 pictures (zero-copy
// views of the payloads after the payload descriptor).
//
// Assembly (RFC 9628 §4.1, §4.2 B/E bits, §4.4 marker): a layer frame runs from B=1 to E=1; a
// picture is all layer frames of one RTP timestamp up to the marker bit. A picture with several
// layer frames (spatial layers) is emitted as one sample followed by a generated superframe index
// (VP9 bitstream spec Annex B) so that libvpx-style decoders split it again.
// A timestamp change inside a picture makes it incomplete (dropped, with the loss recovery
// below) — except one packet with the picture's PictureID between two packets with the picture's
// timestamp: that packet's timestamp alone is wrong, and it stays in the picture.
// Key frames: P=0 on the first layer frame and frame_type == KEY_FRAME in its uncompressed header
// (VP9 spec §6.2); the size comes from the SS (RFC 9628 §4.2.1) for the top layer present, else
// from that key frame header.
// Loss: the picture a loss hits is dropped. Flexible mode (F=1): every picture is checked — it is
// decodable when each predicted layer frame's P_DIFF references point to emitted pictures.
// Non-flexible mode: a loss is harmless only when it lies between two complete pictures with
// consecutive PictureIDs. With temporal layers (TID, TL0PICIDX), a loss that TL0PICIDX proves hit
// only pictures with TID > 0 (as when an SFU drops upper layers) keeps the base layer going; the
// upper layers resume at a switching-up point (U=1) or a key frame. Otherwise pictures are dropped
// until a key frame or a P=0 picture, and a key frame is requested. Decoding starts at the first
// key frame.
#pragma once
#include <cstdint>
#include <memory>

#include "../rtp/seq_unwrapper.h"
#include "depacketizer.h"
#include "vp9_payload_descriptor.h"
#include "vp9_superframe_index.h"

namespace te {

class Vp9Depacketizer : public Depacketizer {
 public:
  Vp9Depacketizer();

  void push(const RtpPacket& pkt, PacketHold hold, uint32_t lost_before) override;
  void flush() override;

 private:
  struct Partial {
    bool active = false;
    uint32_t rtp_ts = 0;
    int64_t ts = 0;
    bool broken = false;
    bool flexible = false;
    bool has_pid = false;
    bool pid_15 = false;
    uint16_t pid = 0;
    bool first_inter = true;   // P bit of the first layer frame
    bool layer_open = false;   // inside B..E
    bool refs_known = true;    // every predicted layer frame listed its references
    uint8_t tid = 0;           // temporal layer (L), 0 without layer indices
    bool switching_up = false; // U
    bool restamped = false;    // holds one packet with another timestamp but this PictureID
    bool confirmed = false;    // ...and a later packet came back to this picture's timestamp
    uint8_t num_refs = 0;
    uint8_t refs[kVp9MaxSuperframeFrames * 3] = {};
    size_t num_layers = 0;
    uint32_t layer_size[kVp9MaxSuperframeFrames] = {};
    uint8_t layer_sid[kVp9MaxSuperframeFrames] = {};
    ByteChain data;
    PacketHold hold;
  };

  static bool picture_start(const Vp9Descriptor& d);
  void break_layers_from(uint8_t tid);
  bool layers_decodable(const Partial& f) const;
  void on_loss(const Vp9Descriptor& d, uint32_t rtp_ts);
  void add_packet(const RtpPacket& pkt, PacketHold&& hold, const Vp9Descriptor& d);
  void finish_picture();
  void drop(Partial& f);
  int64_t unwrap_pid(uint16_t pid, bool pid_15);
  bool refs_emitted(const Partial& f, int64_t ext_pid) const;

  Partial cur_;
  uint32_t pending_lost_ = 0;
  std::unique_ptr<Vp9ScalabilityStructure> ss_scratch_;
  std::unique_ptr<Vp9ScalabilityStructure> ss_;  // the latest SS seen (V=1)

  bool have_prev_ = false;
  uint32_t prev_ts_ = 0;
  bool prev_marker_ = false;
  bool prev_has_pid_ = false;
  uint16_t prev_pid_ = 0;
  bool prev_has_tl0_ = false;
  uint8_t prev_tl0_ = 0;
  // Bit t: temporal layer t still decodes (non-flexible mode). The base layer (bit 0) is governed
  // by waiting_for_keyframe().
  uint8_t layer_ok_ = 0xFF;

  // PictureID unwrapping and the ring of recently emitted pictures (P_DIFF reaches back <= 127).
  bool pid_started_ = false;
  uint16_t last_pid_ = 0;
  int64_t last_ext_pid_ = 0;
  int64_t emitted_[128];
  bool requested_at_start_ = false;
  bool discontinuity_ = false;
  bool have_emitted_ = false;
  uint32_t last_emitted_ts_ = 0;  // RTP timestamp of the last emitted picture
  bool have_config_ = false;
  uint16_t width_ = 0;
  uint16_t height_ = 0;
};

}  // namespace te
