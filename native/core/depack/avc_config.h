// AVCDecoderConfigurationRecord builder (ISO/IEC 14496-15 §5.3.3.1), the payload of the 'avcC'
// box in MP4 and of CodecPrivate for V_MPEG4/ISO/AVC in Matroska.
//
//   configurationVersion u8 = 1 | AVCProfileIndication u8 | profile_compatibility u8
//   AVCLevelIndication u8 | '111111'b + lengthSizeMinusOne u2 (= 3: 4-byte NAL lengths)
//   '111'b + numOfSequenceParameterSets u5 | { sequenceParameterSetLength u16, SPS NAL }*
//   numOfPictureParameterSets u8 | { pictureParameterSetLength u16, PPS NAL }*
//   if profile_idc is 100, 110, 122 or 144:
//     '111111'b + chroma_format u2 | '11111'b + bit_depth_luma_minus8 u3
//     '11111'b + bit_depth_chroma_minus8 u3 | numOfSequenceParameterSetExt u8 (= 0)
#pragma once
#include <cstdint>
#include <vector>

namespace te {

// Builds the record from raw SPS/PPS NAL units (NAL header included, no start codes). The first
// SPS supplies profile/level. Returns an empty vector when there is no parsable SPS or no PPS,
// or a parameter set does not fit a 16-bit length.
std::vector<uint8_t> build_avc_config(const std::vector<std::vector<uint8_t>>& sps,
                                      const std::vector<std::vector<uint8_t>>& pps);

}  // namespace te
