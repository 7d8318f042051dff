#pragma once
#include <napi.h>

#include "te/te.h"

namespace te::napi {

// JS class `Recorder`: new Recorder(codec, clockRate, channels, seekable, fragmentMs,
// reorderWaitMs, reorderCapacity, ssrc, payloadType). Arguments are validated in TypeScript
// (src/core/recorder.ts); this wrapper only forwards them. Packets pushed are borrowed (see te.h).
class RecorderWrap : public Napi::ObjectWrap<RecorderWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit RecorderWrap(const Napi::CallbackInfo& info);
  ~RecorderWrap() override;

 private:
  te_recorder* handle(Napi::Env env);
  Napi::Value Push(const Napi::CallbackInfo& info);
  Napi::Value Poll(const Napi::CallbackInfo& info);
  Napi::Value Finish(const Napi::CallbackInfo& info);
  Napi::Value Collect(const Napi::CallbackInfo& info);
  Napi::Value Released(const Napi::CallbackInfo& info);
  Napi::Value TakeKeyframeRequest(const Napi::CallbackInfo& info);
  Napi::Value WaitingForKeyframe(const Napi::CallbackInfo& info);
  Napi::Value Missing(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value MimeType(const Napi::CallbackInfo& info);
  Napi::Value SetOption(const Napi::CallbackInfo& info);  // setOption(TE_OPT_*, value)
  Napi::Value Close(const Napi::CallbackInfo& info);

  te_recorder* h_ = nullptr;
};

}  // namespace te::napi
