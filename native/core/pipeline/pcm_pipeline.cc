#include "pcm_pipeline.h"

#include <algorithm>

namespace te {
namespace {

OpusDepacketizerOptions depack_options(uint32_t channels) {
  OpusDepacketizerOptions o;
  o.channels = channels == 1 ? 1 : 2;
  return o;
}

}  // namespace

PcmPipeline::PcmPipeline(const PcmPipelineOptions& opts)
    : input_(opts.input, &released_), depack_(depack_options(opts.in_channels)), decoder_(opts.decoder) {}

void PcmPipeline::push(uint32_t id, ByteView bytes, int64_t arrival_us) {
  if (finished_) {
    released_.ids.push_back(id);
    return;
  }
  input_.push(id, bytes, arrival_us);
  poll(arrival_us);
}

void PcmPipeline::poll(int64_t now_us) {
  if (finished_) return;
  ReleasedPacket rp;
  while (input_.pop(now_us, rp)) deliver(rp);
  decode_frames();
}

void PcmPipeline::finish() {
  if (finished_) return;
  ReleasedPacket rp;
  while (input_.drain(rp)) deliver(rp);
  depack_.flush();
  decode_frames();
  decoder_.flush();
  finished_ = true;
}

void PcmPipeline::read(std::vector<int16_t>& out) {
  out.clear();
  const size_t max = max_read();
  while (out.size() < max && decoder_.available()) {
    const size_t n = std::min(decoder_.available(), max - out.size());
    out.insert(out.end(), decoder_.data(), decoder_.data() + n);
    decoder_.consume(n);
  }
}

void PcmPipeline::deliver(ReleasedPacket& rp) { depack_.push(rp.packet, std::move(rp.hold), rp.lost_before); }

void PcmPipeline::decode_frames() {
  Frame f;
  // The frame (and with it the packet hold) dies after decoding: PCM never references input.
  while (depack_.pop(f)) decoder_.decode(f);
}

}  // namespace te
