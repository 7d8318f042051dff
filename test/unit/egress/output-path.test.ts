import { describe, expect, it } from 'vitest';

import { outputPath } from '../../../src/egress/record.js';

describe('record output naming (LiveKit egress rules)', () => {
  const when = new Date('2026-11-24T02:19:05.123Z');
  it('names files in a directory <track>-<YYYY-MM-DDTHHMMSS><ext>', () => {
    expect(outputPath('rec/', 'TR_abc', '.webm', when)).toBe('rec/TR_abc-2026-11-24T021905.webm');
  });
  it('replaces a known wrong extension and appends to an unknown one', () => {
    expect(outputPath('x.mp4', 'TR_abc', '.webm', when)).toBe('x.webm');
    expect(outputPath('x.wav', 'TR_abc', '.ogg', when)).toBe('x.wav.ogg');
    expect(outputPath('x', 'TR_abc', '.ogg', when)).toBe('x.ogg');
    expect(outputPath('x.ogg', 'TR_abc', '.ogg', when)).toBe('x.ogg');
  });
});
