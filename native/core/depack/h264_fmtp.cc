// RFC 6184 §8.1 fmtp parameters for H.264; overview in h264_fmtp.h.
#include "h264_fmtp.h"

#include "h264_nal.h"
#include "h264_slice_parser.h"
#include "h264_sps_parser.h"

namespace te {

namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r' || s[b] == '\n')) b++;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r' || s[e - 1] == '\n')) e--;
  return s.substr(b, e - b);
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string shown(const std::string& v) {
  return "\"" + (v.size() > 40 ? v.substr(0, 40) + "..." : v) + "\"";
}

// sprop-parameter-sets (§8.1): comma-separated base64 NAL units, SPS and PPS only.
bool parse_sprop(const std::string& value, H264Fmtp& out, std::string& error) {
  size_t start = 0, item = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string::npos) comma = value.size();
    std::string b64 = value.substr(start, comma - start);
    start = comma + 1;
    item++;
    const std::string where = "sprop-parameter-sets item " + std::to_string(item);
    std::vector<uint8_t> nal;
    if (b64.empty()) {
      error = where + " is empty";
      return false;
    }
    if (!decode_base64(b64, nal) || nal.empty()) {
      error = where + " is not valid base64: " + shown(b64);
      return false;
    }
    uint8_t type = h264::nal_type(nal[0]);
    if (h264::nal_forbidden_bit(nal[0]) || (type != h264::kSps && type != h264::kPps)) {
      error = where + " is not an SPS or PPS NAL unit (NAL type " + std::to_string(type) + ")";
      return false;
    }
    if (nal.size() > 0xFFFF) {  // avcC stores parameter set lengths in 16 bits (ISO/IEC 14496-15)
      error = where + " is too large (" + std::to_string(nal.size()) + " bytes)";
      return false;
    }
    if (type == h264::kSps) {
      H264Sps sps;
      if (!parse_h264_sps(nal.data(), nal.size(), sps)) {
        error = where + " is a malformed SPS";
        return false;
      }
    } else {
      H264PpsIds ids;
      if (!parse_h264_pps_ids(nal.data(), nal.size(), ids)) {
        error = where + " is a malformed PPS";
        return false;
      }
    }
    out.parameter_sets.push_back(std::move(nal));
    if (comma == value.size()) break;
  }
  return true;
}

}  // namespace

bool decode_base64(const std::string& in, std::vector<uint8_t>& out) {
  out.clear();
  size_t n = in.size();
  size_t pad = 0;
  while (n > 0 && in[n - 1] == '=' && pad < 2) {
    n--;
    pad++;
  }
  if (pad && (n + pad) % 4 != 0) return false;  // padded input comes in whole quanta (§4)
  if (n % 4 == 1) return false;                  // 6 bits cannot end a byte
  out.reserve(n * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    int v = base64_value(in[i]);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
      acc &= (1u << bits) - 1;
    }
  }
  return acc == 0;  // §3.5: the unused low bits of the last character must be zero
}

FmtpResult parse_h264_fmtp(const std::string& text, H264Fmtp& out, std::string& error) {
  out = H264Fmtp();
  size_t start = 0;
  while (start <= text.size()) {
    size_t semi = text.find(';', start);
    if (semi == std::string::npos) semi = text.size();
    std::string item = trim(text.substr(start, semi - start));
    start = semi + 1;
    size_t eq = item.find('=');
    if (eq != std::string::npos) {
      std::string key = lower(trim(item.substr(0, eq)));
      std::string value = trim(item.substr(eq + 1));
      if (key == "sprop-parameter-sets") {
        out.parameter_sets.clear();
        if (!parse_sprop(value, out, error)) return FmtpResult::kInvalid;
      } else if (key == "packetization-mode") {
        if (value == "0" || value == "1") {
          out.packetization_mode = static_cast<uint32_t>(value[0] - '0');
        } else if (value == "2") {
          error = "H.264 packetization-mode=2 (interleaved, RFC 6184 §6.4) is not supported";
          return FmtpResult::kUnsupported;
        } else {
          error = "packetization-mode must be 0, 1 or 2, got " + shown(value);
          return FmtpResult::kInvalid;
        }
      } else if (key == "profile-level-id") {
        uint32_t v = 0;
        bool ok = value.size() == 6;
        for (size_t i = 0; ok && i < 6; i++) {
          int h = hex_value(value[i]);
          ok = h >= 0;
          v = (v << 4) | static_cast<uint32_t>(h < 0 ? 0 : h);
        }
        if (!ok) {
          error = "profile-level-id must be 6 hexadecimal digits, got " + shown(value);
          return FmtpResult::kInvalid;
        }
        out.profile_level_id = v;
      }
      // Other keys (level-asymmetry-allowed, max-mbps, sprop-level-parameter-sets, ...) do not
      // change how the stream is depacketized or stored.
    }
    if (semi == text.size()) break;
  }
  return FmtpResult::kOk;
}

}  // namespace te
