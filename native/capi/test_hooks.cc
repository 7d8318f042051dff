// See test_hooks.h. Compiled in every build, empty unless TE_TESTING is defined.
#include "test_hooks.h"

#ifdef TE_TESTING
#include <new>
#include <stdexcept>

#include "barrier.h"

namespace {
thread_local te_status g_fail_next = TE_OK;
}

extern "C" void te_test_fail_next(int32_t status) { g_fail_next = status; }

namespace te::capi {

void test_injected_throw() {
  te_status s = g_fail_next;
  g_fail_next = TE_OK;
  if (s == TE_E_NOMEM) throw std::bad_alloc();
  if (s == TE_E_INTERNAL) throw std::runtime_error("injected by te_test_fail_next");
}

}  // namespace te::capi
#endif
