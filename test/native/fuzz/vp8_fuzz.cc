// libFuzzer target: VP8 payload descriptor / key frame header parsing (RFC 7741 §4.2-§4.3) and the
// Vp8Depacketizer → WebmMuxer path on arbitrary packet sequences (input format: vpx_fuzz_records.h).
#include <cstddef>
#include <cstdint>

#include "core/depack/vp8_depacketizer.h"
#include "vpx_fuzz_records.h"

using namespace te;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Vp8Descriptor d;
  parse_vp8_descriptor(ByteView(data, size), d);
  Vp8KeyframeInfo ki;
  parse_vp8_keyframe_header(data, size, ki);
  run_vpx_records<Vp8Depacketizer>(data, size);
  return 0;
}
