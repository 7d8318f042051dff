// ISO/IEC 14496-15 §5.3.3.1 AVCDecoderConfigurationRecord; layout in avc_config.h.
#include "avc_config.h"

#include "h264_sps_parser.h"

namespace te {

std::vector<uint8_t> build_avc_config(const std::vector<std::vector<uint8_t>>& sps,
                                      const std::vector<std::vector<uint8_t>>& pps) {
  std::vector<uint8_t> out;
  if (sps.empty() || pps.empty() || sps.size() > 31 || pps.size() > 255) return out;
  H264Sps s;
  if (!parse_h264_sps(sps[0].data(), sps[0].size(), s)) return out;
  for (const auto& v : sps)
    if (v.empty() || v.size() > 0xFFFF) return out;
  for (const auto& v : pps)
    if (v.empty() || v.size() > 0xFFFF) return out;

  out.push_back(1);                    // configurationVersion
  out.push_back(sps[0][1]);            // AVCProfileIndication = profile_idc
  out.push_back(sps[0][2]);            // profile_compatibility = constraint flags byte
  out.push_back(sps[0][3]);            // AVCLevelIndication = level_idc
  out.push_back(0xFC | 3);             // reserved '111111' + lengthSizeMinusOne = 3
  out.push_back(static_cast<uint8_t>(0xE0 | sps.size()));  // reserved '111' + numOfSPS
  auto put = [&out](const std::vector<uint8_t>& nal) {
    out.push_back(static_cast<uint8_t>(nal.size() >> 8));
    out.push_back(static_cast<uint8_t>(nal.size()));
    out.insert(out.end(), nal.begin(), nal.end());
  };
  for (const auto& v : sps) put(v);
  out.push_back(static_cast<uint8_t>(pps.size()));
  for (const auto& v : pps) put(v);
  uint8_t p = s.profile_idc;
  if (p == 100 || p == 110 || p == 122 || p == 144) {
    out.push_back(static_cast<uint8_t>(0xFC | (s.chroma_format_idc & 3)));
    out.push_back(static_cast<uint8_t>(0xF8 | ((s.bit_depth_luma - 8) & 7)));
    out.push_back(static_cast<uint8_t>(0xF8 | ((s.bit_depth_chroma - 8) & 7)));
    out.push_back(0);  // numOfSequenceParameterSetExt
  }
  return out;
}

}  // namespace te
