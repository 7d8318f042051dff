// C ABI over te::Recorder (native/core/pipeline/recorder.h). See native/include/te/te.h.
// The pipeline is built lazily from the options set so far (first use), and rebuilt when an option
// changes before the first push/poll/finish.
#include <cmath>
#include <memory>
#include <string>

#include "barrier.h"
#include "core/pipeline/recorder.h"
#include "handle_util.h"
#include "options.h"
#include "output_view.h"
#include "status.h"

using te::capi::fail;
using te::capi::guard;
using te::capi::guard_status;

struct te_recorder {
  te::RecorderOptions opts;
  std::string fmtp;  // applied to every (re)built pipeline; validated when set
  bool started = false;
  std::unique_ptr<te::Recorder> rec;
  te::capi::OutputView view;
  std::vector<uint32_t> released;
};

namespace {

using te::capi::time_us;

bool valid_codec(int32_t c) { return c >= TE_CODEC_H264 && c <= TE_CODEC_OPUS; }

// The pipeline for the current options (built on first use; may throw std::bad_alloc).
te::Recorder& pipeline(te_recorder* h) {
  if (!h->rec) {
    auto rec = std::make_unique<te::Recorder>(h->opts);
    if (!rec->ok()) throw std::logic_error("no depacketizer/muxer for the codec");
    std::string error;
    if (!h->fmtp.empty() && rec->set_fmtp(h->fmtp, error) != te::FmtpResult::kOk)
      throw std::logic_error("fmtp accepted before no longer applies: " + error);
    h->rec = std::move(rec);
  }
  return *h->rec;
}

// The pipeline, marked started: options are frozen from here on.
te::Recorder& started(te_recorder* h) {
  te::Recorder& r = pipeline(h);
  h->started = true;
  return r;
}

enum class RecorderStat { TE_RECORDER_STATS(TE_CAPI_STAT_ENUM) kCount };
#define TE_CAPI_RECORDER_INPUT_CASE(n) case RecorderStat::n:
constexpr char kStatNames[] = TE_RECORDER_STATS(TE_CAPI_STAT_NAME);
static_assert(uint32_t(RecorderStat::kCount) <= TE_MAX_STATS, "raise TE_MAX_STATS");

double stat(const te::Recorder& r, uint32_t i) {
  const auto& dp = r.depacketizer_stats();
  const auto& mx = r.muxer_stats();
  switch (static_cast<RecorderStat>(i)) {
    TE_INPUT_STATS(TE_CAPI_RECORDER_INPUT_CASE)
    return te::capi::input_stat(r.input_stats(), r.reorder_stats(), int(i));
    case RecorderStat::payloadMalformed: return double(dp.malformed);
    case RecorderStat::payloadUnsupported: return double(dp.unsupported);
    case RecorderStat::frames: return double(dp.frames);
    case RecorderStat::framesDropped: return double(dp.frames_dropped);
    case RecorderStat::keyframes: return double(dp.keyframes);
    case RecorderStat::keyframeRequests: return double(dp.keyframe_requests);
    case RecorderStat::outputBytes: return double(mx.bytes);
    case RecorderStat::durationUs:
      return mx.clock_rate ? static_cast<double>(mx.duration) * 1e6 / mx.clock_rate : 0;
    case RecorderStat::width: return double(r.width());
    case RecorderStat::height: return double(r.height());
    case RecorderStat::timingInvalid: return double(dp.timing_invalid);
    case RecorderStat::timingSnapped: return double(dp.timing_snapped);
    case RecorderStat::parameterSetsMissing: return double(r.parameter_sets_missing());
    case RecorderStat::kCount: break;
  }
  return 0;
}

}  // namespace

