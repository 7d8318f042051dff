/**
 * RecorderOptions.crashSafe (te_recorder_set_option TE_OPT_CRASH_SAFE) on both backends: the MP4
 * layout it selects, that it is fixed before the first push, and its validation. The decoded
 * behaviour under kill -9 is tested in test/media/crash-safe.test.ts and test/livekit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { readCapture, selectStream } from '../../../src/capture/index.js';
import { CODEC_ID, OPTION_ID } from '../../../src/core/abi.generated.js';
import { Recorder } from '../../../src/core/recorder.js';
import { backendUnderTest, BACKEND } from '../../support/backend.js';
import { hasEndIndex } from '../../support/crash-check.js';

const capture = join(import.meta.dirname, '..', '..', 'fixtures', 'generated', 'captures', 'h264-baseline.pcap');

/** Top-level ISO BMFF boxes of a file (type and size). */
function topBoxes(bytes: Uint8Array): string[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  for (let pos = 0; pos + 8 <= bytes.length;) {
    let size = v.getUint32(pos);
    if (size === 1) size = Number(v.getBigUint64(pos + 8));
    out.push(String.fromCharCode(...bytes.subarray(pos + 4, pos + 8)));
    if (size < 8) break;
    pos += size;
  }
  return out;
}

/** Applies chunks at their offsets (a file target). */
function apply(file: Uint8Array, chunks: ReturnType<Recorder['read']>): Uint8Array {
  for (const c of chunks) {
    if (c.offset + c.size > file.length) {
      const bigger = new Uint8Array(c.offset + c.size);
      bigger.set(file);
      file = bigger;
    }
    let at = c.offset;
    for (const d of c.data) {
      file.set(d, at);
      at += d.byteLength;
    }
  }
  return file;
}

describe(`Recorder crashSafe (${BACKEND})`, () => {
  it('writes a fragmented MP4 with ~1 s fragments as it goes, and the index only at finish', async () => {
    const packets = selectStream(readCapture(readFileSync(capture)));
    const results: Record<string, string[]> = {};
    for (const crashSafe of [false, true]) {
      const rec = Recorder.withBackend(await backendUnderTest(), { codec: 'h264', seekable: true, crashSafe, fragmentMs: 1000 });
      let file: Uint8Array = new Uint8Array(0);
      for (const p of packets) rec.push(p.data, p.timeUs);
      file = apply(file, rec.read());
      const beforeFinish = topBoxes(file);
      file = apply(file, rec.finish());
      results[String(crashSafe)] = topBoxes(file);
      if (crashSafe) {
        // 3 s of video: fragments 0–1 s and 1–2 s are out before the end, the rest at finish.
        expect(beforeFinish).toEqual(['ftyp', 'moov', 'moof', 'mdat', 'moof', 'mdat']);
        expect(hasEndIndex(file, '.mp4')).toBe(true);
      } else {
        expect(beforeFinish).toEqual(['ftyp', 'mdat']); // the classic layout: no moov until the end
      }
      rec.close();
    }
    expect(results.true).toEqual(['ftyp', 'moov', 'moof', 'mdat', 'moof', 'mdat', 'moof', 'mdat', 'mfra']);
    expect(results.false).toEqual(['ftyp', 'mdat', 'moov']);
  });

  it('is set before the first push only, and validated', async () => {
    const backend = await backendUnderTest();
    expect(() => Recorder.withBackend(backend, { codec: 'h264', crashSafe: 1 as never })).toThrow(
      /Expected a boolean for crashSafe/,
    );
    const raw = backend.createRecorder({ codec: CODEC_ID.h264, options: { seekable: 1, fragmentMs: 1000 } });
    expect(() => raw.setOption(99, 1)).toThrow(/unknown recorder option 99/);
    expect(() => raw.setOption(OPTION_ID.crashSafe, 2)).toThrow(/crash-safe \(TE_OPT_CRASH_SAFE\) must be a whole number in 0..1/);
    raw.setOption(OPTION_ID.crashSafe, 1);
    raw.push(1, new Uint8Array([0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x65]), 0);
    expect(() => raw.setOption(OPTION_ID.crashSafe, 0)).toThrow(/before the first push/);
    raw.close();
  });
});
