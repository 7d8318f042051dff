// C ABI over te::PcmPipeline (native/core/pipeline/pcm_pipeline.h). See native/include/te/te.h.
// The pipeline is built lazily from the options set so far (first use), and rebuilt when an option
// changes before the first push/poll/finish.
#include <opus.h>

#include <memory>
#include <string>
#include <vector>

#include "barrier.h"
#include "core/pipeline/pcm_pipeline.h"
#include "handle_util.h"
#include "options.h"
#include "status.h"

using te::capi::fail;
using te::capi::guard;
using te::capi::guard_status;

struct te_pcm {
  te::PcmPipelineOptions opts;
  bool started = false;
  std::unique_ptr<te::PcmPipeline> pipe;
  std::vector<int16_t> pcm;
  std::vector<uint32_t> released;
};

namespace {

using te::capi::time_us;

// The pipeline for the current options (built on first use; may throw std::bad_alloc, or
// std::runtime_error when libopus refuses the configuration, which the option checks rule out).
te::PcmPipeline& pipeline(te_pcm* h) {
  if (!h->pipe) {
    auto pipe = std::make_unique<te::PcmPipeline>(h->opts);
    if (pipe->status() != 0) throw std::runtime_error(std::string("opus_decoder_create: ") + opus_strerror(pipe->status()));
    h->pipe = std::move(pipe);
  }
  return *h->pipe;
}

te::PcmPipeline& started(te_pcm* h) {
  te::PcmPipeline& p = pipeline(h);
  h->started = true;
  return p;
}

enum class PcmStat { TE_PCM_STATS(TE_CAPI_STAT_ENUM) kCount };
#define TE_CAPI_PCM_INPUT_CASE(n) case PcmStat::n:
constexpr char kStatNames[] = TE_PCM_STATS(TE_CAPI_STAT_NAME);
static_assert(uint32_t(PcmStat::kCount) <= TE_MAX_STATS, "raise TE_MAX_STATS");

double stat(const te::PcmPipeline& p, uint32_t i) {
  const auto& dp = p.depacketizer_stats();
  const auto& dc = p.decoder_stats();
  switch (static_cast<PcmStat>(i)) {
    TE_INPUT_STATS(TE_CAPI_PCM_INPUT_CASE)
    return te::capi::input_stat(p.input_stats(), p.reorder_stats(), int(i));
    case PcmStat::payloadMalformed: return double(dp.malformed);
    case PcmStat::framesDecoded: return double(dc.frames_decoded);
    case PcmStat::samplesDecoded: return double(dc.samples_decoded);
    case PcmStat::samplesConcealed: return double(dc.samples_concealed);
    case PcmStat::fecUsed: return double(dc.fec_used);
    case PcmStat::decodeErrors: return double(dc.decode_errors);
    case PcmStat::timingInvalid: return double(dp.timing_invalid);
    case PcmStat::timingSnapped: return double(dp.timing_snapped);
    case PcmStat::kCount: break;
  }
  return 0;
}

bool pcm_option(int32_t o) {
  return o == TE_OPT_CHANNELS || o == TE_OPT_OUTPUT_RATE || o == TE_OPT_OUTPUT_CHANNELS ||
         o == TE_OPT_REORDER_WAIT_MS || o == TE_OPT_REORDER_CAPACITY || o == TE_OPT_SSRC ||
         o == TE_OPT_PAYLOAD_TYPE;
}

}  // namespace

