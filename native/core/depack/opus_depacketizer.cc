// RFC 7587 §4.2: the RTP payload is one Opus packet (RFC 6716 §3), nothing else.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |      RTP header (RFC 3550), timestamp at 48 kHz (RFC 7587 §4.1)|
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | TOC | Opus frame(s) ...  (RFC 6716 §3.1-§3.2)                   |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#include "opus_depacketizer.h"

#include <memory>

#include "opus_packet.h"

namespace te {

OpusDepacketizer::OpusDepacketizer(OpusDepacketizerOptions opts) : opts_(opts) {
  if (opts_.channels != 1) opts_.channels = 2;  // mapping family 0 streams are mono or stereo
}

void OpusDepacketizer::push(const RtpPacket& pkt, PacketHold hold, uint32_t lost_before) {
  stats_.packets++;
  opus_stats_.lost += lost_before;
  if (lost_before > 0) lost_pending_ = true;

  OpusPacketInfo info;
  if (pkt.payload.size == 0) {
    // RFC 7587 §4.2 does not define empty payloads; a sender that "sends DTX" this way gives us
    // nothing to write. Skip; the timestamp gap before the next packet keeps the timing.
    opus_stats_.empty++;
    stats_.frames_dropped++;
    return;  // `hold` dies here: the packet is released
  }
  if (parse_opus_packet(pkt.payload, info) != OpusPacketError::kNone) {
    stats_.malformed++;
    stats_.frames_dropped++;
    lost_pending_ = true;  // the decoder sees this as a loss
    return;
  }

  Frame f;
  f.codec = Codec::kOpus;
  f.timestamp = pkt.ext_timestamp;
  f.duration = info.duration;
  f.keyframe = true;  // every Opus packet decodes on its own (no inter-packet references)
  f.discontinuity = lost_pending_;
  lost_pending_ = false;
  if (!config_sent_) {
    auto cfg = std::make_shared<CodecConfig>();
    cfg->codec = Codec::kOpus;
    cfg->clock_rate = 48000;  // RFC 7587 §4.1
    cfg->channels = opts_.channels;
    f.config = std::move(cfg);
    config_sent_ = true;
  }
  f.data.append_view(pkt.payload.data, static_cast<uint32_t>(pkt.payload.size), pkt.id,
                     pkt.payload_offset());
  f.hold = std::move(hold);
  emit(std::move(f));
}

}  // namespace te
