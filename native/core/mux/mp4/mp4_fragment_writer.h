// Movie fragment header for one track (ISO/IEC 14496-12 §8.8.4 moof … §8.8.8 trun, §8.8.12 tfdt).
//
//   moof ─ mfhd (sequence_number)
//        └ traf ─ tfhd (flags default-base-is-moof 0x020000, track_ID 1)
//               ├ tfdt (version 1: 64-bit baseMediaDecodeTime)
//               └ trun (flags 0xF01: data-offset, and per sample duration, size, flags,
//                       composition time offset; version 1 = signed offsets when one is < 0)
//   mdat header (8 bytes) follows; trun.data_offset = moof size + 8 (relative to the moof start).
#pragma once
#include <cstdint>
#include <vector>

#include "mp4_box_writer.h"
#include "mp4_sample.h"

namespace te {

// Writes moof + the 8-byte mdat header for `samples`, whose data (sum of sizes) must follow.
void write_mp4_fragment_header(Mp4BoxWriter& w, uint32_t sequence_number,
                               uint64_t base_media_decode_time,
                               const std::vector<Mp4Sample>& samples);

}  // namespace te
