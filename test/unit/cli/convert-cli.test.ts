import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { wavHeader } from '../../../src/io/wav.js';
import { BACKEND } from '../../support/backend.js';
import { corpusPath, loadCorpus } from '../../support/corpus.js';

const corpus = loadCorpus();
const dir = mkdtempSync(join(tmpdir(), 'te-cli-'));
const file = (name: string) => corpus.files.find((f) => f.name === name && f.format === 'pcap')!;

/** Runs the CLI as users do (bin → dist/cli/main.js when built, else the TypeScript source). */
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, TRACK_EGRESS_BACKEND: BACKEND },
  });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.replace(/npm warn.*\n/g, '').trim() };
}

describe(`track-egress convert CLI (${BACKEND})`, () => {
  it('converts a capture and prints a one-line summary', () => {
    const out = join(dir, 'vp8.webm');
    const r = cli('convert', corpusPath(file('vp8').path), '-o', out, '--codec', 'vp8');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^vp8: packets 144, lost 0, malformed 0, frames 90, duration 3\.000 s, bytes \d+ → /);
    expect(Number(/bytes (\d+)/.exec(r.out)![1])).toBe(statSync(out).size);
  });

  it('decodes Opus to WAV at the requested rate and channel count', () => {
    const out = join(dir, 'speech.wav');
    const r = cli('convert', corpusPath(file('opus-stereo').path), '-o', out, '--sample-rate', '16000', '--channels', '1');
    expect(r.code).toBe(0);
    const wav = readFileSync(out);
    expect(wav.subarray(0, 44)).toEqual(Buffer.from(wavHeader(16000, 1, wav.length - 44)));
    expect(r.out).toMatch(/^opus: packets 151, lost 0/);
  });

  it.each([
    [['convert'], /needs exactly one INPUT/],
    [['convert', 'x.pcap'], /needs -o OUTPUT/],
    [['convert', 'missing.pcap', '-o', join(dir, 'a.mp4')], /ENOENT|no such file/],
    [['convert', 'package.json', '-o', join(dir, 'a.mp4')], /capture|format/i],
    [['convert', 'x.pcap', '-o', join(dir, 'a.avi')], /output extension ".avi" not supported/],
    [['convert', 'x.pcap', '-o', join(dir, 'a.ogg'), '--codec', 'av1'], /--codec must be h264, vp8, vp9 or opus/],
    [['convert', 'x.pcap', '-o', join(dir, 'a.wav'), '--sample-rate', '44100'], /--sample-rate must be one of 8000, 12000, 16000, 24000, 48000/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['record', '--room', 'r', '--track', 'TR_x', '-o', 'out/'], /record needs --url/],
    [['record', '--url', 'ws://127.0.0.1:1', '--room', 'r', '--track', 'TR_x', '-o', 'o/'], /--token, or --api-key and --api-secret/],
    [['record', '--url', 'ws://x', '--token', 't', '--room', 'r', '--track', 'T', '-o', 'o/', '--duration', '0'], /--duration must be a number of seconds/],
    [['record', '--url', 'ftp://127.0.0.1', '--token', 't', '--room', 'r', '--track', 'TR_x', '-o', join(dir, 'x/')], /ftp/],
  ])('exits 2 with a clear message for bad usage: %j', (args, message) => {
    const r = cli(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('refuses to put a codec in the wrong container (no transcoding)', () => {
    const r = cli('convert', corpusPath(file('vp8').path), '-o', join(dir, 'x.mp4'), '--codec', 'vp8');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/vp8 goes into \.webm, not \.mp4/);
  });

  it('says so when the chosen codec does not match the packets', () => {
    const r = cli('convert', corpusPath(file('opus-mono').path), '-o', join(dir, 'x.mp4'), '--codec', 'h264');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/opus-mono.pcap: input is not H.264: 151 of 151 packets are not valid H.264 \(RFC 6184 §5\)/);
  });

  it('lists the streams when the filter matches none', () => {
    const r = cli('convert', corpusPath(file('vp8').path), '-o', join(dir, 'x.webm'), '--codec', 'vp8', '--ssrc', '1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/ssrc=0x00000001/);
    expect(r.err).toMatch(/pt=97/);
  });

  it('writes nothing misleading for a capture without RTP', () => {
    const empty = join(dir, 'empty.pcap');
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(65535, 16);
    h.writeUInt32LE(1, 20);
    writeFileSync(empty, h);
    const r = cli('convert', empty, '-o', join(dir, 'e.ogg'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no RTP|no .*stream/i);
  });
});
