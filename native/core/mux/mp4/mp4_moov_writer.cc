// ftyp and moov for one H.264 video track; the box tree is drawn in mp4_moov_writer.h.
#include "mp4_moov_writer.h"

namespace te {

namespace {

uint64_t total_duration(const std::vector<Mp4Sample>* samples) {
  uint64_t d = 0;
  if (samples)
    for (const Mp4Sample& s : *samples) d += s.duration;
  return d;
}

// The times both mvhd (§8.2.2) and mdhd (§8.4.2) start with: creation_time, modification_time
// (0: no clock in the core), timescale, duration — 64-bit fields in version 1, else 32-bit.
void write_times(Mp4BoxWriter& w, uint32_t timescale, uint64_t duration, bool v1) {
  if (v1) {
    w.u64(0);
    w.u64(0);
    w.u32(timescale);
    w.u64(duration);
  } else {
    w.u32(0);
    w.u32(0);
    w.u32(timescale);
    w.u32(static_cast<uint32_t>(duration));
  }
}

// §8.2.2 mvhd. Version 1 when a duration needs 64 bits (or `v1`: fixed size, patched in place).
void write_mvhd(Mp4BoxWriter& w, uint32_t timescale, uint64_t duration, bool v1) {
  v1 = v1 || duration > UINT32_MAX;
  w.begin_full("mvhd", v1 ? 1 : 0, 0);
  write_times(w, timescale, duration, v1);
  w.u32(0x00010000);  // rate 1.0
  w.u16(0x0100);      // volume 1.0
  w.zeros(2 + 8);     // reserved
  w.unity_matrix();
  w.zeros(6 * 4);     // pre_defined
  w.u32(2);           // next_track_ID
  w.end();
}

// §8.3.2 tkhd: flags track_enabled | track_in_movie.
void write_tkhd(Mp4BoxWriter& w, const Mp4TrackInfo& t, uint64_t duration, bool v1) {
  v1 = v1 || duration > UINT32_MAX;
  w.begin_full("tkhd", v1 ? 1 : 0, 0x000003);
  if (v1) {
    w.u64(0);
    w.u64(0);
    w.u32(1);  // track_ID
    w.u32(0);  // reserved
    w.u64(duration);
  } else {
    w.u32(0);
    w.u32(0);
    w.u32(1);
    w.u32(0);
    w.u32(static_cast<uint32_t>(duration));
  }
  w.zeros(8);     // reserved
  w.u16(0);       // layer
  w.u16(0);       // alternate_group
  w.u16(0);       // volume: 0 for video
  w.u16(0);       // reserved
  w.unity_matrix();
  w.u32(uint32_t{t.width} << 16);   // 16.16 fixed point
  w.u32(uint32_t{t.height} << 16);
  w.end();
}

// §8.6.5 edts / §8.6.6 elst: one edit that starts presentation at media time `media_time`.
// segment_duration 0 in a fragmented file: the duration is not known when the moov is written.
void write_edts(Mp4BoxWriter& w, int64_t media_time, uint64_t segment_duration, bool v1) {
  v1 = v1 || segment_duration > UINT32_MAX || media_time > INT32_MAX;
  w.begin("edts");
  w.begin_full("elst", v1 ? 1 : 0, 0);
  w.u32(1);  // entry_count
  if (v1) {
    w.u64(segment_duration);
    w.u64(static_cast<uint64_t>(media_time));
  } else {
    w.u32(static_cast<uint32_t>(segment_duration));
    w.i32(static_cast<int32_t>(media_time));
  }
  w.u16(1);  // media_rate_integer
  w.u16(0);  // media_rate_fraction
  w.end();
  w.end();
}

// §8.4.2 mdhd, language 'und' packed as three 5-bit letters (ISO 639-2/T).
void write_mdhd(Mp4BoxWriter& w, uint32_t timescale, uint64_t duration, bool v1) {
  v1 = v1 || duration > UINT32_MAX;
  w.begin_full("mdhd", v1 ? 1 : 0, 0);
  write_times(w, timescale, duration, v1);
  w.u16(0x55C4);  // 'und'
  w.u16(0);       // pre_defined
  w.end();
}

// §8.4.3 hdlr.
void write_hdlr(Mp4BoxWriter& w) {
  static const char kName[] = "VideoHandler";
  w.begin_full("hdlr", 0, 0);
  w.u32(0);  // pre_defined
  w.fourcc("vide");
  w.zeros(12);  // reserved
  w.bytes(reinterpret_cast<const uint8_t*>(kName), sizeof(kName));  // includes the NUL
  w.end();
}

// §12.1.5 VisualSampleEntry 'avc1' with ISO/IEC 14496-15 §5.4.2.1 avcC.
void write_stsd(Mp4BoxWriter& w, const Mp4TrackInfo& t) {
  w.begin_full("stsd", 0, 0);
  w.u32(1);  // entry_count
  w.begin("avc1");
  w.zeros(6);       // SampleEntry reserved
  w.u16(1);         // data_reference_index
  w.u16(0);         // pre_defined
  w.u16(0);         // reserved
  w.zeros(12);      // pre_defined[3]
  w.u16(t.width);
  w.u16(t.height);
  w.u32(0x00480000);  // horizresolution 72 dpi
  w.u32(0x00480000);  // vertresolution
  w.u32(0);           // reserved
  w.u16(1);           // frame_count
  w.zeros(32);        // compressorname (empty Pascal string)
  w.u16(0x0018);      // depth
  w.u16(0xFFFF);      // pre_defined = -1
  w.begin("avcC");
  w.bytes(t.avcc);
  w.end();
  w.end();
  w.end();
}

void write_sample_tables(Mp4BoxWriter& w, const std::vector<Mp4Sample>& s, uint64_t chunk_offset) {
  // §8.6.1.2 stts: run-length (count, delta).
  std::vector<std::pair<uint32_t, uint32_t>> runs;
  for (const Mp4Sample& x : s) {
    if (!runs.empty() && runs.back().second == x.duration) runs.back().first++;
    else runs.push_back({1, x.duration});
  }
  w.begin_full("stts", 0, 0);
  w.u32(static_cast<uint32_t>(runs.size()));
  for (auto& r : runs) {
    w.u32(r.first);
    w.u32(r.second);
  }
  w.end();

  // §8.6.1.3 ctts, only when some composition time differs from the decoding time. Version 1
  // (signed offsets) only when one is negative.
  bool any = false, negative = false;
  for (const Mp4Sample& x : s) {
    any |= x.composition_offset != 0;
    negative |= x.composition_offset < 0;
  }
  if (any) {
    runs.clear();
    for (const Mp4Sample& x : s) {
      uint32_t off = static_cast<uint32_t>(x.composition_offset);
      if (!runs.empty() && runs.back().second == off) runs.back().first++;
      else runs.push_back({1, off});
    }
    w.begin_full("ctts", negative ? 1 : 0, 0);
    w.u32(static_cast<uint32_t>(runs.size()));
    for (auto& r : runs) {
      w.u32(r.first);
      w.u32(r.second);
    }
    w.end();
  }

  // §8.6.2 stss, omitted when every sample is a sync sample.
  uint32_t sync = 0;
  for (const Mp4Sample& x : s) sync += x.keyframe ? 1 : 0;
  if (sync != s.size()) {
    w.begin_full("stss", 0, 0);
    w.u32(sync);
    for (size_t i = 0; i < s.size(); i++)
      if (s[i].keyframe) w.u32(static_cast<uint32_t>(i + 1));
    w.end();
  }

  // §8.7.3.2 stsz: sample_size 0 = sizes listed.
  w.begin_full("stsz", 0, 0);
  w.u32(0);
  w.u32(static_cast<uint32_t>(s.size()));
  for (const Mp4Sample& x : s) w.u32(x.size);
  w.end();

  // §8.7.4 stsc: all samples in one chunk (they are written contiguously into one mdat).
  w.begin_full("stsc", 0, 0);
  if (s.empty()) {
    w.u32(0);
  } else {
    w.u32(1);
    w.u32(1);                                 // first_chunk
    w.u32(static_cast<uint32_t>(s.size()));  // samples_per_chunk
    w.u32(1);                                 // sample_description_index
  }
  w.end();

  // §8.7.5 co64: 64-bit chunk offsets (the file may pass 4 GiB).
  w.begin_full("co64", 0, 0);
  w.u32(s.empty() ? 0 : 1);
  if (!s.empty()) w.u64(chunk_offset);
  w.end();
}

void write_empty_tables(Mp4BoxWriter& w) {
  // Fragmented: samples live in moof/trun; the tables exist but hold no entries (§8.8.1).
  w.begin_full("stts", 0, 0);
  w.u32(0);
  w.end();
  w.begin_full("stsc", 0, 0);
  w.u32(0);
  w.end();
  w.begin_full("stsz", 0, 0);
  w.u32(0);
  w.u32(0);
  w.end();
  w.begin_full("stco", 0, 0);
  w.u32(0);
  w.end();
}

}  // namespace

void write_mp4_ftyp(Mp4BoxWriter& w, bool fragmented) {
  w.begin("ftyp");
  if (fragmented) {
    w.fourcc("iso5");  // major_brand
    w.u32(512);        // minor_version
    w.fourcc("iso5");
    w.fourcc("iso6");
    w.fourcc("avc1");
    w.fourcc("mp41");
  } else {
    w.fourcc("isom");
    w.u32(512);
    w.fourcc("isom");
    w.fourcc("iso2");
    w.fourcc("avc1");
    w.fourcc("mp41");
  }
  w.end();
}

namespace {

// samples: a complete index; otherwise a fragmented init segment (empty tables + mvex) whose
// durations are `fragmented_duration` (0 while unknown). fixed: version 1 for every box with a
// duration and an mehd, so the same moov with the final durations has exactly the same size.
void write_moov(Mp4BoxWriter& w, const Mp4TrackInfo& t, const std::vector<Mp4Sample>* samples,
                uint64_t chunk_offset, uint64_t fragmented_duration, bool fixed) {
  uint64_t duration = samples ? total_duration(samples) : fragmented_duration;
  w.begin("moov");
  write_mvhd(w, t.timescale, duration, fixed);  // movie timescale = media timescale
  w.begin("trak");
  write_tkhd(w, t, duration, fixed);
  if (t.media_time > 0) write_edts(w, t.media_time, duration, fixed);
  w.begin("mdia");
  write_mdhd(w, t.timescale, duration, fixed);
  write_hdlr(w);
  w.begin("minf");
  w.begin_full("vmhd", 0, 1);  // §12.1.2: flags = 1
  w.u16(0);                    // graphicsmode
  w.zeros(6);                  // opcolor
  w.end();
  w.begin("dinf");
  w.begin_full("dref", 0, 0);  // §8.7.2
  w.u32(1);
  w.begin_full("url ", 0, 1);  // flags 1: media data is in this file
  w.end();
  w.end();
  w.end();
  w.begin("stbl");
  write_stsd(w, t);
  if (samples) write_sample_tables(w, *samples, chunk_offset);
  else write_empty_tables(w);
  w.end();  // stbl
  w.end();  // minf
  w.end();  // mdia
  w.end();  // trak
  if (!samples) {
    w.begin("mvex");  // §8.8.1
    if (fixed) {
      w.begin_full("mehd", 1, 0);  // §8.8.2: fragment_duration of the whole movie, 0 = unknown
      w.u64(duration);
      w.end();
    }
    w.begin_full("trex", 0, 0);  // §8.8.3: defaults are overridden per sample in trun
    w.u32(1);                    // track_ID
    w.u32(1);                    // default_sample_description_index
    w.u32(0);                    // default_sample_duration
    w.u32(0);                    // default_sample_size
    w.u32(0);                    // default_sample_flags
    w.end();
    w.end();
  }
  w.end();  // moov
}

}  // namespace

void write_mp4_moov(Mp4BoxWriter& w, const Mp4TrackInfo& t, const std::vector<Mp4Sample>* samples,
                    uint64_t chunk_offset) {
  write_moov(w, t, samples, chunk_offset, 0, false);
}

void write_mp4_indexable_init_moov(Mp4BoxWriter& w, const Mp4TrackInfo& t, uint64_t duration) {
  write_moov(w, t, nullptr, 0, duration, true);
}

void write_mp4_mfra(Mp4BoxWriter& w, const std::vector<Mp4RandomAccessPoint>& points) {
  size_t start = w.size();
  w.begin("mfra");  // §8.8.9
  w.begin_full("tfra", 1, 0);  // §8.8.10, version 1: 64-bit time and moof_offset
  w.u32(1);                    // track_ID
  // reserved(26) | length_size_of_traf_num(2) = 0 | length_size_of_trun_num(2) = 0 |
  // length_size_of_sample_num(2) = 3: 1-byte traf and trun numbers, 4-byte sample number.
  w.u32(0x00000003);
  w.u32(static_cast<uint32_t>(points.size()));
  for (const Mp4RandomAccessPoint& p : points) {
    w.u64(p.time);
    w.u64(p.moof_offset);
    w.u8(1);  // traf_number (1-based)
    w.u8(1);  // trun_number
    w.u32(p.sample_number);
  }
  w.end();
  w.begin_full("mfro", 0, 0);  // §8.8.11: size of the enclosing mfra, mfro included
  size_t size_pos = w.size();
  w.u32(0);
  w.end();
  w.end();  // mfra
  w.patch_u32(size_pos, static_cast<uint32_t>(w.size() - start));
}

}  // namespace te
