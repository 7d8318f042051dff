// The C ABI's exception barrier on WebAssembly (built with emcc -fwasm-exceptions by the
// te_capi_wasm_test target, run under node by scripts/test-native.sh). GoogleTest is not available
// for Emscripten here, so this is a plain program: it exits 1 on the first failed check.
//  - an injected std::bad_alloc / std::runtime_error (te_test_fail_next) inside an entry point
//    comes back as TE_E_NOMEM / TE_E_INTERNAL instead of aborting the module;
//  - a real allocation failure (more than the 2 GiB a wasm32 heap can grow to) does too.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "capi/test_hooks.h"
#include "capi_test_util.h"

namespace {

int checks = 0;

void check(bool ok, const char* what) {
  checks++;
  if (ok) return;
  std::printf("capi wasm: FAILED: %s (last error: %s)\n", what, te_last_error());
  std::exit(1);
}

}  // namespace

int main() {
  te_test::Wire wire;
  te_recorder* h = te_test::new_opus_recorder();
  check(h != nullptr, "recorder created");
  auto p = te_test::opus_rtp(wire, 1);
  te_test_fail_next(TE_E_NOMEM);
  check(te_test::push(h, p, te_test::arrival_us(1)) == TE_E_NOMEM,
        "injected bad_alloc in push → TE_E_NOMEM");
  check(std::strcmp(te_last_error(), "TE_E_NOMEM: out of memory") == 0, "te_last_error names it");
  auto q = te_test::opus_rtp(wire, 2);
  check(te_test::push(h, q, te_test::arrival_us(2)) == TE_OK,
        "the recorder goes on");
  te_test_fail_next(TE_E_INTERNAL);
  check(te_recorder_finish(h) == TE_E_INTERNAL, "injected runtime_error in finish → TE_E_INTERNAL");
  check(te_recorder_finish(h) == TE_OK, "finish after the failure");
  check(te_recorder_collect(h) > 0, "output after the failure");
  te_recorder_free(h);

  te_test_fail_next(TE_E_NOMEM);
  check(te_test::new_pcm() == nullptr && te_last_status() == TE_E_NOMEM, "constructor → NULL, TE_E_NOMEM");

  // A real std::bad_alloc: operator new cannot get 3 GB from a wasm32 heap.
  check(te_alloc(3000000000u) == nullptr, "te_alloc(3 GB) → NULL");
  check(te_last_status() == TE_E_NOMEM, "te_alloc(3 GB) → TE_E_NOMEM");

  std::printf("capi wasm: %d checks passed\n", checks);
  return 0;
}