extern "C" {

const char* te_opus_version(void) { return opus_get_version_string(); }

te_pcm* te_pcm_new(void) {
  te::capi::clear_error();
  return guard<te_pcm*>(nullptr, [&] {
    auto h = std::make_unique<te_pcm>();
    h->opts.in_channels = 2;
    h->opts.input.clock_rate = 48000;  // RFC 7587 §4.1: the Opus RTP clock is always 48 kHz
    return h.release();
  });
}

void te_pcm_free(te_pcm* h) { delete h; }

te_status te_pcm_set_option(te_pcm* h, int32_t option, double value) {
  te::capi::clear_error();
  if (!h) return fail(TE_E_INVALID_ARG, "null PCM decoder");
  if (h->started) return fail(TE_E_STATE, "PCM decoder options must be set before the first push");
  return guard_status([&] {
    te_status s = te::capi::check_option(option, value, pcm_option(option), "PCM decoder");
    if (s != TE_OK) return s;
    te::PcmPipelineOptions& o = h->opts;
    switch (option) {
      case TE_OPT_CHANNELS: o.in_channels = uint32_t(value); break;
      case TE_OPT_OUTPUT_RATE:
        if (value != 8000 && value != 12000 && value != 16000 && value != 24000 && value != 48000)
          return fail(TE_E_INVALID_ARG, "output rate (TE_OPT_OUTPUT_RATE) must be 8000, 12000, 16000, 24000 or 48000, got " +
                                            std::to_string(int64_t(value)));
        o.decoder.sample_rate = int32_t(value);
        break;
      case TE_OPT_OUTPUT_CHANNELS: o.decoder.channels = int(value); break;
      case TE_OPT_REORDER_WAIT_MS: o.input.reorder.max_wait_us = uint32_t(value) * 1000u; break;
      case TE_OPT_REORDER_CAPACITY: o.input.reorder.max_packets = uint32_t(value); break;
      case TE_OPT_SSRC: o.input.ssrc = int64_t(value); break;
      case TE_OPT_PAYLOAD_TYPE: o.input.payload_type = int32_t(value); break;
    }
    h->pipe.reset();  // rebuilt with the new options on first use
    return TE_OK;
  });
}

te_status te_pcm_push(te_pcm* h, uint32_t id, const uint8_t* data, uint32_t size, double arrival_us) {
  if (!h) return fail(TE_E_INVALID_ARG, "null PCM decoder");
  if (!data && size) return fail(TE_E_INVALID_ARG, "null packet data");
  if (h->pipe && h->pipe->finished()) return fail(TE_E_STATE, "PCM decoder is finished");
  return guard_status([&] {
    started(h).push(id, te::ByteView(data, size), time_us(arrival_us));
    return TE_OK;
  });
}

te_status te_pcm_poll(te_pcm* h, double now_us) {
  if (!h) return fail(TE_E_INVALID_ARG, "null PCM decoder");
  return guard_status([&] {
    started(h).poll(time_us(now_us));
    return TE_OK;
  });
}

te_status te_pcm_finish(te_pcm* h) {
  if (!h) return fail(TE_E_INVALID_ARG, "null PCM decoder");
  return guard_status([&] {
    started(h).finish();
    return TE_OK;
  });
}

const int16_t* te_pcm_read(te_pcm* h, uint32_t* count) {
  if (count) *count = 0;
  if (!h) return nullptr;
  return guard<const int16_t*>(nullptr, [&] {
    pipeline(h).read(h->pcm);  // at most one second per call (PcmPipeline::max_read)
    if (count) *count = static_cast<uint32_t>(h->pcm.size());
    return h->pcm.data();
  });
}

const uint32_t* te_pcm_released(te_pcm* h, uint32_t* count) {
  if (count) *count = 0;
  if (!h) return nullptr;
  return guard<const uint32_t*>(nullptr, [&] {
    return te::capi::take_released(pipeline(h).released(), h->released, count);
  });
}

uint32_t te_pcm_missing(te_pcm* h, uint16_t* out, uint32_t max) {
  if (!h || !out) return 0;
  return guard<uint32_t>(0, [&] { return te::capi::copy_missing(pipeline(h).missing(max), out); });
}

const char* te_pcm_stat_names(void) { return kStatNames + 1; }

uint32_t te_pcm_stats(te_pcm* h, double* out, uint32_t max) {
  if (!h || !out) return 0;
  return guard<uint32_t>(0, [&] {
    const te::PcmPipeline& p = pipeline(h);
    return te::capi::write_stats(out, max, uint32_t(PcmStat::kCount), [&](uint32_t i) { return stat(p, i); });
  });
}

}  // extern "C"
