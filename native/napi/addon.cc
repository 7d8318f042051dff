// N-API entry point: registers the classes and the version/stat-name functions. Everything here
// forwards to the C ABI (native/include/te/te.h) that the wasm build exports too.
#include <napi.h>

#include "pcm_wrap.h"
#include "recorder_wrap.h"
#include "te/te.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
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
