/**
 * The RTP time line checked against the arrival clock (native/core/rtp/rtp_timeline.h), on real
 * RTP from GStreamer/ffmpeg: no capture of the corpus — paced with real arrival times, clean or
 * impaired (loss, burst loss, reordering, duplicates, injected garbage), in every capture format —
 * has a single packet flagged as a timestamp outlier or re-based, and neither have the bare RFC
 * 4571 streams pushed with one constant arrival time (a caller without a clock). Runs once per
 * backend (TRACK_EGRESS_BACKEND).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { readCapture, selectStream } from '../../src/capture/index.js';
import { BACKEND } from '../support/backend.js';
import { pcmStats, recorderStats } from '../support/core-run.js';
import { corpusPath, itCoversAtLeast, loadCorpus } from '../support/corpus.js';

const corpus = loadCorpus();

describe(`RTP time line vs arrival time on the corpus (${BACKEND})`, () => {
  itCoversAtLeast(corpus.files, 32, 'capture files');
  itCoversAtLeast(corpus.streams, 9, 'RTP streams');

  for (const f of corpus.files) {
    it(`${f.path}: no timestamp outlier, no re-base`, async () => {
      const stream = corpus.streams.find((s) => s.name === f.stream)!;
      const packets = selectStream(readCapture(new Uint8Array(readFileSync(corpusPath(f.path)))), { ssrc: f.ssrc });
      expect(packets.length).toBeGreaterThan(50);
      const s = await recorderStats(f.codec, stream.channels, packets);
      expect(s.frames).toBeGreaterThan(0);
      expect(s.timestampOutliers).toBe(0);
      expect(s.timestampRebases).toBe(0);
      expect(s.padding).toBe(0);
      if (f.codec === 'opus') {
        const p = await pcmStats(stream.channels, packets);
        expect(p.timestampOutliers).toBe(0);
        expect(p.timestampRebases).toBe(0);
        // The PCM time line has the length of the RTP time line (± one 120 ms packet).
        expect(Math.abs(p.samples / 2 / 48000 - stream.durationMs / 1000)).toBeLessThan(0.2);
      }
    });
  }

  for (const s of corpus.streams) {
    it(`${s.rtp}: one constant arrival time for every packet triggers nothing`, async () => {
      const packets = readCapture(new Uint8Array(readFileSync(corpusPath(s.rtp))), { format: 'rfc4571' }).map(
        (p) => ({ data: p.data, timeUs: 1_000_000 }),
      );
      const st = await recorderStats(s.codec, s.channels, packets);
      expect(st.frames).toBeGreaterThan(0);
      expect(st.timestampOutliers).toBe(0);
      expect(st.timestampRebases).toBe(0);
    });
  }
});
