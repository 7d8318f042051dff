// Small helpers shared by the N-API wrappers: errors through the JS error factory, checked
// arguments, and array copies.
#pragma once
#include <napi.h>

#include <cstring>
#include <string>

#include "te/te.h"

namespace te::napi {

// Per-environment addon state (each worker thread loads its own instance), set in addon.cc.
struct AddonData {
  // (status, message) → Error: errorFromStatus of src/core/errors.ts, registered once at load by
  // setErrorFactory so that the addon throws the same classes and codes as the wasm adapter.
  Napi::FunctionReference error_factory;
};

// Throws the JS error for a te_status: the factory's result when one is registered, else (the
// addon loaded without src/core) a plain Error whose `code` is ERR_TE_<NAME>.
[[noreturn]] inline void throw_error(Napi::Env env, te_status status, const std::string& message) {
  AddonData* data = env.GetInstanceData<AddonData>();
  if (data && !data->error_factory.IsEmpty()) {
    Napi::Value err =
        data->error_factory.Call({Napi::Number::New(env, status), Napi::String::New(env, message)});
    throw Napi::Error(env, err);
  }
  Napi::Error err = Napi::Error::New(env, message);
  std::string name = te_status_name(status);  // "TE_E_INVALID_ARG"
  err.Set("code", Napi::String::New(env, "ERR_" + name.substr(0, 3) + name.substr(5)));
  throw err;
}

// Throws for a failed C ABI call, with te_last_error() as the message.
[[noreturn]] inline void throw_last_error(Napi::Env env, te_status status) {
  throw_error(env, status, te_last_error());
}

// Throws when a C ABI call returned an error status.
inline void check(Napi::Env env, te_status status) {
  if (status < 0) throw_last_error(env, status);
}

// Arguments of the wrong JS type are TE_E_INVALID_ARG like any other bad argument.
inline Napi::Number number_arg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsNumber()) {
    throw_error(info.Env(), TE_E_INVALID_ARG, "argument " + std::to_string(i) + " must be a number");
  }
  return info[i].As<Napi::Number>();
}
inline uint32_t u32(const Napi::CallbackInfo& info, size_t i) { return number_arg(info, i).Uint32Value(); }
inline int32_t i32(const Napi::CallbackInfo& info, size_t i) { return number_arg(info, i).Int32Value(); }
inline double f64(const Napi::CallbackInfo& info, size_t i) { return number_arg(info, i).DoubleValue(); }

inline Napi::Uint8Array bytes_arg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw_error(info.Env(), TE_E_INVALID_ARG, "argument " + std::to_string(i) + " must be a Uint8Array");
  }
  return info[i].As<Napi::Uint8Array>();
}

// The [TE_OPT_* id, value] pairs both constructors take (src/core/backend.ts optionPairs).
inline Napi::Float64Array options_arg(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw_error(info.Env(), TE_E_INVALID_ARG, "argument " + std::to_string(i) + " must be a Float64Array");
  }
  return info[i].As<Napi::Float64Array>();
}

template <class T, class Array>
Array copy_array(Napi::Env env, const T* data, size_t count) {
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, count * sizeof(T));
  if (count) std::memcpy(ab.Data(), data, count * sizeof(T));
  return Array::New(env, count, ab, 0);
}

// A TE_OPT_* id from a JS number; anything that is not an int32 becomes -1 (an unknown option).
inline int32_t option_id(double v) {
  return v >= -2147483648.0 && v <= 2147483647.0 ? static_cast<int32_t>(v) : -1;
}

}  // namespace te::napi
