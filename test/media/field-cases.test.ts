/**
 * Field cases (test/fixtures/field-cases/README.md): captures of real-world RTP faults, each run
 * through `track-egress convert` as a user runs it, on the backend under test. The right answers
 * come from outside this project: frame hashes decoded by libavcodec from the encoder's own output,
 * and the capture's own arrival times (read here by a minimal pcap reader, not by src/capture).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { BACKEND } from '../support/backend.js';
import { decoderErrors, frameHashes, run } from '../support/ffmpeg.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/field-cases/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);
const out = mkdtempSync(join(tmpdir(), `te-field-${BACKEND}-`));

/** `track-egress convert` as users run it; fails the test with the CLI's own message. */
function convert(input: string, output: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'convert', fixture(input), '-o', output, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TRACK_EGRESS_BACKEND: BACKEND },
  });
  expect(r.status, `convert ${input}: ${r.stderr}`).toBe(0);
  return r.stdout.trim();
}

/** MD5 of every decoded frame, in presentation order (the command in the fixtures' README). */
function decodedMd5s(file: string): string[] {
  const r = run('ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-map', '0:0', '-autoscale', '0', '-fps_mode', 'passthrough', '-f', 'framemd5', '-']);
  expect(r.stderr.trim(), `ffmpeg framemd5 ${file}`).toBe('');
  return r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(',')[5]!.trim());
}

function containerDuration(file: string): number {
  const r = run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  expect(r.stderr.trim()).toBe('');
  return Number(r.stdout.trim());
}

/** Seconds from the first to the last record of a classic pcap (RFC-less libpcap format). */
function arrivalSpan(name: string): number {
  const b = readFileSync(fixture(name));
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nanos = (le ? magic : b.readUInt32BE(0)) === 0xa1b23c4d;
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  let first: number | undefined;
  let last = 0;
  for (let o = 24; o + 16 <= b.length; o += 16 + u32(o + 8)) {
    last = u32(o) + u32(o + 4) / (nanos ? 1e9 : 1e6);
    first ??= last;
  }
  return last - (first ?? 0);
}

/** Converts a field case: the output decodes without a message and lasts its arrival span (± 0.25 s). */
function expectDecodesOverArrivalSpan(input: string, output: string, ...args: string[]): void {
  convert(input, output, ...args);
  expect(decoderErrors(output)).toBe('');
  const d = containerDuration(output);
  const span = arrivalSpan(input);
  expect(d).toBeGreaterThan(span - 0.25);
  expect(d).toBeLessThan(span + 0.25);
}

const refMd5s = (name: string) => readFileSync(fixture(name), 'utf8').trim().split('\n');

describe(`field cases (${BACKEND})`, () => {
  it('padding-only packets (bandwidth probes) neither break nor drop H.264 frames', () => {
    const o = join(out, 'padding.mp4');
    const summary = convert('padding-h264.pcap', o);
    expect(decodedMd5s(o)).toEqual(refMd5s('padding-h264.framemd5'));
    expect(summary, 'padding is not malformed').toMatch(/malformed 0\b/);
  });

  it('H.264 parameter sets given only in the SDP (sprop-parameter-sets) are used', () => {
    const o = join(out, 'sprop.mp4');
    convert('sprop-only.pcap', o, '--sdp', fixture('sprop-only.sdp'));
    expect(decodedMd5s(o)).toEqual(refMd5s('sprop-only.framemd5'));
  });

  it('a marker bit on every slice still gives one sample per access unit', () => {
    const o = join(out, 'slices.mp4');
    convert('marker-per-slice.pcap', o);
    expect(decodedMd5s(o)).toEqual(refMd5s('marker-per-slice.framemd5'));
    const pts = frameHashes(o, { copy: true }).map((f) => f.pts);
    expect(new Set(pts).size, 'no two samples share a time').toBe(pts.length);
  });

  it('a 7-hour pause (RTP timestamp jump > 2^31 ticks) keeps the true time line', () => {
    const o = join(out, 'pause.webm');
    convert('vp8-pause-7h.pcap', o, '--codec', 'vp8');
    expect(decoderErrors(o)).toBe('');
    expect(containerDuration(o)).toBeCloseTo(arrivalSpan('vp8-pause-7h.pcap'), 0);
    const frames = frameHashes(o);
    expect(frames).toHaveLength(20);
    expect(frames[10]!.pts - frames[0]!.pts).toBeGreaterThan(25200.28);
    expect(frames[10]!.pts - frames[0]!.pts).toBeLessThan(25200.38);
  });

  it('the last frame after a 20 s gap lasts one frame, not the gap', () => {
    const o = join(out, 'gap.mp4');
    expectDecodesOverArrivalSpan('h264-gap-last-frame.pcap', o);
  });

  it('one VP8 packet with a wrong timestamp never yields a broken frame', () => {
    const o = join(out, 'badts.webm');
    expectDecodesOverArrivalSpan('vp8-one-packet-bad-timestamp.pcap', o, '--codec', 'vp8');
  });

  it('a last VP8 frame stamped 10 s back neither folds nor stretches the time line', () => {
    const o = join(out, 'back.webm');
    expectDecodesOverArrivalSpan('vp8-last-frame-10s-back.pcap', o, '--codec', 'vp8');
  });

  it('one Opus packet stamped +1 h gives 3 s of Ogg, not an hour', () => {
    const o = join(out, 'plus1h.ogg');
    expectDecodesOverArrivalSpan('opus-one-packet-plus-1h.pcap', o);
    expect(statSync(o).size).toBeLessThan(64 * 1024);
  });

  it('one Opus packet stamped +1 h gives 3 s of PCM (150 packets × 20 ms)', () => {
    const o = join(out, 'plus1h.pcm');
    convert('opus-one-packet-plus-1h.pcap', o);
    // 150 packets × 960 samples × 2 channels × 2 bytes = 576 000; the outlier may be concealed
    // (same length) or dropped at the very end (one packet less).
    expect(statSync(o).size).toBeGreaterThanOrEqual(576_000 - 3840);
    expect(statSync(o).size).toBeLessThanOrEqual(576_000);
  });
});
