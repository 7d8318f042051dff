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
//        └ mvex ─ [mehd], trex           (fragmented only; mehd in the crash-safe layout)
//
//   mfra ─ tfra, mfro                    (crash-safe layout, appended at a clean end)
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

// Fragmented init segment of the crash-safe layout: every box that holds a duration is version 1
// and an mehd is present, so the moov written again at the end with the final `duration` (0 while
// unknown) has exactly the same size and overwrites it in place.
void write_mp4_indexable_init_moov(Mp4BoxWriter& w, const Mp4TrackInfo& track, uint64_t duration);

// One entry of the track fragment random access box (§8.8.10): a sync sample.
struct Mp4RandomAccessPoint {
  uint64_t time = 0;         // presentation time of the sync sample (media timescale)
  uint64_t moof_offset = 0;  // file offset of the moof holding it
  uint32_t sample_number = 1;  // 1-based, in the fragment's (only) trun
};

// §8.8.9 mfra ─ §8.8.10 tfra (track 1) + §8.8.11 mfro, appended at the very end of the file.
void write_mp4_mfra(Mp4BoxWriter& w, const std::vector<Mp4RandomAccessPoint>& points);

}  // namespace te
