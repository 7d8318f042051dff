import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { InvalidStateError } from '../../../src/core/errors.js';
import { ChunkFileWriter } from '../../../src/io/chunk-file-writer.js';

describe('ChunkFileWriter', () => {
  it('writes chunks at their offsets, patches in place, and refuses writes after close with ERR_TE_STATE', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'te-writer-')), 'out.bin');
    const w = new ChunkFileWriter(path);
    const b = (s: string) => new TextEncoder().encode(s);
    w.write([{ offset: 0, data: [b('head'), b('er--')], size: 8 }, { offset: 8, data: [b('body')], size: 4 }]);
    w.write([{ offset: 4, data: [b('ER')], size: 2 }]);
    expect(w.size).toBe(12);
    w.close();
    w.close(); // idempotent
    expect(readFileSync(path, 'latin1')).toBe('headER--body');
    let err: unknown;
    try {
      w.write([{ offset: 12, data: [b('x')], size: 1 }]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidStateError);
    expect(err).toMatchObject({ code: 'ERR_TE_STATE', message: `${path}: writer is closed` });
  });
});
