import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { outputPath } from '../../../src/egress/output-path.js';

describe('record output naming (LiveKit egress rules)', () => {
  const when = new Date('2026-11-24T02:19:05.123Z');
  it('names files in a directory <track>-<YYYY-MM-DDTHHMMSS><ext>', async () => {
    expect(await outputPath('rec/', 'TR_abc', '.webm', when)).toBe('rec/TR_abc-2026-11-24T021905.webm');
    const dir = mkdtempSync(join(tmpdir(), 'te-outpath-'));
    expect(await outputPath(dir, 'TR_abc', '.ogg', when)).toBe(join(dir, 'TR_abc-2026-11-24T021905.ogg'));
  });
  it('replaces a known wrong extension and appends to an unknown one', async () => {
    expect(await outputPath('x.mp4', 'TR_abc', '.webm', when)).toBe('x.webm');
    expect(await outputPath('x.wav', 'TR_abc', '.ogg', when)).toBe('x.wav.ogg');
    expect(await outputPath('x', 'TR_abc', '.ogg', when)).toBe('x.ogg');
    expect(await outputPath('x.ogg', 'TR_abc', '.ogg', when)).toBe('x.ogg');
  });
});
