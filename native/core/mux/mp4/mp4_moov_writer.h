// File-level boxes of an H.264 MP4 (ISO/IEC 14496-12 §4.3 ftyp, §8.2 moov … §8.5 stbl, §8.6.5
// edts/elst, §8.8.1 mvex; ISO/IEC 14496-15 §5.4.2 avc1/avcC).
//
//   ftyp
//   moov ─ mvhd
//        ├ trak ─ tkhd
//        │      ├ edts ─ elst            (when the first frame's composition time is not 0)
//        │      └ mdia ─ mdhd, hdlr('vide')
//        │             └ minf ─ vmhd, dinf ─ dref ─ url
//        │                    └ stbl ─ stsd ─ avc1 ─ avcC
//        │                           ├ stts, [ctts], [stss], stsz, stsc, co64   (seekable)
//        │                           └ stts, stsc, stsz, stco (all empty)       (fragmented)
//        └ mvex ─ trex                   (fragmented only)
#pragma once
#include <cstdint>
#include <vector>

#include "mp4_box_writer.h"
#include "mp4_sample.h"

namespace te {

struct Mp4TrackInfo {
  uint32_t timescale = 90000;
  uint16_t width = 0;
  uint16_t height = 0;
  std::vector<uint8_t> avcc;  // AVCDecoderConfigurationRecord
  int64_t media_time = 0;     // edit list: media time presented at movie time 0 (the reorder delay)
};

// Fragmented files announce iso5/iso6 (§E: 'iso5' needs default-base-is-moof and tfdt), regular
// ones isom/iso2.
void write_mp4_ftyp(Mp4BoxWriter& w, bool fragmented);

// samples == nullptr: fragmented init segment (empty tables + mvex/trex). Otherwise a complete
// index where all samples form one chunk starting at file offset `chunk_offset`.
void write_mp4_moov(Mp4BoxWriter& w, const Mp4TrackInfo& track,
                    const std::vector<Mp4Sample>* samples, uint64_t chunk_offset);

}  // namespace te
