/**
 * AsyncChunkWriter with a write of empty chunks only (a Recorder read with nothing new): the flush it
 * starts must not stay "in flight" forever — drain() resolves and later bytes still land.
 * (Before the fix, drain() spun on a settled promise and starved the event loop.)
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { AsyncChunkWriter } from '../../../src/io/async-chunk-writer.js';

describe('AsyncChunkWriter', () => {
  it('an empty write leaves no flush pending: drain() resolves and the next bytes are written', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'te-spool-')), 'spool');
    const fh = await open(path, 'w+');
    const written: number[] = [];
    const spool = new AsyncChunkWriter(fh, { beforePatch: async () => {}, onWritten: (end) => written.push(end), onError: () => {} });
    spool.write([]);
    spool.write([{ offset: 0, size: 0, data: [] }]);
    // Counted in microtask turns, not time: a drain() that spins starves timers.
    let drained = false;
    void spool.drain().then(() => (drained = true));
    for (let i = 0; i < 100 && !drained; i++) await Promise.resolve();
    if (!drained) (spool as unknown as { flushing: undefined }).flushing = undefined; // end the spin, then fail
    expect(drained).toBe(true);
    spool.write([{ offset: 0, size: 3, data: [new Uint8Array([1, 2, 3])] }]);
    await spool.close();
    expect(written).toEqual([3]);
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
  });
});
