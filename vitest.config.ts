import { defineConfig } from 'vitest/config';

// The whole TypeScript suite runs once per backend: scripts/test-all.sh sets
// TRACK_EGRESS_BACKEND=native, then =wasm (see README "Tests"); test/service/ (the egress service
// against livekit-server and MinIO: above the Recorder, backend-agnostic) runs on native only.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/media/**/*.test.ts', 'test/livekit/**/*.test.ts', 'test/service/**/*.test.ts', 'test/cluster/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
