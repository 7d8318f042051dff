// libFuzzer target: VP9 payload descriptor + SS (RFC 9628 §4.2), uncompressed header (VP9 spec
// §6.2), superframe index (Annex B) and the Vp9Depacketizer → WebmMuxer path on arbitrary packet
// sequences (input format: vpx_fuzz_records.h).
#include <cstddef>
#include <cstdint>

#include "core/depack/vp9_depacketizer.h"
#include "core/depack/vp9_uncompressed_header.h"
#include "vpx_fuzz_records.h"

using namespace te;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  {
    Vp9Descriptor d;
    Vp9ScalabilityStructure ss;
    parse_vp9_descriptor(ByteView(data, size), d, &ss);
    Vp9FrameHeader fh;
    parse_vp9_frame_header(data, size, fh);
    uint32_t sizes[8];
    parse_vp9_superframe_index(data, size, sizes);
  }
  run_vpx_records<Vp9Depacketizer>(data, size);
  return 0;
}
