/**
 * TrackRecording's feedback policy, with a scripted TrackSource: PLIs while the core waits for a
 * keyframe, each missing sequence NACKed at most 3 times ≥ 150 ms apart, stop() idempotent.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

import { nowUs } from '../../../src/core/options.js';
import { Recorder, type OutputChunk } from '../../../src/core/recorder.js';
import { TrackRecording } from '../../../src/egress/track-recording.js';
import type { TrackSource, TrackSourceEvents } from '../../../src/livekit/track-source.js';
import { BACKEND, backendUnderTest } from '../../support/backend.js';
import { rtpPacket } from '../../support/rtp-builder.js';

class ScriptedSource extends EventEmitter<TrackSourceEvents> {
  plis = 0;
  nacks: number[][] = [];
  info = {} as TrackSource['info'];
  requestKeyframe(): void {
    this.plis++;
  }
  requestRetransmission(seqs: readonly number[]): void {
    this.nacks.push([...seqs]);
  }
  async close(): Promise<void> {}
}

describe(`TrackRecording (${BACKEND})`, () => {
  it('asks for keyframes while waiting and NACKs each gap at most 3 times', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    try {
      const source = new ScriptedSource();
      const rec = Recorder.withBackend(await backendUnderTest(), { codec: 'vp8', reorderWaitMs: 10_000 });
      const written: OutputChunk[] = [];
      const recording = new TrackRecording(source as unknown as TrackSource, rec, { write: (c) => written.push(...c) });
      // VP8 delta frames only (P=1, RFC 7741 §4.3 / RFC 6386 §9.1): the core waits for a keyframe.
      const delta = (seq: number) => rtpPacket({ seq, ts: seq * 3000, marker: true, pt: 96, payload: [0x10, 0x01, 0, 0] });
      // Arrival times on the clock TrackRecording polls with (the live path's clock).
      source.emit('rtp', delta(1), nowUs());
      source.emit('rtp', delta(5), nowUs() + 1000); // 2, 3, 4 missing
      for (let i = 0; i < 20; i++) vi.advanceTimersByTime(50); // 1 s of ticks
      expect(source.plis).toBeGreaterThan(0);
      const nacked = source.nacks.flat();
      for (const seq of [2, 3, 4]) expect(nacked.filter((s) => s === seq).length).toBe(3);
      expect(source.nacks.length).toBe(3); // three rounds ≥ 150 ms apart, all three seqs each time
      const stats = recording.stop();
      expect(recording.stop().packets).toBe(stats.packets);
      expect(stats.packets).toBe(2);
      expect(stats.nacksSent).toBe(9);
      expect(stats.maxGapMs).toBe(1);
      expect(source.listenerCount('rtp')).toBe(0);
      expect(written.every((c) => c.size > 0)).toBe(true);
      expect(stats.frames).toBe(0); // nothing decodable before a keyframe, so no media was written
      rec.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
