import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';

import { CODECS, type CodecName, codecFromEncodingName } from '../core/codec.js';
import { Recorder } from '../core/recorder.js';
import { TrackRecording } from './track-recording.js';
import { ChunkFileWriter } from '../io/chunk-file-writer.js';
import { subscribeTrack } from '../livekit/subscribe-track.js';
import type { TrackEndReason, TrackSource } from '../livekit/track-source.js';

export type RecordOptions = {
  url: string;
  apiKey?: string;
  apiSecret?: string;
  token?: string;
  room: string;
  track: string;
  /** File path, or a directory (ends with "/" or exists): then `<track>-<time><ext>` inside it. */
  output: string;
  /** Stop after this many seconds (default: when the track ends, or on SIGINT/SIGTERM). */
  durationSec?: number;
  trackTimeoutMs?: number;
  identity?: string;
};

export type RecordSummary = {
  codec: CodecName;
  output: string;
  packets: number;
  lost: number;
  frames: number;
  durationSec: number;
  bytes: number;
  endReason: TrackEndReason | 'duration' | 'signal';
};

/** Fragment / cluster / page length of `record` files: what a crash can lose at most, about. */
export const RECORD_FRAGMENT_MS = 1000;

/** LiveKit's file naming (shared/reference: `<track_id>-<YYYY-MM-DDTHHMMSS><ext>`, known ext replaced). */
export function outputPath(output: string, trackSid: string, ext: string, now = new Date()): string {
  const isDir = output.endsWith('/') || (existsSync(output) && statSync(output).isDirectory());
  if (isDir) {
    const t = now.toISOString().replace(/[-:]/g, '').slice(0, 15); // 20261124T021900
    const stamp = `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 15)}`;
    return join(output, `${trackSid}-${stamp}${ext}`);
  }
  const known = ['.raw', '.ogg', '.mp3', '.ivf', '.mp4', '.ts', '.webm', '.m3u8', '.jpeg'];
  const cur = extname(output).toLowerCase();
  if (cur === ext) return output;
  return (known.includes(cur) ? output.slice(0, -cur.length) : output) + ext;
}

/**
 * Records one track of a LiveKit room into a local file: subscribes as a hidden recorder and runs a
 * TrackRecording (RTP → core → file, with PLI/NACK feedback) until the track ends, the duration
 * passes, or SIGINT/SIGTERM. The file is crash-safe (see RecorderOptions.crashSafe): written as
 * the media comes, in pieces of RECORD_FRAGMENT_MS, and indexed at a clean end.
 */
export async function record(opts: RecordOptions, log: (line: string) => void = () => {}): Promise<RecordSummary> {
  const identity = opts.identity ?? `EG_cli_${Math.random().toString(36).slice(2, 10)}`;
  const source: TrackSource = await subscribeTrack({
    url: opts.url,
    token: opts.token,
    apiKey: opts.apiKey,
    apiSecret: opts.apiSecret,
    roomName: opts.room,
    identity,
    trackSid: opts.track,
    trackTimeoutMs: opts.trackTimeoutMs,
  });
  const codec = codecFromEncodingName(source.info.codec.mimeType)!; // subscribeTrack rejects others
  const fmtp = source.info.codec.fmtp;
  const channels = (fmtp['sprop-stereo'] ?? fmtp['stereo']) === '0' ? 1 : 2;
  // Crash-safe: media reaches the file in ~1 s pieces as it comes (fragmented MP4, WebM clusters,
  // Ogg pages), so a kill -9 or a power loss loses about the last second; a clean stop adds the
  // index (durations, mfra / Cues).
  const rec = await Recorder.create({ codec, channels, seekable: true, crashSafe: true, fragmentMs: RECORD_FRAGMENT_MS, fmtp });
  const path = outputPath(opts.output, opts.track, CODECS[codec].extension);
  mkdirSync(dirname(path), { recursive: true });
  const writer = new ChunkFileWriter(path);
  log(`recording ${source.info.kind} ${source.info.codec.mimeType} track ${opts.track} of ${source.info.publisherIdentity} → ${path}`);

  const recording = new TrackRecording(source, rec, { write: (chunks) => writer.write(chunks) });
  source.once('rtp', () => log('receiving RTP'));
  source.on('muted', () => log('track muted'));
  source.on('unmuted', () => log('track unmuted'));
  source.on('connectionLost', (why) => log(`connection lost (${why}), recovering`));
  source.on('resumed', () => log('connection recovered'));

  const endReason = await new Promise<RecordSummary['endReason']>((resolve) => {
    const done = (why: RecordSummary['endReason']) => {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      resolve(why);
    };
    const onSignal = () => done('signal');
    source.once('ended', (why) => done(why));
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    if (opts.durationSec) setTimeout(() => done('duration'), opts.durationSec * 1000).unref();
  });
  const s = recording.stop();
  writer.close();
  rec.close();
  await source.close();
  return {
    codec,
    output: path,
    packets: s.packets,
    lost: s.lost,
    frames: s.frames,
    durationSec: s.durationUs / 1e6,
    bytes: writer.size,
    endReason,
  };
}
