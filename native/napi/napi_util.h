// Small helpers shared by the N-API wrappers: status → JS Error with a code, and array copies.
#pragma once
#include <napi.h>

#include <cstring>

#include "te/te.h"

namespace te::napi {

// Throws a JS Error whose message is te_last_error() and whose `code` is ERR_TE_<NAME>.
inline void throw_last_error(Napi::Env env, te_status status) {
  Napi::Error err = Napi::Error::New(env, te_last_error());
  std::string name = te_status_name(status);  // "TE_E_INVALID_ARG"
  err.Set("code", Napi::String::New(env, "ERR_" + name.substr(0, 3) + name.substr(5)));
  throw err;
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

inline uint32_t u32(const Napi::CallbackInfo& info, size_t i) {
  return info[i].As<Napi::Number>().Uint32Value();
}
inline double f64(const Napi::CallbackInfo& info, size_t i) {
  return info[i].As<Napi::Number>().DoubleValue();
}

}  // namespace te::napi
