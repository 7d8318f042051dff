#pragma once
#include <napi.h>

#include "te/te.h"

namespace te::napi {

// JS class `PcmDecoder`: new PcmDecoder(inChannels, outRate, outChannels, reorderWaitMs,
// reorderCapacity, ssrc, payloadType). Validated in TypeScript (src/core/pcm-decoder.ts).
class PcmWrap : public Napi::ObjectWrap<PcmWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit PcmWrap(const Napi::CallbackInfo& info);
  ~PcmWrap() override;

 private:
  te_pcm* handle(Napi::Env env);
  Napi::Value Push(const Napi::CallbackInfo& info);
  Napi::Value Poll(const Napi::CallbackInfo& info);
  Napi::Value Finish(const Napi::CallbackInfo& info);
  Napi::Value Read(const Napi::CallbackInfo& info);
  Napi::Value Released(const Napi::CallbackInfo& info);
  Napi::Value Missing(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  te_pcm* h_ = nullptr;
};

}  // namespace te::napi
