// C ABI over te::PcmPipeline (native/core/pipeline/pcm_pipeline.h). See native/include/te/te.h.
#include <opus.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/pipeline/pcm_pipeline.h"
#include "handle_util.h"
#include "status.h"
#include "barrier.h"

using te::capi::fail;
using te::capi::guard;
using te::capi::guard_status;

struct te_pcm {
  explicit te_pcm(const te::PcmPipelineOptions& o) : pipe(o) {}
  te::PcmPipeline pipe;
  std::vector<int16_t> pcm;
  std::vector<uint32_t> released;
};

using te::capi::time_us;

extern "C" {

const char* te_opus_version(void) { return opus_get_version_string(); }

te_pcm* te_pcm_new(uint32_t in_channels, uint32_t out_rate, uint32_t out_channels,
                   uint32_t reorder_wait_ms, uint32_t reorder_capacity, double ssrc,
                   int32_t payload_type) {
  te::capi::clear_error();
  return guard<te_pcm*>(nullptr, [&]() -> te_pcm* {
  if (in_channels != 1 && in_channels != 2) {
    fail(TE_E_INVALID_ARG, "Opus channel count must be 1 or 2, got " + std::to_string(in_channels));
    return nullptr;
  }
  if (out_channels != 1 && out_channels != 2) {
    fail(TE_E_INVALID_ARG, "output channels must be 1 or 2, got " + std::to_string(out_channels));
    return nullptr;
  }
  if (reorder_capacity < 2 || reorder_capacity > 65536) {
    fail(TE_E_INVALID_ARG, "reorder capacity must be 2..65536 packets");
    return nullptr;
  }
  te::PcmPipelineOptions o;
  o.in_channels = in_channels;
  o.decoder.sample_rate = static_cast<int32_t>(out_rate);
  o.decoder.channels = static_cast<int>(out_channels);
  o.input.clock_rate = 48000;  // RFC 7587 §4.1: the Opus RTP clock is always 48 kHz
  o.input.ssrc = ssrc < 0 || !std::isfinite(ssrc) ? -1 : static_cast<int64_t>(ssrc);
  o.input.payload_type = payload_type;
  o.input.reorder.max_wait_us = reorder_wait_ms * 1000u;
  o.input.reorder.max_packets = reorder_capacity;
  auto h = std::make_unique<te_pcm>(o);
  if (h->pipe.status() != 0) {
    fail(TE_E_CODEC, "opus_decoder_create(" + std::to_string(out_rate) + " Hz, " +
                         std::to_string(out_channels) + " ch): " + opus_strerror(h->pipe.status()));
    return nullptr;
  }
  return h.release();
  });
}

void te_pcm_free(te_pcm* h) { delete h; }

te_status te_pcm_push(te_pcm* h, uint32_t id, const uint8_t* data, uint32_t size, double arrival_us) {
  if (!h) return fail(TE_E_INVALID_ARG, "null PCM decoder");
  if (!data && size) return fail(TE_E_INVALID_ARG, "null packet data");
  if (h->pipe.finished()) return fail(TE_E_STATE, "PCM decoder is finished");
  return guard_status([&] {
    h->pipe.push(id, te::ByteView(data, size), time_us(arrival_us));
    return TE_OK;
  });
}

te_status te_pcm_poll(te_pcm* h, double now_us) {
  if (!h) return fail(TE_E_INVALID_ARG, "null PCM decoder");
  return guard_status([&] {
    h->pipe.poll(time_us(now_us));
    return TE_OK;
  });
}

te_status te_pcm_finish(te_pcm* h) {
  if (!h) return fail(TE_E_INVALID_ARG, "null PCM decoder");
  return guard_status([&] {
    h->pipe.finish();
    return TE_OK;
  });
}

const int16_t* te_pcm_read(te_pcm* h, uint32_t* count) {
  if (count) *count = 0;
  if (!h) return nullptr;
  return guard<const int16_t*>(nullptr, [&] {
    h->pipe.read(h->pcm);  // at most one second per call (PcmPipeline::max_read)
    if (count) *count = static_cast<uint32_t>(h->pcm.size());
    return h->pcm.data();
  });
}

const uint32_t* te_pcm_released(te_pcm* h, uint32_t* count) {
  if (count) *count = 0;
  if (!h) return nullptr;
  return guard<const uint32_t*>(nullptr, [&] {
    return te::capi::take_released(h->pipe.released(), h->released, count);
  });
}

uint32_t te_pcm_missing(te_pcm* h, uint16_t* out, uint32_t max) {
  if (!h || !out) return 0;
  return guard<uint32_t>(0, [&] { return te::capi::copy_missing(h->pipe.missing(max), out); });
}

const char* te_pcm_stat_names(void) {
  return "datagrams,bytes,malformed,rtcp,filtered,ssrcChanges,"
         "padding,timestampOutliers,timestampRebases,"
         "received,duplicates,late,lost,reordered,restarts,"
         "payloadMalformed,framesDecoded,samplesDecoded,samplesConcealed,fecUsed,decodeErrors,"
         "timingInvalid";
}

uint32_t te_pcm_stats(te_pcm* h, double* out, uint32_t max) {
  if (!h || !out) return 0;
  const auto& in = h->pipe.input_stats();
  const auto& ro = h->pipe.reorder_stats();
  const auto& dp = h->pipe.depacketizer_stats();
  const auto& dc = h->pipe.decoder_stats();
  const double v[] = {double(in.datagrams), double(in.bytes),         double(in.malformed),
                      double(in.rtcp),      double(in.filtered),      double(in.ssrc_changes),
                      double(in.padding),   double(in.timestamp_outliers), double(in.timestamp_rebases),
                      double(ro.received),  double(ro.duplicates),    double(ro.late),
                      double(ro.lost),      double(ro.reordered),     double(ro.restarts),
                      double(dp.malformed), double(dc.frames_decoded), double(dc.samples_decoded),
                      double(dc.samples_concealed), double(dc.fec_used), double(dc.decode_errors),
                      double(dp.timing_invalid)};
  uint32_t n = sizeof(v) / sizeof(v[0]);
  if (n > max) n = max;
  for (uint32_t i = 0; i < n; i++) out[i] = v[i];
  return n;
}

}  // extern "C"
