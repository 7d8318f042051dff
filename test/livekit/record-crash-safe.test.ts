/**
 * `track-egress record` killed with SIGKILL (issue 6 item 9), against a real livekit-server: for
 * an Opus, a VP8 and an H.264 track of the test bed's publishers, `node dist/cli/main.js record`
 * is killed at a random moment 3–6 s after it started receiving RTP. ffprobe/ffmpeg must decode
 * the file without a message up to ≤ ~1 s before the kill (bound KILL_LOSS_BOUND_SEC; the
 * measurement is described in test/support/crash-check.ts). A clean stop (SIGINT) must leave the
 * end index and an ffprobe duration equal to the decoded media.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';

import { expectCleanStop, expectKilledWithinBound, KILL_LOSS_BOUND_SEC, recordAndSignal } from '../support/crash-check.js';
import { useLiveKitTestBed } from '../support/livekit-testbed.js';

const bed = useLiveKitTestBed('livekit-crash-safe');
const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

const cases = [
  { codec: 'opus', ext: '.ogg' },
  { codec: 'vp8', ext: '.webm' },
  { codec: 'h264', ext: '.mp4' },
] as const;

async function publish(codec: (typeof cases)[number]['codec']) {
  const room = bed.room();
  const publisher = await bed.publisher(room, 'alice');
  const track = codec === 'opus' ? await publisher.publishAudio() : await publisher.publishVideo(codec);
  return { room, sid: track.sid };
}

function recordArgs(room: string, sid: string, file: string): string[] {
  if (!existsSync(cli)) throw new Error(`${cli} missing: build it with npx tsc -p tsconfig.json`);
  return [cli, 'record', '--url', bed.server.url, '--api-key', bed.server.apiKey, '--api-secret', bed.server.apiSecret,
    '--room', room, '--track', sid, '-o', file];
}

// Concurrent: each case has its own room, publisher, `record` process and file, and the tests wait
// on real time (3–6 s of recording), not CPU; one after another they took ~45 s per backend.
// recordAndSignal never blocks the event loop, so one test's ffprobe cannot shift another's times.
describe.concurrent('record is crash-safe (real LiveKit server)', () => {
  for (const c of cases) {
    it(`${c.codec}: kill -9 at a random moment loses at most ~1 s`, async () => {
      const { room, sid } = await publish(c.codec);
      const file = join(bed.dir, `kill-${c.codec}${c.ext}`);
      const r = await recordAndSignal(recordArgs(room, sid, file), file, 'SIGKILL');
      console.log(`record ${c.codec} kill -9: receiving ${r.receivingSec.toFixed(2)} s, decoded ${r.decodedSec.toFixed(2)} s, lost ${r.lostSec.toFixed(2)} s`);
      expectKilledWithinBound(r, file, c.ext);
    });

    it(`${c.codec}: a clean stop (SIGINT) adds the index; ffprobe's duration matches the decoded media`, async () => {
      const { room, sid } = await publish(c.codec);
      const file = join(bed.dir, `clean-${c.codec}${c.ext}`);
      const r = await recordAndSignal(recordArgs(room, sid, file), file, 'SIGINT');
      expectCleanStop(r, file, c.ext, `record ${c.codec}`, { durationTolSec: 0.1, maxLossSec: KILL_LOSS_BOUND_SEC });
    });
  }
});
