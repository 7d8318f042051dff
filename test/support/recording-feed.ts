/**
 * Real container bytes for output sinks: a Recorder (seekable + crash-safe, 1 s fragments, as the
 * service records) fed from a corpus stream looped into a long capture (long-capture.ts: sequence
 * numbers, RTP timestamps and arrival times continue), pushed as fast as the test wants.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { readCapture, selectStream } from '../../src/capture/index.js';
import type { CapturedPacket } from '../../src/capture/captured-packet.js';
import { CODECS, type CodecName } from '../../src/core/codec.js';
import { Recorder } from '../../src/core/recorder.js';
import type { OutputSink } from '../../src/egress/outputs/output-sink.js';
import { backendUnderTest } from './backend.js';
import { corpusPath } from './corpus.js';
import { writeCapture } from './long-capture.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RecordingFeed {
  /** Container bytes handed to the sink so far (appends and patches). */
  bytes = 0;
  private next = 0;

  private constructor(
    readonly rec: Recorder,
    private readonly packets: CapturedPacket[],
  ) {}

  /** `seconds` of corpus stream `stream` (e.g. 'h264-ffmpeg', 'vp8', 'opus-stereo') as one long stream. */
  static async create(stream: string, codec: CodecName, seconds: number): Promise<RecordingFeed> {
    const dir = mkdtempSync(join(tmpdir(), 'te-feed-'));
    try {
      const pcap = join(dir, 'long.pcap');
      writeCapture(pcap, [{ source: corpusPath(`captures/${stream}.pcap`), seconds }], CODECS[codec].clockRate);
      const packets = selectStream(readCapture(readFileSync(pcap)));
      const rec = Recorder.withBackend(await backendUnderTest(), { codec, seekable: true, crashSafe: true, fragmentMs: 1000 });
      return new RecordingFeed(rec, packets);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  get done(): boolean {
    return this.next >= this.packets.length;
  }

  /**
   * Pushes packets (writing the output to `sink`) until `bytes` of container in total were written
   * or the stream ends; yields to the event loop every `batch` packets (after `pauseMs`).
   */
  async feedUntil(sink: OutputSink, bytes: number, opts: { batch?: number; pauseMs?: number } = {}): Promise<void> {
    const batch = opts.batch ?? 200;
    while (this.bytes < bytes && !this.done) {
      for (let i = 0; i < batch && !this.done; i++) {
        const p = this.packets[this.next++]!;
        this.rec.push(p.data, p.timeUs);
      }
      this.write(sink, this.rec.read());
      await sleep(opts.pauseMs ?? 0);
    }
  }

  /** Feeds the rest of the stream over about `ms` of wall time. */
  async feedRestOver(sink: OutputSink, ms: number): Promise<void> {
    const steps = Math.max(1, Math.ceil(ms / 100));
    const batch = Math.ceil((this.packets.length - this.next) / steps);
    await this.feedUntil(sink, Infinity, { batch, pauseMs: 100 });
  }

  /** The recorder's finish (seekable: index appended, header fields patched) into the sink. */
  finishInto(sink: OutputSink): void {
    this.write(sink, this.rec.finish());
    this.rec.close();
  }

  private write(sink: OutputSink, chunks: ReturnType<Recorder['read']>): void {
    for (const c of chunks) this.bytes += c.size;
    sink.write(chunks);
  }
}
