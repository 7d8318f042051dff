// N-API entry point: registers the classes and the version/stat-name functions. Everything here
// forwards to the C ABI (native/include/te/te.h) that the wasm build exports too.
#include <napi.h>

#include "napi_util.h"
#include "pcm_wrap.h"
#include "recorder_wrap.h"
#include "te/te.h"

namespace {

using te::napi::AddonData;

// setErrorFactory(fn): fn(status, message) builds every error the addon throws from now on
// (src/core/native-backend.ts passes errorFromStatus of src/core/errors.ts).
Napi::Value SetErrorFactory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) {
    te::napi::throw_error(env, TE_E_INVALID_ARG, "setErrorFactory expects a function");
  }
  env.GetInstanceData<AddonData>()->error_factory = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new AddonData());
  exports.Set("setErrorFactory", Napi::Function::New(env, SetErrorFactory, "setErrorFactory"));
  exports.Set("abiVersion", Napi::Number::New(env, te_abi_version()));
  exports.Set("version", Napi::String::New(env, te_version()));
  exports.Set("opusVersion", Napi::String::New(env, te_opus_version()));
  exports.Set("recorderStatNames", Napi::String::New(env, te_recorder_stat_names()));
  exports.Set("pcmStatNames", Napi::String::New(env, te_pcm_stat_names()));
  exports.Set("Recorder", te::napi::RecorderWrap::Init(env));
  exports.Set("PcmDecoder", te::napi::PcmWrap::Init(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(track_egress, Init)
