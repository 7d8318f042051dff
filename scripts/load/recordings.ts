// N track recordings in this process, each its own subscription (subscribeTrack) → TrackRecording
// → a sink, as the egress benchmarks run them. The sink is chosen to tell costs apart:
//   'sync'  ChunkFileWriter (writevSync on the event loop: what `record` uses)
//   'async' the service's FileSink (src/egress/outputs/file-sink.ts) when it exists, else a small
//           fs/promises writer (AsyncFileWriter below, measurement only)
//   'null'  counts bytes, writes nothing (no disk at all)
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

import type { OutputChunk } from '../../src/core/recorder.js';
import { Recorder } from '../../src/core/recorder.js';
import { TrackRecording, type TrackRecordingStats } from '../../src/egress/track-recording.js';
import { ChunkFileWriter } from '../../src/io/chunk-file-writer.js';
import { subscribeTrack } from '../../src/livekit/subscribe-track.js';
import type { TrackSource } from '../../src/livekit/track-source.js';
import type { Load, LoadTrack } from './load-publishers.js';

export type SinkKind = 'sync' | 'async' | 'null';

type Sink = { write(chunks: readonly OutputChunk[]): void; finish(): Promise<void>; readonly label: string };

/** fs/promises writes in order, one writev per queued batch; what the service's FileSink does, minimal. */
class AsyncFileWriter implements Sink {
  readonly label = 'fs/promises writer (scripts/load)';
  private queue: OutputChunk[] = [];
  private busy: Promise<void> = Promise.resolve();
  constructor(private readonly fh: FileHandle) {}
  write(chunks: readonly OutputChunk[]): void {
    if (chunks.length === 0) return;
    const first = this.queue.length === 0;
    this.queue.push(...chunks);
    if (first) this.busy = this.busy.then(() => this.drain());
  }
  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue;
      this.queue = [];
      for (const c of batch) await this.fh.writev(c.data, c.offset);
    }
  }
  async finish(): Promise<void> {
    await this.busy;
    await this.fh.close();
  }
}

async function openSink(kind: SinkKind, path: string): Promise<Sink> {
  if (kind === 'null') return { label: 'null (count only)', write: () => {}, finish: async () => {} };
  if (kind === 'sync') {
    const w = new ChunkFileWriter(path);
    return { label: 'ChunkFileWriter (writevSync)', write: (c) => w.write(c), finish: async () => w.close() };
  }
  // The service's sink when it is there (helper svc-core); the import path is computed so that tsc
  // does not need the file.
  const fileSinkModule = '../../src/egress/outputs/file-sink.js';
  try {
    const { FileSink } = (await import(fileSinkModule)) as {
      FileSink: { open(p: string, o: { onFailure: (e: Error) => void }): Promise<{ write(c: readonly OutputChunk[]): void; finish(): Promise<unknown> }> };
    };
    const s = await FileSink.open(path, { onFailure: (e) => console.error(`[recordings] ${path}: ${e.message}`) });
    return { label: 'FileSink (src/egress/outputs/file-sink.ts)', write: (c) => s.write(c), finish: async () => void (await s.finish()) };
  } catch (err) {
    const missing = String((err as Error).message).split('imported from')[0]!;
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || !/file-sink\.[jt]s/.test(missing)) throw err;
    return new AsyncFileWriter(await open(path, 'w'));
  }
}

/** One running recording. */
export type LoadRecording = {
  track: LoadTrack;
  path: string;
  sinkLabel: string;
  source: TrackSource;
  recording: TrackRecording;
  /** Arrival gaps over `gapThresholdMs`: when (ms since the epoch) and how long (ms). */
  gaps: { atMs: number; ms: number }[];
  /** Stops and finishes the file; returns the recording's final stats. */
  stop(): Promise<TrackRecordingStats>;
};

/** Subscribes to `track` and records it into `dir` (`<sid>.ogg`). */
export async function startRecording(
  server: Load['server'],
  track: LoadTrack,
  opts: { dir: string; sink: SinkKind; gapThresholdMs?: number },
): Promise<LoadRecording> {
  const source = await subscribeTrack({
    ...server,
    roomName: track.room,
    identity: `EG_${track.sid}_${Math.random().toString(36).slice(2, 8)}`,
    trackSid: track.sid,
    bindAddress: '127.0.0.1',
  });
  const fmtp = source.info.codec.fmtp;
  const channels = (fmtp['sprop-stereo'] ?? fmtp['stereo']) === '0' ? 1 : 2;
  // The same Recorder options as `record` (src/egress/record.ts).
  const rec = await Recorder.create({ codec: 'opus', channels, seekable: true, crashSafe: true, fragmentMs: 1000, fmtp });
  const path = join(opts.dir, `${track.sid}.ogg`);
  const sink = await openSink(opts.sink, path);
  const recording = new TrackRecording(source, rec, { write: (chunks) => sink.write(chunks) });
  const gaps: LoadRecording['gaps'] = [];
  const threshold = opts.gapThresholdMs ?? 300;
  let last = 0;
  source.on('rtp', (_p, arrivalUs) => {
    if (last && arrivalUs - last > threshold * 1000) gaps.push({ atMs: Date.now(), ms: (arrivalUs - last) / 1000 });
    last = arrivalUs;
  });
  let stopped: Promise<TrackRecordingStats> | undefined;
  return {
    track, path, sinkLabel: sink.label, source, recording, gaps,
    stop: () =>
      (stopped ??= (async () => {
        const stats = recording.stop();
        await sink.finish();
        rec.close();
        await source.close();
        return stats;
      })()),
  };
}
