// Helpers for the H.264 tests: real parameter sets, synthetic slices and RTP packets.
#pragma once
#include <cstdint>
#include <deque>
#include <vector>

#include "core/media/packet_hold.h"
#include "core/rtp/rtp_packet.h"

namespace te_test {

// Real parameter sets produced by `ffmpeg -f lavfi -i testsrc=size=320x240:rate=30
// -pix_fmt yuv420p -c:v libx264 -profile:v high -bf 2 -t 1 -bsf:v h264_mp4toannexb` (x264,
// High@1.3, 320x240, pic_order_cnt_type 0), the first NAL units of the Annex B output.
inline const std::vector<uint8_t> kHighSps = {0x67, 0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x41, 0xfb,
                                              0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00,
                                              0x03, 0x03, 0xc0, 0xf1, 0x42, 0x99, 0x60};
inline const std::vector<uint8_t> kHighPps = {0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0};
// Same tool, `testsrc=size=322x242 ... -profile:v baseline`: 336x256 coded, cropped to 322x242.
inline const std::vector<uint8_t> kBaselineSps = {0x67, 0x42, 0xc0, 0x0d, 0xd9, 0x01, 0x50, 0x87, 0x88,
                                                  0x88, 0xc0, 0x44, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00,
                                                  0x00, 0x03, 0x00, 0xf0, 0x3c, 0x50, 0xa9, 0x20};
inline const std::vector<uint8_t> kBaselinePps = {0x68, 0xcb, 0x83, 0xcb, 0x20};

class BitWriter {
 public:
  void bits(uint32_t v, int n) {
    for (int i = n - 1; i >= 0; i--) bit((v >> i) & 1);
  }
  void ue(uint32_t v) {
    uint64_t x = uint64_t{v} + 1;
    int len = 0;
    while ((x >> len) > 1) len++;
    bits(0, len);
    bits(static_cast<uint32_t>(x), len + 1);
  }
  void bit(uint32_t b) {
    if (n_ % 8 == 0) out_.push_back(0);
    if (b) out_.back() |= static_cast<uint8_t>(0x80 >> (n_ % 8));
    n_++;
  }
  std::vector<uint8_t> finish() {
    bit(1);  // rbsp_stop_one_bit
    while (n_ % 8) bit(0);
    return out_;
  }

 private:
  std::vector<uint8_t> out_;
  size_t n_ = 0;
};

// A slice NAL: header, first_mb_in_slice, slice_type, pps_id 0, frame_num (log2 bits), filler.
inline std::vector<uint8_t> make_slice(uint8_t type, uint8_t nri, uint32_t frame_num,
                                       uint32_t slice_type, size_t filler = 40,
                                       uint32_t first_mb = 0, uint32_t log2_max_frame_num = 4) {
  BitWriter bw;
  bw.ue(first_mb);
  bw.ue(slice_type);
  bw.ue(0);
  bw.bits(frame_num, static_cast<int>(log2_max_frame_num));
  std::vector<uint8_t> v = bw.finish();
  v.insert(v.begin(), static_cast<uint8_t>((nri << 5) | type));
  for (size_t i = 0; i < filler; i++) v.push_back(static_cast<uint8_t>(0x11 + i));
  return v;
}

// Owns packet buffers for the lifetime of a test and hands out RtpPacket views.
class PacketFactory {
 public:
  te::RtpPacket make(uint16_t seq, uint32_t ts, bool marker, const std::vector<uint8_t>& payload) {
    std::vector<uint8_t> buf(12, 0);
    buf[0] = 0x80;
    buf[1] = static_cast<uint8_t>((marker ? 0x80 : 0) | 96);
    buf[2] = static_cast<uint8_t>(seq >> 8);
    buf[3] = static_cast<uint8_t>(seq);
    buf[4] = static_cast<uint8_t>(ts >> 24);
    buf[5] = static_cast<uint8_t>(ts >> 16);
    buf[6] = static_cast<uint8_t>(ts >> 8);
    buf[7] = static_cast<uint8_t>(ts);
    buf.insert(buf.end(), payload.begin(), payload.end());
    store_.push_back(std::move(buf));
    const std::vector<uint8_t>& b = store_.back();
    te::RtpPacket p;
    p.id = next_id_++;
    p.bytes = te::ByteView(b.data(), b.size());
    p.marker = marker;
    p.payload_type = 96;
    p.sequence = seq;
    p.timestamp = ts;
    p.payload = te::ByteView(b.data() + 12, b.size() - 12);
    p.ext_sequence = seq;
    p.ext_timestamp = ts;
    return p;
  }
  te::ReleaseList released;
  te::PacketHold hold(const te::RtpPacket& p) { return te::PacketHold(&released, p.id); }

 private:
  std::deque<std::vector<uint8_t>> store_;
  uint32_t next_id_ = 1;
};

inline std::vector<uint8_t> stap_a(const std::vector<std::vector<uint8_t>>& nals, uint8_t nri = 3) {
  std::vector<uint8_t> v{static_cast<uint8_t>((nri << 5) | 24)};
  for (const auto& n : nals) {
    v.push_back(static_cast<uint8_t>(n.size() >> 8));
    v.push_back(static_cast<uint8_t>(n.size()));
    v.insert(v.end(), n.begin(), n.end());
  }
  return v;
}

// Splits `nal` into FU-A payloads of at most `chunk` NAL payload bytes each.
inline std::vector<std::vector<uint8_t>> fu_a(const std::vector<uint8_t>& nal, size_t chunk) {
  std::vector<std::vector<uint8_t>> out;
  uint8_t ind = static_cast<uint8_t>((nal[0] & 0xE0) | 28);
  size_t pos = 1;
  while (pos < nal.size()) {
    size_t n = std::min(chunk, nal.size() - pos);
    uint8_t fh = nal[0] & 0x1F;
    if (pos == 1) fh |= 0x80;
    if (pos + n == nal.size()) fh |= 0x40;
    std::vector<uint8_t> p{ind, fh};
    p.insert(p.end(), nal.begin() + static_cast<long>(pos), nal.begin() + static_cast<long>(pos + n));
    out.push_back(std::move(p));
    pos += n;
  }
  return out;
}

// Joins a frame's chain into one buffer (test inspection only).
template <class Chain>
std::vector<uint8_t> flatten(const Chain& c) {
  std::vector<uint8_t> v(c.size());
  c.copy_out(v.data(), v.size());
  return v;
}

}  // namespace te_test
