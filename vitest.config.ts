import { defineConfig } from 'vitest/config';

// The whole TypeScript suite runs once per backend: scripts/test-all.sh sets
// TRACK_EGRESS_BACKEND=native, then =wasm (see README "Tests"); test/service/, test/cluster/ and
// the files that cannot reach the core (scripts/backend-free-tests.mjs) run on native only.
//
// Two projects, one after the other (sequence.groupOrder):
//  - `offline` (test/unit, test/media): files that measure no wall-clock time tighter than
//    seconds; mostly CPU (the core, ffmpeg, CLI processes), so two files at a time use both cores
//    of the CI machine (vitest's default there is one: cores − 1);
//  - `live` (real servers and real-time waits: livekit-server, MinIO, Redis, the kill -9 timing
//    of media/crash-safe): one file at a time, so a file's latency, gap and loss bounds never
//    compete with another file for the CPU. Inside a file, tests that only wait run concurrently
//    where they share nothing (describe.concurrent, see the files).
// (No `exclude` in a project: it would replace the `--exclude` options test-all.sh passes.)
const LIVE_MEDIA = 'test/media/crash-safe.test.ts';
const shared = { pool: 'forks', testTimeout: 60_000, hookTimeout: 120_000 } as const;

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'offline',
          include: ['test/unit/**/*.test.ts', 'test/media/!(crash-safe).test.ts', 'test/media/*/**/*.test.ts'],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'live',
          include: ['test/livekit/**/*.test.ts', 'test/service/**/*.test.ts', 'test/cluster/**/*.test.ts', LIVE_MEDIA],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
