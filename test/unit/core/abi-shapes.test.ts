/**
 * The ABI shapes TypeScript uses come from the C ABI itself: src/core/abi.generated.ts
 * (scripts/gen-abi.mjs over te.h; npm test checks it is fresh) must match what the loaded core
 * reports, on the backend under test. Renaming a stat in C++ without regenerating fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { ABI_VERSION, OPTION_ID, PCM_STAT_NAMES, RECORDER_STAT_NAMES } from '../../../src/core/abi.generated.js';
import { CODECS } from '../../../src/core/codec.js';
import { backendUnderTest } from '../../support/backend.js';

const packageVersion = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
}).version;

describe('ABI shapes (generated from te.h) on the backend under test', () => {
  it('stat names are the generated tuples, in order', async () => {
    const backend = await backendUnderTest();
    expect(backend.recorderStatNames).toEqual(RECORDER_STAT_NAMES);
    expect(backend.pcmStatNames).toEqual(PCM_STAT_NAMES);
  });

  it('te_version() is package.json "version", the ABI version the generated one', async () => {
    const backend = await backendUnderTest();
    expect(backend.version).toBe(packageVersion);
    expect(backend.abiVersion).toBe(ABI_VERSION);
  });

  it('option ids reach the core by name: a bad value names the option', async () => {
    const backend = await backendUnderTest();
    expect(() => backend.createRecorder({ codec: CODECS.vp8.id, options: { reorderCapacity: 1 } })).toThrow(
      /reorder capacity \(TE_OPT_REORDER_CAPACITY\)/,
    );
    expect(() => backend.createRecorder({ codec: CODECS.vp8.id, options: { reorderWaitMs: 60_001 } })).toThrow(
      /reorder wait ms \(TE_OPT_REORDER_WAIT_MS\)/,
    );
    expect(() => backend.createPcmDecoder({ options: { outputRate: 44100 } })).toThrow(/TE_OPT_OUTPUT_RATE/);
    expect(() => backend.createPcmDecoder({ options: { clockRate: 48000 } })).toThrow(
      new RegExp(`unknown PCM decoder option ${OPTION_ID.clockRate}`),
    );
    expect(() => backend.createRecorder({ codec: CODECS.vp8.id, options: { reorderWait: 100 } as never })).toThrow(
      /unknown core option "reorderWait"/,
    );
    const rec = backend.createRecorder({ codec: CODECS.opus.id, options: { channels: 1, fragmentMs: 500 } });
    expect(rec.mimeType()).toBe('audio/ogg');
    rec.close();
  });
});
