#include "pcm_wrap.h"

#include "napi_util.h"

namespace te::napi {

Napi::Function PcmWrap::Init(Napi::Env env) {
  return DefineClass(env, "PcmDecoder",
                     {InstanceMethod("push", &PcmWrap::Push), InstanceMethod("poll", &PcmWrap::Poll),
                      InstanceMethod("finish", &PcmWrap::Finish), InstanceMethod("read", &PcmWrap::Read),
                      InstanceMethod("released", &PcmWrap::Released),
                      InstanceMethod("missing", &PcmWrap::Missing), InstanceMethod("stats", &PcmWrap::Stats),
                      InstanceMethod("close", &PcmWrap::Close)});
}

// new PcmDecoder(options): a Float64Array of [TE_OPT_* id, value] pairs (see RecorderWrap).
PcmWrap::PcmWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PcmWrap>(info) {
  Napi::Float64Array opts = options_arg(info, 0);  // before te_pcm_new: a throw must not leak h_
  h_ = te_pcm_new();
  if (!h_) throw_last_error(info.Env(), te_last_status());
  te_status s = TE_OK;
  for (size_t i = 0; s == TE_OK && i + 1 < opts.ElementLength(); i += 2)
    s = te_pcm_set_option(h_, option_id(opts[i]), opts[i + 1]);
  if (s != TE_OK) {
    te_pcm_free(h_);
    h_ = nullptr;
    throw_last_error(info.Env(), s);
  }
}

PcmWrap::~PcmWrap() { te_pcm_free(h_); }

te_pcm* PcmWrap::handle(Napi::Env env) {
  // Same message as the TypeScript guard (src/core/raw-guard.ts), which normally answers first.
  if (!h_) throw_error(env, TE_E_STATE, "PCM decoder is closed");
  return h_;
}

Napi::Value PcmWrap::Push(const Napi::CallbackInfo& info) {
  te_pcm* h = handle(info.Env());
  Napi::Uint8Array pkt = bytes_arg(info, 1);
  check(info.Env(),
        te_pcm_push(h, u32(info, 0), pkt.Data(), static_cast<uint32_t>(pkt.ByteLength()), f64(info, 2)));
  return info.Env().Undefined();
}

Napi::Value PcmWrap::Poll(const Napi::CallbackInfo& info) {
  check(info.Env(), te_pcm_poll(handle(info.Env()), f64(info, 0)));
  return info.Env().Undefined();
}

Napi::Value PcmWrap::Finish(const Napi::CallbackInfo& info) {
  check(info.Env(), te_pcm_finish(handle(info.Env())));
  return info.Env().Undefined();
}

// Decoded samples are copied once into a JS-owned Int16Array (PCM is generated data).
Napi::Value PcmWrap::Read(const Napi::CallbackInfo& info) {
  uint32_t count = 0;
  const int16_t* pcm = te_pcm_read(handle(info.Env()), &count);
  return copy_array<int16_t, Napi::Int16Array>(info.Env(), pcm, count);
}

Napi::Value PcmWrap::Released(const Napi::CallbackInfo& info) {
  uint32_t count = 0;
  const uint32_t* ids = te_pcm_released(handle(info.Env()), &count);
  return copy_array<uint32_t, Napi::Uint32Array>(info.Env(), ids, count);
}

Napi::Value PcmWrap::Missing(const Napi::CallbackInfo& info) {
  uint16_t seqs[TE_MAX_MISSING];
  uint32_t n = te_pcm_missing(handle(info.Env()), seqs, TE_MAX_MISSING);
  return copy_array<uint16_t, Napi::Uint16Array>(info.Env(), seqs, n);
}

Napi::Value PcmWrap::Stats(const Napi::CallbackInfo& info) {
  double v[TE_MAX_STATS];
  uint32_t n = te_pcm_stats(handle(info.Env()), v, TE_MAX_STATS);
  return copy_array<double, Napi::Float64Array>(info.Env(), v, n);
}

Napi::Value PcmWrap::Close(const Napi::CallbackInfo& info) {
  te_pcm_free(h_);
  h_ = nullptr;
  return info.Env().Undefined();
}

}  // namespace te::napi
