// Feeds a TrackSource (src/livekit/) into the media core's Recorder the way the egress layer will:
// RTP in, keyframe requests → PLI, missing sequences → NACK, chunks written with positioned writes.
import { Recorder, type RecorderStats } from '../../src/core/recorder.js';
import { codecFromEncodingName } from '../../src/core/codec.js';
import { TrackRecording } from '../../src/egress/track-recording.js';
import { ChunkFileWriter } from '../../src/io/chunk-file-writer.js';
import type { TrackSource } from '../../src/livekit/track-source.js';
import { run } from './ffmpeg.js';

export type RecordResult = {
  packets: number;
  /** Arrival times of the first and last packet pushed, µs. */
  firstArrivalUs: number;
  lastArrivalUs: number;
  /** Largest gap between consecutive arrivals, ms. */
  maxGapMs: number;
  stats: RecorderStats;
  file: string;
};

/**
 * Records a source into `file` (seekable: regular MP4 / WebM with cues / Ogg) until `ms` have passed
 * since the first packet (ICE + DTLS take ~1 s after subscribeTrack() resolves); at most `ms` + 10 s.
 */
export async function recordSource(source: TrackSource, ms: number, file: string): Promise<RecordResult> {
  const codec = codecFromEncodingName(source.info.codec.mimeType);
  if (!codec) throw new Error(`no core codec for ${source.info.codec.mimeType}`);
  const opus = codec === 'opus';
  const rec = await Recorder.create({ codec, seekable: true, fmtp: source.info.codec.fmtp, ...(opus ? { channels: 1 as const } : {}) });
  const out = new ChunkFileWriter(file);
  const recording = new TrackRecording(source, rec, { write: (chunks) => out.write(chunks) });
  let stats;
  try {
    const giveUp = Date.now() + ms + 10_000;
    while (Date.now() < giveUp && recording.receivedMs < ms) await new Promise((r) => setTimeout(r, 20));
  } finally {
    stats = recording.stop();
    rec.close();
    out.close();
  }
  return { packets: stats.packets, firstArrivalUs: stats.firstArrivalUs, lastArrivalUs: stats.lastArrivalUs, maxGapMs: stats.maxGapMs, stats, file };
}

export type ProbeResult = { codec: string; frames: number; durationS: number; width?: number; height?: number };

/** ffprobe of the first stream: codec, decoded frame count (-count_frames) and container duration. */
export function probe(file: string): ProbeResult {
  const r = run('ffprobe', [
    '-v', 'error', '-count_frames', '-select_streams', '0',
    '-show_entries', 'stream=codec_name,nb_read_frames,width,height:format=duration',
    '-of', 'json', file,
  ]);
  if (r.status !== 0) throw new Error(`ffprobe ${file}: ${r.stderr}`);
  const j = JSON.parse(r.stdout) as {
    streams: Array<{ codec_name: string; nb_read_frames?: string; width?: number; height?: number }>;
    format: { duration?: string };
  };
  const s = j.streams[0]!;
  return {
    codec: s.codec_name,
    frames: Number(s.nb_read_frames ?? 0),
    durationS: Number(j.format.duration ?? NaN),
    ...(s.width !== undefined ? { width: s.width } : {}),
    ...(s.height !== undefined ? { height: s.height } : {}),
  };
}
