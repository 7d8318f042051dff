// Option values of te_recorder_set_option / te_pcm_set_option (TE_OPT_* in te.h): range checks
// with a message that names the option.
#pragma once
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <string>

#include "status.h"

namespace te::capi {

struct OptionRange {
  const char* name;  // as te_last_error() reports it
  double min, max;   // whole numbers in [min, max]
};

// The range of a TE_OPT_*, or nullptr for an unknown id.
inline const OptionRange* option_range(int32_t option) {
  static const OptionRange kCrashSafe{"crash-safe (TE_OPT_CRASH_SAFE)", 0, 1};
  static const OptionRange kClockRate{"clock rate (TE_OPT_CLOCK_RATE)", 1, 1000000};
  static const OptionRange kChannels{"channels (TE_OPT_CHANNELS)", 1, 2};
  static const OptionRange kSeekable{"seekable (TE_OPT_SEEKABLE)", 0, 1};
  static const OptionRange kFragment{"fragment ms (TE_OPT_FRAGMENT_MS)", 1, 600000};
  static const OptionRange kWait{"reorder wait ms (TE_OPT_REORDER_WAIT_MS)", 0, 60000};
  static const OptionRange kCapacity{"reorder capacity (TE_OPT_REORDER_CAPACITY)", 2, 65536};
  static const OptionRange kSsrc{"SSRC (TE_OPT_SSRC)", -1, 4294967295.0};
  static const OptionRange kPt{"payload type (TE_OPT_PAYLOAD_TYPE)", -1, 127};
  static const OptionRange kRate{"output rate (TE_OPT_OUTPUT_RATE)", 8000, 48000};
  static const OptionRange kOutChannels{"output channels (TE_OPT_OUTPUT_CHANNELS)", 1, 2};
  switch (option) {
    case TE_OPT_CRASH_SAFE: return &kCrashSafe;
    case TE_OPT_CLOCK_RATE: return &kClockRate;
    case TE_OPT_CHANNELS: return &kChannels;
    case TE_OPT_SEEKABLE: return &kSeekable;
    case TE_OPT_FRAGMENT_MS: return &kFragment;
    case TE_OPT_REORDER_WAIT_MS: return &kWait;
    case TE_OPT_REORDER_CAPACITY: return &kCapacity;
    case TE_OPT_SSRC: return &kSsrc;
    case TE_OPT_PAYLOAD_TYPE: return &kPt;
    case TE_OPT_OUTPUT_RATE: return &kRate;
    case TE_OPT_OUTPUT_CHANNELS: return &kOutChannels;
    default: return nullptr;
  }
}

// A value as a user wrote it: "3", "0.5", "nan" (std::to_string would give "3.000000").
inline std::string shown(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  return buf;
}

// TE_OK when `value` is a whole number in the option's range, else TE_E_INVALID_ARG with a message.
// `handle` names the kind of handle for an option it does not have ("recorder", "PCM decoder").
inline te_status check_option(int32_t option, double value, bool supported, const char* handle) {
  const OptionRange* r = option_range(option);
  if (!r || !supported) return fail(TE_E_INVALID_ARG, "unknown " + std::string(handle) + " option " + std::to_string(option));
  if (!(value >= r->min && value <= r->max) || std::floor(value) != value) {
    return fail(TE_E_INVALID_ARG, std::string(r->name) + " must be a whole number in " + std::to_string(int64_t(r->min)) +
                                      ".." + std::to_string(int64_t(r->max)) + ", got " + shown(value));
  }
  return TE_OK;
}

}  // namespace te::capi
