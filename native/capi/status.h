// Last-error bookkeeping shared by the C ABI entry points.
#pragma once
#include <string>

#include "te/te.h"

namespace te::capi {

// Never throws (an exception barrier calls it while handling one).
void set_error(te_status status, std::string message) noexcept;
void clear_error();
// Records `message` and returns `status`, for one-line error returns.
inline te_status fail(te_status status, std::string message) noexcept {
  set_error(status, std::move(message));
  return status;
}

}  // namespace te::capi
