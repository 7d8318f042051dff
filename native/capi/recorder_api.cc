// C ABI over te::Recorder (native/core/pipeline/recorder.h). See native/include/te/te.h.
#include <cmath>
#include <memory>
#include <string>

#include "core/pipeline/recorder.h"
#include "output_view.h"
#include "handle_util.h"
#include "status.h"
#include "barrier.h"

using te::capi::fail;
using te::capi::guard;
using te::capi::guard_status;

struct te_recorder {
  explicit te_recorder(const te::RecorderOptions& o) : rec(o), mux(o.mux) {}
  te::Recorder rec;
  te::MuxerOptions mux;  // current muxer options (te_recorder_set_option)
  te::capi::OutputView view;
  std::vector<uint32_t> released;
};

namespace {

using te::capi::time_us;

bool valid_codec(int32_t c) { return c >= TE_CODEC_H264 && c <= TE_CODEC_OPUS; }

}  // namespace

extern "C" {

te_recorder* te_recorder_new(int32_t codec, uint32_t clock_rate, uint32_t channels,
                             int32_t seekable, uint32_t fragment_ms, uint32_t reorder_wait_ms,
                             uint32_t reorder_capacity, double ssrc, int32_t payload_type) {
  te::capi::clear_error();
  return guard<te_recorder*>(nullptr, [&]() -> te_recorder* {
  if (!valid_codec(codec)) {
    fail(TE_E_UNSUPPORTED, "unknown codec id " + std::to_string(codec));
    return nullptr;
  }
  if (clock_rate == 0 || clock_rate > 1000000) {
    fail(TE_E_INVALID_ARG, "clock rate must be 1..1000000 Hz, got " + std::to_string(clock_rate));
    return nullptr;
  }
  if (codec == TE_CODEC_OPUS && channels != 1 && channels != 2) {
    fail(TE_E_INVALID_ARG, "Opus channel count must be 1 or 2, got " + std::to_string(channels));
    return nullptr;
  }
  if (reorder_capacity < 2 || reorder_capacity > 65536) {
    fail(TE_E_INVALID_ARG, "reorder capacity must be 2..65536 packets");
    return nullptr;
  }
  te::RecorderOptions o;
  o.codec = static_cast<te::Codec>(codec);
  o.channels = channels;
  o.input.clock_rate = clock_rate;
  o.input.ssrc = ssrc < 0 || !std::isfinite(ssrc) ? -1 : static_cast<int64_t>(ssrc);
  o.input.payload_type = payload_type;
  o.input.reorder.max_wait_us = reorder_wait_ms * 1000u;
  o.input.reorder.max_packets = reorder_capacity;
  o.mux.seekable = seekable != 0;
  if (fragment_ms) o.mux.fragment_ms = fragment_ms;
  auto h = std::make_unique<te_recorder>(o);
  if (!h->rec.ok()) {
    fail(TE_E_UNSUPPORTED, "no depacketizer/muxer for codec id " + std::to_string(codec));
    return nullptr;
  }
  return h.release();
  });
}

void te_recorder_free(te_recorder* h) { delete h; }  // destructors never throw

te_status te_recorder_set_fmtp(te_recorder* h, const char* fmtp) {
  te::capi::clear_error();
  return guard_status([&]() -> te_status {
  if (!h) return fail(TE_E_INVALID_ARG, "null recorder");
  if (!fmtp) return fail(TE_E_INVALID_ARG, "null fmtp");
  if (h->rec.started() || h->rec.finished())
    return fail(TE_E_STATE, "fmtp must be set before the first packet is pushed");
  std::string error;
  switch (h->rec.set_fmtp(fmtp, error)) {
    case te::FmtpResult::kOk: return TE_OK;
    case te::FmtpResult::kUnsupported: return fail(TE_E_UNSUPPORTED, "fmtp: " + error);
    case te::FmtpResult::kInvalid: break;
  }
  return fail(TE_E_INVALID_ARG, "fmtp: " + error);
  });
}

te_status te_recorder_set_option(te_recorder* h, int32_t option, double value) {
  te::capi::clear_error();
  return guard_status([&]() -> te_status {
  if (!h) return fail(TE_E_INVALID_ARG, "null recorder");
  te::MuxerOptions mux = h->mux;
  switch (option) {
    case TE_OPT_CRASH_SAFE:
      if (value != 0 && value != 1) return fail(TE_E_INVALID_ARG, "crash-safe must be 0 or 1");
      mux.crash_safe = value == 1;
      break;
    default:
      return fail(TE_E_INVALID_ARG, "unknown recorder option " + std::to_string(option));
  }
  if (!h->rec.set_muxer_options(mux))
    return fail(TE_E_STATE, "recorder options must be set before the first push");
  h->mux = mux;
  return TE_OK;
  });
}

te_status te_recorder_push(te_recorder* h, uint32_t id, const uint8_t* data, uint32_t size,
                           double arrival_us) {
  if (!h) return fail(TE_E_INVALID_ARG, "null recorder");
  if (!data && size) return fail(TE_E_INVALID_ARG, "null packet data");
  if (h->rec.finished()) return fail(TE_E_STATE, "recorder is finished");
  return guard_status([&] {
    h->rec.push(id, te::ByteView(data, size), time_us(arrival_us));
    return TE_OK;
  });
}

te_status te_recorder_poll(te_recorder* h, double now_us) {
  if (!h) return fail(TE_E_INVALID_ARG, "null recorder");
  return guard_status([&] {
    h->rec.poll(time_us(now_us));
    return TE_OK;
  });
}

te_status te_recorder_finish(te_recorder* h) {
  if (!h) return fail(TE_E_INVALID_ARG, "null recorder");
  return guard_status([&] {
    h->rec.finish();
    return TE_OK;
  });
}

int32_t te_recorder_collect(te_recorder* h) {
  if (!h) return fail(TE_E_INVALID_ARG, "null recorder");
  return guard_status([&] {
    h->view.clear();
    int32_t n = 0;
    te::OutputChunk c;
    // Each chunk is flattened and then dropped: its packet holds go to the released list, which
    // the caller reads after resolving this batch's runs.
    while (h->rec.pop(c)) {
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
    return te::capi::take_released(h->rec.released(), h->released, count);
  });
}

int32_t te_recorder_take_keyframe_request(te_recorder* h) {
  return h ? guard<int32_t>(0, [&] { return h->rec.take_keyframe_request() ? 1 : 0; }) : 0;
}

int32_t te_recorder_waiting_for_keyframe(te_recorder* h) {
  return h ? guard<int32_t>(0, [&] { return h->rec.waiting_for_keyframe() ? 1 : 0; }) : 0;
}

uint32_t te_recorder_missing(te_recorder* h, uint16_t* out, uint32_t max) {
  if (!h || !out) return 0;
  return guard<uint32_t>(0, [&] { return te::capi::copy_missing(h->rec.missing(max), out); });
}

const char* te_recorder_stat_names(void) {
  return "datagrams,bytes,malformed,rtcp,filtered,ssrcChanges,"
         "padding,timestampOutliers,timestampRebases,"
         "received,duplicates,late,lost,reordered,restarts,"
         "payloadMalformed,payloadUnsupported,frames,framesDropped,keyframes,keyframeRequests,"
         "outputBytes,durationUs,width,height,timingInvalid,parameterSetsMissing";
}

uint32_t te_recorder_stats(te_recorder* h, double* out, uint32_t max) {
  if (!h || !out) return 0;
  const auto& in = h->rec.input_stats();
  const auto& ro = h->rec.reorder_stats();
  const auto& dp = h->rec.depacketizer_stats();
  const auto& mx = h->rec.muxer_stats();
  double duration_us = mx.clock_rate ? static_cast<double>(mx.duration) * 1e6 / mx.clock_rate : 0;
  const double v[] = {double(in.datagrams),      double(in.bytes),
                      double(in.malformed),      double(in.rtcp),
                      double(in.filtered),       double(in.ssrc_changes),
                      double(in.padding),        double(in.timestamp_outliers),
                      double(in.timestamp_rebases),
                      double(ro.received),       double(ro.duplicates),
                      double(ro.late),           double(ro.lost),
                      double(ro.reordered),      double(ro.restarts),
                      double(dp.malformed),      double(dp.unsupported),
                      double(dp.frames),         double(dp.frames_dropped),
                      double(dp.keyframes),      double(dp.keyframe_requests),
                      double(mx.bytes),          duration_us,
                      double(h->rec.width()),    double(h->rec.height()),
                      double(dp.timing_invalid), double(h->rec.parameter_sets_missing())};
  uint32_t n = sizeof(v) / sizeof(v[0]);
  if (n > max) n = max;
  for (uint32_t i = 0; i < n; i++) out[i] = v[i];
  return n;
}

const char* te_recorder_mime_type(te_recorder* h) { return h ? h->rec.mime_type() : ""; }

}  // extern "C"
