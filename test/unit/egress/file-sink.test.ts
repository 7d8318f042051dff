import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { Recorder } from '../../../src/core/recorder.js';
import { EgressError } from '../../../src/egress/egress-error.js';
import { FileSink } from '../../../src/egress/outputs/file-sink.js';
import { ChunkFileWriter } from '../../../src/io/chunk-file-writer.js';
import { BACKEND, backendUnderTest } from '../../support/backend.js';
import { corpusPath } from '../../support/corpus.js';
import { readCapture, selectStream } from '../../../src/capture/index.js';

const b = (s: string) => new TextEncoder().encode(s);
const dir = () => mkdtempSync(join(tmpdir(), 'te-file-sink-'));
const noFailure = (e: EgressError) => {
  throw e;
};

describe(`FileSink (${BACKEND})`, () => {
  it('writes appends and positioned patches at their offsets; reports size, location and stats', async () => {
    const path = join(dir(), 'out.bin');
    const sink = await FileSink.open(path, { onFailure: noFailure, filename: 'rec/out.bin' });
    expect(sink.filename).toBe('rec/out.bin');
    sink.write([{ offset: 0, data: [b('head'), b('er--')], size: 8 }, { offset: 8, data: [b('body')], size: 4 }]);
    sink.write([{ offset: 4, data: [b('ER')], size: 2 }]);
    expect(sink.stats()).toMatchObject({ bytesWritten: 14, bytesUploaded: 0, uploadState: 'local' });
    const r = await sink.finish();
    expect(r).toEqual({ size: 12, location: path });
    expect(readFileSync(path, 'latin1')).toBe('headER--body');
    expect(sink.stats().queuedBytes).toBe(0);
    await expect(sink.finish()).rejects.toBeInstanceOf(EgressError);
  });

  it('empty and zero-size writes (TrackRecording writes read() after every packet) leave finish() prompt', async () => {
    const sink = await FileSink.open(join(dir(), 'empty.bin'), { onFailure: noFailure });
    sink.write([]);
    sink.write([{ offset: 0, data: [], size: 0 }]);
    const r = await Promise.race([sink.finish(), new Promise((res) => setTimeout(() => res('stuck'), 1000))]);
    expect(r).toEqual({ size: 0, location: expect.stringMatching(/empty\.bin$/) });
  });

  it('reaches the file within milliseconds of write(), without waiting for finish()', async () => {
    const path = join(dir(), 'live.bin');
    const sink = await FileSink.open(path, { onFailure: noFailure });
    sink.write([{ offset: 0, data: [b('abc')], size: 3 }]);
    sink.write([{ offset: 3, data: [b('def')], size: 3 }]);
    const t0 = performance.now();
    while ((await readFile(path, 'latin1')) !== 'abcdef') {
      expect(performance.now() - t0).toBeLessThan(500);
      await new Promise((r) => setTimeout(r, 2));
    }
    await sink.finish();
  });

  it('writes the same bytes as ChunkFileWriter for a real recording (more than 1024 views per run)', async () => {
    const backend = await backendUnderTest();
    const packets = selectStream(readCapture(readFileSync(corpusPath('captures/opus-stereo.pcap'))));
    const d = dir();
    const runs = async (write: (c: ReturnType<Recorder['read']>) => void) => {
      const rec = Recorder.withBackend(backend, { codec: 'opus', seekable: true, crashSafe: true, fragmentMs: 1000 });
      const all: ReturnType<Recorder['read']> = [];
      for (const p of packets) {
        rec.push(p.data, p.timeUs);
        all.push(...rec.read());
      }
      all.push(...rec.finish());
      rec.close();
      write(all); // one call: long consecutive runs
    };
    const sink = await FileSink.open(join(d, 'a.ogg'), { onFailure: noFailure });
    await runs((c) => sink.write(c));
    const { size } = await sink.finish();
    const w = new ChunkFileWriter(join(d, 'b.ogg'));
    await runs((c) => w.write(c));
    w.close();
    expect(size).toBe(w.size);
    expect(Buffer.compare(readFileSync(join(d, 'a.ogg')), readFileSync(join(d, 'b.ogg')))).toBe(0);
  });

  it('a full disk (/dev/full) is reported once through onFailure; finish() throws it; later writes are dropped', async () => {
    if (!existsSync('/dev/full')) return;
    const failures: EgressError[] = [];
    const sink = await FileSink.open('/dev/full', { onFailure: (e) => failures.push(e) });
    sink.write([{ offset: 0, data: [b('x'.repeat(4096))], size: 4096 }]);
    await new Promise((r) => setTimeout(r, 50));
    sink.write([{ offset: 4096, data: [b('y')], size: 1 }]);
    await expect(sink.finish()).rejects.toMatchObject({ twirpCode: 'resource_exhausted', httpStatus: 429 });
    expect(failures).toHaveLength(1);
    expect(failures[0]!.message).toMatch(/^local file \/dev\/full: ENOSPC/);
    expect(sink.stats().uploadState).toBe('failed');
  });

  it('open() of an impossible path rejects with an EgressError; abort() is idempotent', async () => {
    await expect(FileSink.open(join(dir(), 'no', 'such', 'dir', 'x.ogg'), { onFailure: noFailure }))
      .rejects.toMatchObject({ twirpCode: 'internal' });
    const sink = await FileSink.open(join(dir(), 'x.bin'), { onFailure: noFailure });
    sink.write([{ offset: 0, data: [b('abc')], size: 3 }]);
    await sink.abort();
    await sink.abort();
  });
});
