#include "status.h"

#include "barrier.h"

namespace te::capi {
namespace {
thread_local std::string g_last_error;
thread_local te_status g_last_status = TE_OK;
}

void set_error(te_status status, std::string message) noexcept {
  g_last_status = status;
  try {
    g_last_error = std::string(te_status_name(status)) + ": " + message;
  } catch (...) {  // out of memory for the message itself: the status still says what happened
    g_last_error.clear();
  }
}
void clear_error() {
  g_last_status = TE_OK;
  g_last_error.clear();
}

}  // namespace te::capi

extern "C" {

const char* te_last_error(void) { return te::capi::g_last_error.c_str(); }
te_status te_last_status(void) { return te::capi::g_last_status; }

const char* te_status_name(te_status s) {
#define TE_CAPI_STATUS_CASE(name) \
  case name: return #name;
  switch (s) {
    TE_CAPI_STATUS_CASE(TE_OK)
    TE_CAPI_STATUS_CASE(TE_E_INVALID_ARG)
    TE_CAPI_STATUS_CASE(TE_E_STATE)
    TE_CAPI_STATUS_CASE(TE_E_UNSUPPORTED)
    TE_CAPI_STATUS_CASE(TE_E_NOMEM)
    TE_CAPI_STATUS_CASE(TE_E_CODEC)
    TE_CAPI_STATUS_CASE(TE_E_INTERNAL)
  }
  return "TE_E_UNKNOWN";
}

uint32_t te_abi_version(void) { return TE_ABI_VERSION; }
#ifndef TE_VERSION_STRING
#error "TE_VERSION_STRING (package.json version) is defined by CMakeLists.txt and binding.gyp"
#endif
const char* te_version(void) { return TE_VERSION_STRING; }

uint8_t* te_alloc(uint32_t size) {
  return te::capi::guard<uint8_t*>(nullptr, [&] { return static_cast<uint8_t*>(::operator new(size ? size : 1)); });
}
void te_free(void* p) { ::operator delete(p); }

}  // extern "C"
