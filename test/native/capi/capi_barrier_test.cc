// The C ABI's exception barrier (native/capi/barrier.h): an exception thrown inside an entry point
// comes back as a status (TE_E_NOMEM for std::bad_alloc, TE_E_INTERNAL otherwise) with
// te_last_error() set, and the handle stays usable. te_test_fail_next() (test builds only) injects
// the exception; scripts/test-native.sh runs the same check on WebAssembly (wasm_barrier_main.cc).
#include <gtest/gtest.h>

#include <string>

#include "capi/test_hooks.h"
#include "capi_test_util.h"

namespace {

using te_test::arrival_us;
using te_test::opus_rtp;

TEST(CapiBarrier, BadAllocInPushIsOutOfMemoryAndTheRecorderGoesOn) {
  te_test::Wire wire;
  te_recorder* h = te_test::new_opus_recorder();
  ASSERT_NE(h, nullptr);
  auto p = opus_rtp(wire, 1);
  te_test_fail_next(TE_E_NOMEM);
  EXPECT_EQ(te_test::push(h, p, arrival_us(1)), TE_E_NOMEM);
  EXPECT_EQ(te_last_status(), TE_E_NOMEM);
  EXPECT_EQ(std::string(te_last_error()), "TE_E_NOMEM: out of memory");
  auto q = opus_rtp(wire, 2);
  EXPECT_EQ(te_test::push(h, q, arrival_us(2)), TE_OK);
  te_test_fail_next(TE_E_INTERNAL);
  EXPECT_EQ(te_recorder_finish(h), TE_E_INTERNAL);
  EXPECT_NE(std::string(te_last_error()).find("injected by te_test_fail_next"), std::string::npos);
  EXPECT_EQ(te_recorder_finish(h), TE_OK);
  te_test_fail_next(TE_E_NOMEM);
  EXPECT_EQ(te_recorder_collect(h), TE_E_NOMEM);
  EXPECT_GT(te_recorder_collect(h), 0);
  uint32_t count = 9;
  te_test_fail_next(TE_E_NOMEM);
  EXPECT_EQ(te_recorder_released(h, &count), nullptr);
  EXPECT_EQ(count, 0u);
  te_recorder_free(h);
}

TEST(CapiBarrier, BadAllocInAConstructorReturnsNull) {
  te_test_fail_next(TE_E_NOMEM);
  EXPECT_EQ(te_test::new_opus_recorder(), nullptr);
  EXPECT_EQ(te_last_status(), TE_E_NOMEM);
  te_test_fail_next(TE_E_NOMEM);
  EXPECT_EQ(te_test::new_pcm(), nullptr);
  EXPECT_EQ(te_last_status(), TE_E_NOMEM);
  te_test_fail_next(TE_E_INTERNAL);
  EXPECT_EQ(te_test::new_pcm(), nullptr);
  EXPECT_EQ(te_last_status(), TE_E_INTERNAL);
  te_test_fail_next(TE_E_NOMEM);
  EXPECT_EQ(te_alloc(16), nullptr);
  EXPECT_EQ(te_last_status(), TE_E_NOMEM);
}

TEST(CapiBarrier, PcmCallsReportTheException) {
  te_test::Wire wire;
  te_pcm* d = te_test::new_pcm();
  ASSERT_NE(d, nullptr);
  auto p = opus_rtp(wire, 1);
  te_test_fail_next(TE_E_NOMEM);
  EXPECT_EQ(te_test::push(d, p, arrival_us(1)), TE_E_NOMEM);
  uint32_t count = 5;
  te_test_fail_next(TE_E_NOMEM);
  EXPECT_EQ(te_pcm_read(d, &count), nullptr);
  EXPECT_EQ(count, 0u);
  EXPECT_EQ(te_last_status(), TE_E_NOMEM);
  te_test_fail_next(TE_E_INTERNAL);
  EXPECT_EQ(te_pcm_poll(d, 0), TE_E_INTERNAL);
  EXPECT_EQ(te_pcm_finish(d), TE_OK);
  te_pcm_free(d);
}

}  // namespace
