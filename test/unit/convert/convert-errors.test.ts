// convert() as a library: each failure is a TrackEgressError whose class and code say what went
// wrong (bad option, bad input, no such stream, not a capture, abort), and nothing is left behind.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { CaptureFormatError, StreamNotFoundError } from '../../../src/capture/capture-error.js';
import { ConvertInputError, convert } from '../../../src/convert/convert.js';
import { InvalidArgumentError, TrackEgressError } from '../../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'te-convert-errors-'));
const pcap = 'test/fixtures/field-cases/padding-h264.pcap';
const fail = (p: Promise<unknown>) => p.then(() => new Error('resolved'), (e: unknown) => e);

describe('convert errors carry a class and a code for what went wrong', () => {
  it.each([
    ['output extension', { output: join(dir, 'a.avi') }, /output extension ".avi" not supported/],
    ['codec', { codec: 'av1' }, /codec/],
    ['payloadType', { payloadType: 128 }, /payloadType/],
    ['ssrc', { ssrc: -1 }, /ssrc/],
    ['sampleRate', { output: join(dir, 'a.wav'), sampleRate: 44100 }, /one of 8000, 12000, 16000, 24000, 48000 for sampleRate/],
    ['channels', { output: join(dir, 'a.wav'), channels: 3 }, /channels/],
    ['input', { input: '' }, /input/],
  ])('a bad %s is InvalidArgumentError ERR_TE_INVALID_ARG', async (_what, change, message) => {
    const err = await fail(convert({ input: pcap, output: join(dir, 'a.mp4'), ...change } as never));
    expect(err).toMatchObject({ constructor: InvalidArgumentError, code: 'ERR_TE_INVALID_ARG', message: expect.stringMatching(message) });
  });

  it('a missing capture is ConvertInputError ERR_TE_CONVERT_INPUT naming it', async () => {
    const err = await fail(convert({ input: join(dir, 'missing.pcap'), output: join(dir, 'a.mp4') }));
    expect(err).toMatchObject({ constructor: ConvertInputError, code: 'ERR_TE_CONVERT_INPUT', message: expect.stringMatching(/missing\.pcap: cannot read/) });
  });

  it('a file that is not a capture is CaptureFormatError ERR_CAPTURE_FORMAT, a TrackEgressError', async () => {
    const err = await fail(convert({ input: 'package.json', output: join(dir, 'a.mp4') }));
    expect(err).toBeInstanceOf(CaptureFormatError);
    expect(err).toBeInstanceOf(TrackEgressError);
    expect(err).toMatchObject({ code: 'ERR_CAPTURE_FORMAT', name: 'CaptureFormatError' });
  });

  it('an SSRC that matches no stream is StreamNotFoundError ERR_STREAM_NOT_FOUND listing the streams', async () => {
    const err = await fail(convert({ input: pcap, output: join(dir, 'a.mp4'), ssrc: 0xdeadbeef }));
    expect(err).toBeInstanceOf(StreamNotFoundError);
    expect(err).toBeInstanceOf(TrackEgressError);
    expect(err).toMatchObject({ code: 'ERR_STREAM_NOT_FOUND', name: 'StreamNotFoundError' });
    expect((err as StreamNotFoundError).available.length).toBeGreaterThan(0);
  });

  it('a codec in the wrong container is ConvertInputError', async () => {
    const err = await fail(convert({ input: pcap, output: join(dir, 'a.webm'), codec: 'h264' }));
    expect(err).toMatchObject({ constructor: ConvertInputError, code: 'ERR_TE_CONVERT_INPUT', message: expect.stringMatching(/h264 goes into \.mp4/) });
  });

  it('an aborted signal rejects with its reason and leaves no file', async () => {
    const reason = new Error('stop');
    const out = join(dir, 'aborted');
    expect(await fail(convert({ input: pcap, output: `${out}.mp4`, signal: AbortSignal.abort(reason) }))).toBe(reason);
    const ac = new AbortController();
    const pending = fail(convert({ input: pcap, output: `${out}2.mp4`, signal: ac.signal }));
    ac.abort(reason); // while the first pass is reading
    expect(await pending).toBe(reason);
    expect(existsSync(`${out}.mp4`) || existsSync(`${out}2.mp4`)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('aborted'))).toEqual([]);
  });
});
