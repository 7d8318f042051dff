import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Loads an entry point in a fresh process and reports which native libraries got mapped. */
function nativeLibsAfterImport(entry: string): string[] {
  const script = `await import('${entry}');
    const maps = (await import('node:fs')).readFileSync('/proc/self/maps', 'utf8');
    console.log(JSON.stringify([...new Set(maps.match(/[^\\s/]+\\.node$/gm) ?? [])]));
    process.exit(0);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, TRACK_EGRESS_BACKEND: '' },
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as string[];
}

describe('package entry points', () => {
  it('the core entry does not load the WebRTC stack (wasm-only environments stay importable)', () => {
    const libs = nativeLibsAfterImport('./src/index.ts');
    expect(libs.some((l) => l.includes('datachannel'))).toBe(false);
  });

  it('track-egress/livekit does load it', () => {
    const libs = nativeLibsAfterImport('./src/livekit/index.ts');
    expect(libs.some((l) => l.includes('datachannel'))).toBe(true);
  });
});
