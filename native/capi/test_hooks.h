// Fault injection for tests of the C ABI's exception barrier (native/capi/barrier.h). Exists only
// in builds with TE_TESTING defined (the C++ test build and the wasm test program, see
// CMakeLists.txt); the addon and the wasm module never carry it.
#pragma once
#include <stdint.h>

#ifdef TE_TESTING
#ifdef __cplusplus
extern "C" {
#endif
/* The next guarded C ABI call throws before doing anything: std::bad_alloc for TE_E_NOMEM,
 * std::runtime_error for TE_E_INTERNAL (TE_OK disarms). One shot. */
void te_test_fail_next(int32_t status);
#ifdef __cplusplus
}
#endif
#endif
