#include "recorder_wrap.h"

#include "napi_util.h"

#include <string>

namespace te::napi {

Napi::Function RecorderWrap::Init(Napi::Env env) {
  return DefineClass(env, "Recorder",
                     {InstanceMethod("push", &RecorderWrap::Push),
                      InstanceMethod("poll", &RecorderWrap::Poll),
                      InstanceMethod("finish", &RecorderWrap::Finish),
                      InstanceMethod("collect", &RecorderWrap::Collect),
                      InstanceMethod("released", &RecorderWrap::Released),
                      InstanceMethod("takeKeyframeRequest", &RecorderWrap::TakeKeyframeRequest),
                      InstanceMethod("waitingForKeyframe", &RecorderWrap::WaitingForKeyframe),
                      InstanceMethod("missing", &RecorderWrap::Missing),
                      InstanceMethod("stats", &RecorderWrap::Stats),
                      InstanceMethod("mimeType", &RecorderWrap::MimeType),
                      InstanceMethod("setOption", &RecorderWrap::SetOption),
                      InstanceMethod("close", &RecorderWrap::Close)});
}

// new Recorder(codec, options, fmtp): options is a Float64Array of [TE_OPT_* id, value] pairs
// (TypeScript maps option names to ids with src/core/abi.generated.ts); fmtp "" = none.
RecorderWrap::RecorderWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<RecorderWrap>(info) {
  int32_t codec = i32(info, 0);
  Napi::Float64Array opts = options_arg(info, 1);  // before te_recorder_new: a throw must not leak h_
  h_ = te_recorder_new(codec);
  if (!h_) throw_last_error(info.Env(), te_last_status());
  te_status s = TE_OK;
  for (size_t i = 0; s == TE_OK && i + 1 < opts.ElementLength(); i += 2)
    s = te_recorder_set_option(h_, option_id(opts[i]), opts[i + 1]);
  std::string fmtp = info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : std::string();
  if (s == TE_OK && !fmtp.empty()) s = te_recorder_set_fmtp(h_, fmtp.c_str());
  if (s != TE_OK) {
    te_recorder_free(h_);
    h_ = nullptr;
    throw_last_error(info.Env(), s);
  }
}

RecorderWrap::~RecorderWrap() { te_recorder_free(h_); }

te_recorder* RecorderWrap::handle(Napi::Env env) {
  // Same message as the TypeScript guard (src/core/raw-guard.ts), which normally answers first.
  if (!h_) throw_error(env, TE_E_STATE, "recorder is closed");
  return h_;
}

Napi::Value RecorderWrap::Push(const Napi::CallbackInfo& info) {
  te_recorder* h = handle(info.Env());
  // Zero-copy: the core keeps this pointer until the id is released; TypeScript keeps the
  // Uint8Array alive until then (src/core/packet-registry.ts).
  Napi::Uint8Array pkt = bytes_arg(info, 1);
  check(info.Env(), te_recorder_push(h, u32(info, 0), pkt.Data(), static_cast<uint32_t>(pkt.ByteLength()),
                                     f64(info, 2)));
  return info.Env().Undefined();
}

Napi::Value RecorderWrap::SetOption(const Napi::CallbackInfo& info) {
  check(info.Env(), te_recorder_set_option(handle(info.Env()), i32(info, 0), f64(info, 1)));
  return info.Env().Undefined();
}

Napi::Value RecorderWrap::Poll(const Napi::CallbackInfo& info) {
  check(info.Env(), te_recorder_poll(handle(info.Env()), f64(info, 0)));
  return info.Env().Undefined();
}

Napi::Value RecorderWrap::Finish(const Napi::CallbackInfo& info) {
  check(info.Env(), te_recorder_finish(handle(info.Env())));
  return info.Env().Undefined();
}

// Returns null when there is no output, else { chunks: Float64Array, runs: Uint32Array,
// generated: Uint8Array } (layouts in te.h).
Napi::Value RecorderWrap::Collect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  te_recorder* h = handle(env);
  int32_t n = te_recorder_collect(h);
  if (n <= 0) return env.Null();
  Napi::Object out = Napi::Object::New(env);
  out.Set("chunks", copy_array<double, Napi::Float64Array>(env, te_recorder_chunks(h), size_t(n) * 3));
  out.Set("runs", copy_array<uint32_t, Napi::Uint32Array>(env, te_recorder_runs(h),
                                                          size_t(te_recorder_run_count(h)) * 3));
  out.Set("generated", copy_array<uint8_t, Napi::Uint8Array>(env, te_recorder_generated(h),
                                                             te_recorder_generated_size(h)));
  return out;
}

Napi::Value RecorderWrap::Released(const Napi::CallbackInfo& info) {
  uint32_t count = 0;
  const uint32_t* ids = te_recorder_released(handle(info.Env()), &count);
  return copy_array<uint32_t, Napi::Uint32Array>(info.Env(), ids, count);
}

Napi::Value RecorderWrap::TakeKeyframeRequest(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), te_recorder_take_keyframe_request(handle(info.Env())) != 0);
}

Napi::Value RecorderWrap::WaitingForKeyframe(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), te_recorder_waiting_for_keyframe(handle(info.Env())) != 0);
}

Napi::Value RecorderWrap::Missing(const Napi::CallbackInfo& info) {
  uint16_t seqs[TE_MAX_MISSING];
  uint32_t n = te_recorder_missing(handle(info.Env()), seqs, TE_MAX_MISSING);
  return copy_array<uint16_t, Napi::Uint16Array>(info.Env(), seqs, n);
}

Napi::Value RecorderWrap::Stats(const Napi::CallbackInfo& info) {
  double v[TE_MAX_STATS];
  uint32_t n = te_recorder_stats(handle(info.Env()), v, TE_MAX_STATS);
  return copy_array<double, Napi::Float64Array>(info.Env(), v, n);
}

Napi::Value RecorderWrap::MimeType(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), te_recorder_mime_type(handle(info.Env())));
}

Napi::Value RecorderWrap::Close(const Napi::CallbackInfo& info) {
  te_recorder_free(h_);
  h_ = nullptr;
  return info.Env().Undefined();
}

}  // namespace te::napi
