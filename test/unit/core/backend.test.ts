import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';

import { ABI_VERSION } from '../../../src/core/abi.generated.js';
import { loadBackend } from '../../../src/core/load-backend.js';
import { BACKEND, backendUnderTest } from '../../support/backend.js';

describe(`backend (${BACKEND})`, () => {
  it('loads the requested backend and reports versions', async () => {
    const b = await backendUnderTest();
    expect(b.kind).toBe(BACKEND);
    expect(b.abiVersion).toBe(ABI_VERSION);
    expect(b.opusVersion).toBe('libopus 1.3.1');
    expect(b.recorderStatNames).toContain('lost');
    expect(b.pcmStatNames.length).toBeGreaterThan(5);
  });

  it('TRACK_EGRESS_BACKEND picks the backend, and an unknown value is a clear error', async () => {
    await expect(loadBackend('bogus' as never)).rejects.toThrow(/must be "native" or "wasm"/);
    const env = { ...process.env, TRACK_EGRESS_BACKEND: BACKEND };
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e',
      "import('./src/core/load-backend.ts').then(async m => console.log((await m.getBackend()).kind))"], { env, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(BACKEND);
  });

  it('falls back to wasm when no native build can be found, and says why when nothing loads', () => {
    // A copy of the package without build/ and prebuilds/ — node-gyp-build finds nothing.
    const script = `
      import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
      import { tmpdir } from 'node:os';
      import { join, resolve } from 'node:path';
      const dir = mkdtempSync(join(tmpdir(), 'te-fallback-'));
      for (const p of ['src', 'package.json']) cpSync(p, join(dir, p), { recursive: true });
      symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
      const withWasm = process.argv[1] === 'with-wasm';
      if (withWasm) cpSync('wasm/dist', join(dir, 'wasm/dist'), { recursive: true });
      const m = await import(join(dir, 'src/core/load-backend.ts'));
      try { console.log((await m.loadBackend()).kind); }
      catch (e) { console.log(e.code + ' ' + e.message.split('\\n').slice(0, 3).join(' | ')); }
      rmSync(dir, { recursive: true, force: true });`;
    const run = (arg: string) => {
      const env = { ...process.env };
      delete env.TRACK_EGRESS_BACKEND;
      return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, arg], { env, encoding: 'utf8' }).stdout.trim();
    };
    expect(run('with-wasm')).toBe('wasm');
    const none = run('none');
    expect(none).toMatch(/^ERR_TE_BACKEND_LOAD track-egress could not load a core backend/);
    expect(none).toMatch(/native: No native build was found/);
    expect(none).toMatch(/wasm: wasm build not found/);
  });
});
