/**
 * H.264 through the Recorder API directly (not the CLI): the fmtp option (RFC 6184 §8.1
 * sprop-parameter-sets from the SDP) and timestamp-authoritative access units, on the field cases
 * in test/fixtures/field-cases/. Frame hashes are libavcodec's decode of the encoder's own output
 * (the fixtures' README), compared against ffmpeg's decode of what the Recorder wrote.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { readCapture } from '../../src/capture/read-capture.js';
import { parseSdp } from '../../src/rtp/sdp.js';
import { Recorder, type RecorderOptions } from '../../src/core/recorder.js';
import { ChunkFileWriter } from '../../src/io/chunk-file-writer.js';
import { backendUnderTest, BACKEND } from '../support/backend.js';
import { frameHashes, run } from '../support/ffmpeg.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/field-cases/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);
const out = mkdtempSync(join(tmpdir(), `te-h264-fmtp-${BACKEND}-`));
const refMd5s = (name: string) => readFileSync(fixture(name), 'utf8').trim().split('\n');

function decodedMd5s(file: string): string[] {
  const r = run('ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-map', '0:0', '-autoscale', '0', '-fps_mode', 'passthrough', '-f', 'framemd5', '-']);
  expect(r.stderr.trim(), `ffmpeg framemd5 ${file}`).toBe('');
  return r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(',')[5]!.trim());
}

/** Records every packet of a capture with the Recorder; returns its stats. */
async function record(capture: string, file: string, options: Partial<RecorderOptions> = {}) {
  const rec = Recorder.withBackend(await backendUnderTest(), { codec: 'h264', seekable: true, ...options });
  const w = new ChunkFileWriter(file);
  try {
    for (const p of readCapture(readFileSync(fixture(capture)))) {
      rec.push(p.data, p.timeUs);
      w.write(rec.read());
    }
    w.write(rec.finish());
    return rec.stats();
  } finally {
    w.close();
    rec.close();
  }
}

describe(`H.264 fmtp and access units through the Recorder (${BACKEND})`, () => {
  it('uses sprop-parameter-sets from the SDP when the stream carries no SPS/PPS', async () => {
    const sdp = parseSdp(readFileSync(fixture('sprop-only.sdp'), 'utf8'));
    const fmtp = sdp.find((f) => f.encodingName.toLowerCase() === 'h264')!.fmtp;
    expect(fmtp['sprop-parameter-sets']).toBeTruthy();
    const o = join(out, 'sprop.mp4');
    const s = await record('sprop-only.pcap', o, { fmtp });
    expect(decodedMd5s(o)).toEqual(refMd5s('sprop-only.framemd5'));
    expect(s.frames).toBe(90);
    expect(s.parameterSetsMissing).toBe(0);
  });

  it('without the SDP says the parameter sets are missing instead of writing frames', async () => {
    const s = await record('sprop-only.pcap', join(out, 'no-sprop.mp4'));
    expect(s.frames).toBe(0);
    expect(s.parameterSetsMissing).toBeGreaterThan(0);
  });

  it('a marker on every slice gives one sample per RTP timestamp', async () => {
    const o = join(out, 'slices.mp4');
    const s = await record('marker-per-slice.pcap', o);
    expect(decodedMd5s(o)).toEqual(refMd5s('marker-per-slice.framemd5'));
    expect(s.frames).toBe(60);
    const pts = frameHashes(o, { copy: true }).map((f) => f.pts);
    expect(new Set(pts).size, 'no two samples share a time').toBe(pts.length);
  });

  it('rejects a malformed fmtp with a code and the parameter at fault', async () => {
    const backend = await backendUnderTest();
    const attempt = (fmtp: Record<string, string>) => () => Recorder.withBackend(backend, { codec: 'h264', fmtp });
    expect(attempt({ 'packetization-mode': '1', 'sprop-parameter-sets': 'Z0LA!!,aM48gA==' })).toThrow(
      expect.objectContaining({ code: 'ERR_TE_INVALID_ARG', message: expect.stringMatching(/sprop-parameter-sets item 1 is not valid base64/) }),
    );
    expect(attempt({ 'sprop-parameter-sets': 'BgUBqoA=' })).toThrow(
      expect.objectContaining({ code: 'ERR_TE_INVALID_ARG', message: expect.stringMatching(/not an SPS or PPS/) }),
    );
    expect(attempt({ 'profile-level-id': '42e0' })).toThrow(expect.objectContaining({ code: 'ERR_TE_INVALID_ARG' }));
    expect(attempt({ 'packetization-mode': '2' })).toThrow(
      expect.objectContaining({ code: 'ERR_TE_UNSUPPORTED', message: expect.stringMatching(/interleaved/) }),
    );
    expect(() => Recorder.withBackend(backend, { codec: 'h264', fmtp: 'packetization-mode=1' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_TE_INVALID_ARG', message: expect.stringMatching(/fmtp/) }),
    );
    expect(attempt({ 'packetization-mode': '1;x=y' })).toThrow(expect.objectContaining({ code: 'ERR_TE_INVALID_ARG' }));
    // Unknown keys and other codecs' parameters are accepted.
    Recorder.withBackend(backend, { codec: 'h264', fmtp: { 'level-asymmetry-allowed': '1', 'x-google-start-bitrate': '800' } }).close();
    Recorder.withBackend(backend, { codec: 'opus', fmtp: { minptime: '10', useinbandfec: '1' } }).close();
  });
});
