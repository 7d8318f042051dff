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

#include "vp9_payload_descriptor.h"
#include "vp9_superframe_index.h"
#include "vpx_frame_assembler.h"

namespace te {

// The VP9 rules of the shared assembler (vpx_frame_assembler.h): the payload descriptor, layer
// frames (B/E), flexible-mode references, the key frame header and the superframe index.
class Vp9Depacketizer final : public VpxFrameAssembler<Vp9Depacketizer> {
 public:
  Vp9Depacketizer();

 private:
  friend class VpxFrameAssembler<Vp9Depacketizer>;

  // The layer frames and references of the picture in progress (VpxFrameAssembler::cur_).
  struct Layers {
    bool first_inter = true;   // P bit of the first layer frame
    bool layer_open = false;   // inside B..E
    bool refs_known = true;    // every predicted layer frame listed its references
    uint8_t num_refs = 0;
    uint8_t refs[kVp9MaxSuperframeFrames * 3] = {};
    size_t num_layers = 0;
    uint32_t layer_size[kVp9MaxSuperframeFrames] = {};
    uint8_t layer_sid[kVp9MaxSuperframeFrames] = {};
  };

  bool read_descriptor(const RtpPacket& pkt, VpxPacketInfo& out);
  VpxLossVerdict judge_loss(const VpxPacketInfo& p, bool inside);
  void begin_frame(const VpxPacketInfo& p);
  void continue_frame(const VpxPacketInfo& p);
  void on_payload(uint32_t payload_size);
  bool close_frame(const VpxPartial& f);
  bool read_frame_header(const VpxPartial& f, VpxFrameHeader& out);
  VpxDecodable inter_decodable(const VpxPartial& f);
  void complete_payload(VpxPartial& f);
  void on_emitted(const VpxPartial& f);

  static bool picture_start(const Vp9Descriptor& d);
  int64_t unwrap_pid(uint16_t pid, bool pid_15);
  bool refs_emitted(int64_t ext_pid) const;

  Vp9Descriptor d_;  // of the packet being pushed
  Layers pic_;
  int64_t ext_pid_ = -1;  // unwrapped PictureID of the picture being finished, -1 without
  std::unique_ptr<Vp9ScalabilityStructure> ss_scratch_;
  std::unique_ptr<Vp9ScalabilityStructure> ss_;  // the latest SS seen (V=1)

  // PictureID unwrapping and the ring of recently emitted pictures (P_DIFF reaches back <= 127).
  bool pid_started_ = false;
  uint16_t last_pid_ = 0;
  int64_t last_ext_pid_ = 0;
  int64_t emitted_[128];
};

// Instantiated in vp9_depacketizer.cc.
extern template class VpxFrameAssembler<Vp9Depacketizer>;

}  // namespace te
