import { defineConfig } from 'vitest/config';

// The whole TypeScript suite runs once per backend: scripts/test-all.sh sets
// TRACK_EGRESS_BACKEND=native, then =wasm (see README "Tests").
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/media/**/*.test.ts', 'test/livekit/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
