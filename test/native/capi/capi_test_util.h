// Helpers of the C ABI tests: handles with the defaults the bindings use, and Opus RTP packets
// (RFC 7587: one CELT 20 ms frame each) from test/native/pipeline/rtp_wire.h.
#pragma once
#include <cstdint>
#include <vector>

#include "../pipeline/rtp_wire.h"
#include "te/te.h"

namespace te_test {

// Opus recorder of a mono stream, 100 ms reorder wait, 64 packets.
inline te_recorder* new_opus_recorder() {
  te_recorder* h = te_recorder_new(TE_CODEC_OPUS);
  if (h && (te_recorder_set_option(h, TE_OPT_CHANNELS, 1) != TE_OK ||
            te_recorder_set_option(h, TE_OPT_REORDER_WAIT_MS, 100) != TE_OK ||
            te_recorder_set_option(h, TE_OPT_REORDER_CAPACITY, 64) != TE_OK)) {
    te_recorder_free(h);
    return nullptr;
  }
  return h;
}

// PCM decoder of a mono stream to 48 kHz stereo.
inline te_pcm* new_pcm() {
  te_pcm* h = te_pcm_new();
  if (h && te_pcm_set_option(h, TE_OPT_CHANNELS, 1) != TE_OK) {
    te_pcm_free(h);
    return nullptr;
  }
  return h;
}

// Opus packet `seq` of a mono stream, 20 ms (960 ticks) apart.
inline WirePacket opus_rtp(Wire& wire, uint16_t seq) {
  std::vector<uint8_t> payload = {0xF8};  // TOC: CELT FB 20 ms, mono, one frame (RFC 6716 §3.1)
  for (int k = 0; k < 40; k++) payload.push_back(static_cast<uint8_t>(seq * 13 + k));
  return wire.make(seq, 960u * seq, false, payload, 0, 0x11223344, 111);
}

// Arrival time of packet `seq` in µs (20 ms apart).
inline double arrival_us(uint16_t seq) { return 20000.0 * seq; }

inline te_status push(te_recorder* h, const WirePacket& p, double arrival) {
  return te_recorder_push(h, p.id, p.bytes.data, uint32_t(p.bytes.size), arrival);
}
inline te_status push(te_pcm* h, const WirePacket& p, double arrival) {
  return te_pcm_push(h, p.id, p.bytes.data, uint32_t(p.bytes.size), arrival);
}

}  // namespace te_test