extern "C" {

te_recorder* te_recorder_new(int32_t codec) {
  te::capi::clear_error();
  if (!valid_codec(codec)) {
    fail(TE_E_UNSUPPORTED, "unknown codec id " + std::to_string(codec));
    return nullptr;
  }
  return guard<te_recorder*>(nullptr, [&] {
    auto h = std::make_unique<te_recorder>();
    h->opts.codec = static_cast<te::Codec>(codec);
    h->opts.channels = 2;
    h->opts.input.clock_rate = codec == TE_CODEC_OPUS ? 48000 : 90000;
    h->opts.mux.fragment_ms = codec == TE_CODEC_OPUS ? 1000 : 2000;
    return h.release();
  });
}

void te_recorder_free(te_recorder* h) { delete h; }  // destructors never throw

te_status te_recorder_set_option(te_recorder* h, int32_t option, double value) {
  te::capi::clear_error();
  if (!h) return fail(TE_E_INVALID_ARG, "null recorder");
  if (h->started) return fail(TE_E_STATE, "recorder options must be set before the first push");
  return guard_status([&] {
    bool recorder_option = option != TE_OPT_OUTPUT_RATE && option != TE_OPT_OUTPUT_CHANNELS;
    te_status s = te::capi::check_option(option, value, recorder_option, "recorder");
    if (s != TE_OK) return s;
    te::RecorderOptions& o = h->opts;
    switch (option) {
      case TE_OPT_CRASH_SAFE: o.mux.crash_safe = value == 1; break;
      case TE_OPT_CLOCK_RATE: o.input.clock_rate = uint32_t(value); break;
      case TE_OPT_CHANNELS: o.channels = uint32_t(value); break;
      case TE_OPT_SEEKABLE: o.mux.seekable = value == 1; break;
      case TE_OPT_FRAGMENT_MS: o.mux.fragment_ms = uint32_t(value); break;
      case TE_OPT_REORDER_WAIT_MS: o.input.reorder.max_wait_us = uint32_t(value) * 1000u; break;
      case TE_OPT_REORDER_CAPACITY: o.input.reorder.max_packets = uint32_t(value); break;
      case TE_OPT_SSRC: o.input.ssrc = int64_t(value); break;
      case TE_OPT_PAYLOAD_TYPE: o.input.payload_type = int32_t(value); break;
    }
    h->rec.reset();  // rebuilt with the new options on first use
    return TE_OK;
  });
}

te_status te_recorder_set_fmtp(te_recorder* h, const char* fmtp) {
  te::capi::clear_error();
  if (!h) return fail(TE_E_INVALID_ARG, "null recorder");
  if (!fmtp) return fail(TE_E_INVALID_ARG, "null fmtp");
  if (h->started) return fail(TE_E_STATE, "fmtp must be set before the first packet is pushed");
  return guard_status([&]() -> te_status {
    std::string error;
    switch (pipeline(h).set_fmtp(fmtp, error)) {
      case te::FmtpResult::kOk: h->fmtp = fmtp; return TE_OK;
      case te::FmtpResult::kUnsupported: return fail(TE_E_UNSUPPORTED, "fmtp: " + error);
      case te::FmtpResult::kInvalid: break;
    }
    return fail(TE_E_INVALID_ARG, "fmtp: " + error);
  });
}

te_status te_recorder_push(te_recorder* h, uint32_t id, const uint8_t* data, uint32_t size,
                           double arrival_us) {
  if (!h) return fail(TE_E_INVALID_ARG, "null recorder");
  if (!data && size) return fail(TE_E_INVALID_ARG, "null packet data");
  if (h->rec && h->rec->finished()) return fail(TE_E_STATE, "recorder is finished");
  return guard_status([&] {
    started(h).push(id, te::ByteView(data, size), time_us(arrival_us));
    return TE_OK;
  });
}

te_status te_recorder_poll(te_recorder* h, double now_us) {
  if (!h) return fail(TE_E_INVALID_ARG, "null recorder");
  return guard_status([&] {
    started(h).poll(time_us(now_us));
    return TE_OK;
  });
}

te_status te_recorder_finish(te_recorder* h) {
  if (!h) return fail(TE_E_INVALID_ARG, "null recorder");
  return guard_status([&] {
    started(h).finish();
    return TE_OK;
  });
}

int32_t te_recorder_collect(te_recorder* h) {
  if (!h) return fail(TE_E_INVALID_ARG, "null recorder");
  return guard_status([&] {
    te::Recorder& rec = pipeline(h);
    h->view.clear();
    int32_t n = 0;
    te::OutputChunk c;
    // Each chunk is flattened and then dropped: its packet holds go to the released list, which
    // the caller reads after resolving this batch's runs.
    while (rec.pop(c)) {
      h->view.add(c);
      c = te::OutputChunk();
      n++;
    }
    return n;
  });
}

const double* te_recorder_chunks(te_recorder* h) { return h ? h->view.chunks() : nullptr; }
const uint32_t* te_recorder_runs(te_recorder* h) { return h ? h->view.runs() : nullptr; }
uint32_t te_recorder_run_count(te_recorder* h) { return h ? h->view.run_count() : 0; }
const uint8_t* te_recorder_generated(te_recorder* h) { return h ? h->view.generated() : nullptr; }
uint32_t te_recorder_generated_size(te_recorder* h) { return h ? h->view.generated_size() : 0; }

const uint32_t* te_recorder_released(te_recorder* h, uint32_t* count) {
  if (count) *count = 0;
  if (!h) return nullptr;
  return guard<const uint32_t*>(nullptr, [&] {
    return te::capi::take_released(pipeline(h).released(), h->released, count);
  });
}

int32_t te_recorder_take_keyframe_request(te_recorder* h) {
  return h ? guard<int32_t>(0, [&] { return pipeline(h).take_keyframe_request() ? 1 : 0; }) : 0;
}

int32_t te_recorder_waiting_for_keyframe(te_recorder* h) {
  return h ? guard<int32_t>(0, [&] { return pipeline(h).waiting_for_keyframe() ? 1 : 0; }) : 0;
}

uint32_t te_recorder_missing(te_recorder* h, uint16_t* out, uint32_t max) {
  if (!h || !out) return 0;
  return guard<uint32_t>(0, [&] { return te::capi::copy_missing(pipeline(h).missing(max), out); });
}

const char* te_recorder_stat_names(void) { return kStatNames + 1; }

uint32_t te_recorder_stats(te_recorder* h, double* out, uint32_t max) {
  if (!h || !out) return 0;
  return guard<uint32_t>(0, [&] {
    const te::Recorder& r = pipeline(h);
    return te::capi::write_stats(out, max, uint32_t(RecorderStat::kCount), [&](uint32_t i) { return stat(r, i); });
  });
}

const char* te_recorder_mime_type(te_recorder* h) {
  return h ? guard<const char*>("", [&] { return pipeline(h).mime_type(); }) : "";
}

}  // extern "C"
