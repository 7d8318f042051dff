// Last-error bookkeeping shared by the C ABI entry points.
#pragma once
#include <string>

#include "te/te.h"

namespace te::capi {

void set_error(te_status status, std::string message);
void clear_error();
// Records `message` and returns `status`, for one-line error returns.
inline te_status fail(te_status status, std::string message) {
  set_error(status, std::move(message));
  return status;
}

}  // namespace te::capi
