// Exception barrier of the C ABI: no C++ exception crosses an extern "C" entry point. Every entry
// point runs its body through guard_status() or guard(); std::bad_alloc becomes TE_E_NOMEM, any
// other exception TE_E_INTERNAL, with te_last_error() set. (The shape follows libdatachannel's
// wrap() in src/capi.cpp.) The core itself never throws on bad input; what can throw is the
// standard library: allocation, and length errors of containers.
#pragma once
#include <new>
#include <stdexcept>
#include <string>

#include "status.h"

namespace te::capi {

#ifdef TE_TESTING
// Test builds only (TE_TESTING, see CMakeLists.txt): throws what te_test_fail_next() armed.
void test_injected_throw();
#endif

// Records the exception in flight (call inside a catch block) and returns its status.
inline te_status record_exception() noexcept {
  try {
    throw;
  } catch (const std::bad_alloc&) {
    set_error(TE_E_NOMEM, "out of memory");
    return TE_E_NOMEM;
  } catch (const std::exception& e) {
    set_error(TE_E_INTERNAL, std::string("internal error: ") + e.what());
    return TE_E_INTERNAL;
  } catch (...) {
    set_error(TE_E_INTERNAL, "internal error: unknown exception");
    return TE_E_INTERNAL;
  }
}

// Runs `body`; an exception is recorded and `on_error(status)` returned instead.
template <typename R, typename F, typename E>
R run_guarded(F&& body, E&& on_error) noexcept {
  try {
#ifdef TE_TESTING
    test_injected_throw();
#endif
    return body();
  } catch (...) {
    return on_error(record_exception());
  }
}

// Runs `body` (returning te_status or a negative int32 count); an exception becomes its status.
template <typename F>
auto guard_status(F&& body) noexcept -> decltype(body()) {
  return run_guarded<decltype(body())>(body, [](te_status s) { return s; });
}

// Runs `body`; an exception returns `on_error` (NULL, 0) with te_last_status()/te_last_error() set.
template <typename R, typename F>
R guard(R on_error, F&& body) noexcept {
  return run_guarded<R>(body, [&](te_status) { return on_error; });
}

}  // namespace te::capi
