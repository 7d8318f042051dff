// Gap filler packets: code 3 CBR packets of zero-length frames (RFC 6716 §3.2.1, §3.2.5).
#include "opus_gap_filler.h"

#include "opus_packet.h"

namespace te {

namespace {

constexpr uint32_t kMaxPacketSamples = 5760;  // 120 ms, RFC 6716 §3.4 [R5]

void emit(uint8_t config, uint8_t stereo, uint32_t frame_samples, uint64_t& samples,
          std::vector<OpusGapPacket>& out) {
  const uint32_t per_packet = kMaxPacketSamples / frame_samples;  // frames per filler, <= 48
  while (samples >= frame_samples) {
    uint64_t m = samples / frame_samples;
    if (m > per_packet) m = per_packet;
    OpusGapPacket p;
    p.bytes[0] = static_cast<uint8_t>((config << 3) | stereo | 0x03);  // code 3
    p.bytes[1] = static_cast<uint8_t>(m);                              // v=0, p=0, M
    p.samples = static_cast<uint32_t>(m) * frame_samples;
    out.push_back(p);
    samples -= p.samples;
  }
}

}  // namespace

void OpusGapFiller::fill(uint8_t prev_toc, uint64_t samples, std::vector<OpusGapPacket>& out) {
  const uint8_t config = prev_toc >> 3;
  const uint8_t stereo = prev_toc & 0x04;
  emit(config, stereo, opus_config_frame_samples(config), samples, out);
  if (samples == 0) return;
  // Remainder shorter than the previous frame size: CELT-only 2.5 ms frames (configs 16, 20, 24,
  // 28 for NB, WB, SWB, FB; CELT has no MB, so MB maps to WB). §3.1 Table 2.
  static const uint8_t celt_2_5ms[5] = {16, 20, 20, 24, 28};
  const uint8_t celt = celt_2_5ms[static_cast<int>(opus_config_bandwidth(config))];
  emit(celt, stereo, 120, samples, out);
  // Anything left (< 2.5 ms) cannot be expressed; callers only pass multiples of 120.
}

}  // namespace te
