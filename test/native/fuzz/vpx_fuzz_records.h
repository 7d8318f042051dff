// The packet-sequence half of vp8_fuzz.cc and vp9_fuzz.cc: the input is read as records of
// [flags][len][len bytes of RTP payload] that go through the depacketizer D into a WebmMuxer.
// flags: bit0 marker, bit1 new timestamp, bits2-3 lost_before, bit4 seekable muxer (first record
// only), bits5-7 the size of the timestamp step; bit1 clear and bits5-7 all set: this packet alone
// carries the previous frame's timestamp (timestamp damage).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/mux/webm/webm_muxer.h"
#include "core/rtp/seq_unwrapper.h"

namespace te {

template <class D>
void run_vpx_records(const uint8_t* data, size_t size) {
  ReleaseList released;
  TimestampUnwrapper tsu;
  D dep;
  MuxerOptions mo;
  mo.seekable = size > 0 && (data[0] & 0x10);
  mo.fragment_ms = 100;
  WebmMuxer mux(mo);
  std::vector<std::vector<uint8_t>> bufs;
  bufs.reserve(size / 2 + 1);
  size_t i = 0;
  uint32_t ts = 0xFFFFF000u;
  uint16_t seq = 0;
  uint32_t id = 0;
  while (i + 2 <= size) {
    const uint8_t flags = data[i];
    size_t len = data[i + 1];
    i += 2;
    if (len > size - i) len = size - i;
    bufs.emplace_back(12 + len, 0);  // fake RTP header + payload, owned here
    std::vector<uint8_t>& b = bufs.back();
    std::copy(data + i, data + i + len, b.begin() + 12);
    i += len;
    if (flags & 2) ts += 3000 + (flags >> 5) * 40000000u;
    RtpPacket p;
    p.id = id;
    p.bytes = ByteView(b.data(), b.size());
    p.payload = ByteView(b.data() + 12, len);
    p.marker = flags & 1;
    p.sequence = seq++;
    const uint32_t pts = (!(flags & 2) && (flags >> 5) == 7) ? ts - 3000 : ts;
    p.timestamp = pts;
    p.ext_timestamp = tsu.unwrap(pts);
    dep.push(p, PacketHold(&released, id), (flags >> 2) & 3);
    id++;
    Frame f;
    while (dep.pop(f)) mux.write(std::move(f));
    OutputChunk c;
    while (mux.pop(c)) {
    }
  }
  dep.flush();
  Frame f;
  while (dep.pop(f)) mux.write(std::move(f));
  mux.finish();
  OutputChunk c;
  while (mux.pop(c)) {
  }
}

}  // namespace te
