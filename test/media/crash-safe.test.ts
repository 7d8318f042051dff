/**
 * Crash safety of a Recorder writing a file (issue 6 item 9), without a server: a child process
 * feeds a Recorder in real time from a corpus capture (looped into one long stream) and writes
 * the file the way `record` does. SIGKILL at a random moment 3–6 s after its first packet must
 * leave a file that ffmpeg decodes without a message up to ≤ ~1 s before the kill; SIGTERM (a
 * clean stop) must leave the end index and a duration ffprobe reports. Measurement:
 * test/support/crash-check.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';

import { expectCleanStop, expectKilledWithinBound, recordAndSignal } from '../support/crash-check.js';

const dir = mkdtempSync(join(tmpdir(), 'te-crash-safe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const captures = join(import.meta.dirname, '..', 'fixtures', 'generated', 'captures');
const cases = [
  { codec: 'opus', capture: 'opus-stereo.pcap', ext: '.ogg' },
  { codec: 'vp8', capture: 'vp8.pcap', ext: '.webm' },
  { codec: 'h264', capture: 'h264-baseline.pcap', ext: '.mp4' },
] as const;

const child = (capture: string, codec: string, file: string) =>
  ['--import', 'tsx', join(import.meta.dirname, '..', 'support', 'paced-recorder.ts'), join(captures, capture), codec, file];

// Concurrent: each case is its own child process and file, and the tests wait on real time (3–6 s
// of recording), not CPU; run one after another they took ~40 s of CI time per backend.
describe.concurrent('a paced Recorder writing a file', () => {
  for (const c of cases) {
    it(`${c.codec}: kill -9 at a random moment loses at most ~1 s`, async () => {
      const file = join(dir, `kill-${c.codec}${c.ext}`);
      const r = await recordAndSignal(child(c.capture, c.codec, file), file, 'SIGKILL');
      console.log(`paced ${c.codec} kill -9: receiving ${r.receivingSec.toFixed(2)} s, decoded ${r.decodedSec.toFixed(2)} s, lost ${r.lostSec.toFixed(2)} s`);
      expectKilledWithinBound(r, file, c.ext);
    });

    it(`${c.codec}: a clean stop adds the index; ffprobe's duration matches the decoded media`, async () => {
      const file = join(dir, `clean-${c.codec}${c.ext}`);
      const r = await recordAndSignal(child(c.capture, c.codec, file), file, 'SIGTERM');
      // A clean stop loses nothing but the last poll.
      expectCleanStop(r, file, c.ext, `paced ${c.codec}`, { durationTolSec: 0.05, maxLossSec: 0.5 });
    });
  }
});
