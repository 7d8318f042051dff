// moof/traf/trun + mdat header; layout in mp4_fragment_writer.h.
#include "mp4_fragment_writer.h"

namespace te {

void write_mp4_fragment_header(Mp4BoxWriter& w, uint32_t sequence_number,
                               uint64_t base_media_decode_time,
                               const std::vector<Mp4Sample>& samples) {
  size_t moof_start = w.size();
  bool negative = false;
  uint64_t data_size = 0;
  for (const Mp4Sample& s : samples) {
    negative |= s.composition_offset < 0;
    data_size += s.size;
  }
  w.begin("moof");
  w.begin_full("mfhd", 0, 0);
  w.u32(sequence_number);
  w.end();
  w.begin("traf");
  w.begin_full("tfhd", 0, 0x020000);  // default-base-is-moof
  w.u32(1);                           // track_ID
  w.end();
  w.begin_full("tfdt", 1, 0);
  w.u64(base_media_decode_time);
  w.end();
  // 0x000001 data-offset-present, 0x000100 sample-duration-present, 0x000200 sample-size-present,
  // 0x000400 sample-flags-present, 0x000800 sample-composition-time-offsets-present.
  w.begin_full("trun", negative ? 1 : 0, 0x000F01);
  w.u32(static_cast<uint32_t>(samples.size()));
  size_t data_offset_pos = w.size();
  w.u32(0);  // data_offset, patched below
  for (const Mp4Sample& s : samples) {
    w.u32(s.duration);
    w.u32(s.size);
    w.u32(s.keyframe ? kMp4SyncSampleFlags : kMp4NonSyncSampleFlags);
    w.u32(static_cast<uint32_t>(s.composition_offset));
  }
  w.end();  // trun
  w.end();  // traf
  w.end();  // moof
  size_t moof_size = w.size() - moof_start;
  w.patch_u32(data_offset_pos, static_cast<uint32_t>(moof_size + 8));
  // §8.1.1 mdat; a fragment above 4 GiB is impossible here (fragments are seconds long).
  w.u32(static_cast<uint32_t>(8 + data_size));
  w.fourcc("mdat");
}

}  // namespace te
