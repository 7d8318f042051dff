// libFuzzer target for the H.264 parsers and the whole H.264 → MP4 path: the input is split into
// RTP payloads (1 control byte: marker / timestamp step / loss, 1 length byte, payload) that go
// through H264Depacketizer into Mp4Muxer (fragmented or seekable, chosen by the first byte).
// The SPS/slice parsers, the avcC builder and the fmtp parser (RFC 6184 §8.1, base64
// sprop-parameter-sets) are also fed the raw input directly; when the input's first bytes parse as
// an fmtp with parameter sets, the depacketizer starts with them as out-of-band sets.
#include <cstddef>
#include <cstdint>
#include <vector>

#include <string>

#include "core/depack/avc_config.h"
#include "core/depack/h264_fmtp.h"
#include "core/depack/h264_depacketizer.h"
#include "core/depack/h264_slice_parser.h"
#include "core/depack/h264_sps_parser.h"
#include "core/mux/mp4/mp4_muxer.h"

using namespace te;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  H264Sps sps;
  parse_h264_sps(data, size, sps);
  H264PpsIds ids;
  parse_h264_pps_ids(data, size, ids);
  uint32_t fn = 0;
  parse_h264_frame_num(data, size, size > 0 && (data[0] & 1), 4 + (size % 13), fn);
  if (size > 4) build_avc_config({std::vector<uint8_t>(data, data + size / 2)},
                                 {std::vector<uint8_t>(data + size / 2, data + size)});
  if (size < 1) return 0;

  MuxerOptions opts;
  opts.seekable = data[0] & 1;
  opts.fragment_ms = (data[0] >> 1) * 10;
  opts.crash_safe = data[0] & 0x80;  // with fragment_ms >= 640: the crash-safe layout
  ReleaseList released;
  H264Depacketizer depack;
  {
    // fmtp text: the input up to its first NUL (at most 512 bytes).
    size_t n = 0;
    while (n < size && n < 512 && data[n] != 0) n++;
    H264Fmtp fmtp;
    std::string err;
    std::vector<uint8_t> b64;
    decode_base64(std::string(reinterpret_cast<const char*>(data), n), b64);
    if (parse_h264_fmtp(std::string(reinterpret_cast<const char*>(data), n), fmtp, err) == FmtpResult::kOk)
      depack.set_out_of_band_parameter_sets(fmtp.parameter_sets);
    if (size > 8 && (data[0] & 0x80)) {  // raw halves as out-of-band sets (usually rejected)
      depack.set_out_of_band_parameter_sets({std::vector<uint8_t>(data + 1, data + size / 2),
                                             std::vector<uint8_t>(data + size / 2, data + size)});
    }
  }
  Mp4Muxer mux(opts);
  std::vector<std::vector<uint8_t>> packets;  // stable storage: frames point into it
  packets.reserve(size);
  size_t pos = 1;
  uint32_t ts = 0, id = 0;
  uint16_t seq = 0;
  auto drain = [&]() {
    Frame f;
    while (depack.pop(f)) mux.write(std::move(f));
    OutputChunk c;
    while (mux.pop(c)) {
      volatile uint8_t sink = 0;
      c.data.for_each([&](const uint8_t* p, size_t n) {
        if (n) sink = sink ^ p[0] ^ p[n - 1];
      });
    }
  };
  while (pos + 2 <= size) {
    uint8_t ctl = data[pos], len = data[pos + 1];
    pos += 2;
    size_t n = len < size - pos ? len : size - pos;
    packets.emplace_back(12, 0);
    std::vector<uint8_t>& buf = packets.back();
    buf.insert(buf.end(), data + pos, data + pos + n);
    pos += n;
    if (ctl & 0x02) ts += 3000 * ((ctl >> 4) & 3) - 3000;  // forwards, backwards (B-frames), same
    uint32_t lost = (ctl & 0x04) ? (ctl >> 6) + 1 : 0;
    seq = static_cast<uint16_t>(seq + lost);
    RtpPacket p;
    p.id = ++id;
    p.bytes = ByteView(buf.data(), buf.size());
    p.payload = ByteView(buf.data() + 12, buf.size() - 12);
    p.marker = ctl & 0x01;
    p.sequence = seq++;
    p.timestamp = ts;
    p.ext_sequence = p.sequence;
    p.ext_timestamp = static_cast<int32_t>(ts);
    depack.push(p, PacketHold(&released, p.id), lost);
    drain();
  }
  depack.flush();
  drain();
  mux.finish();
  drain();
  return 0;
}
