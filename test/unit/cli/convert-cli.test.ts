import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { wavHeader } from '../../../src/io/wav.js';
import { BACKEND } from '../../support/backend.js';
import { corpusPath, loadCorpus } from '../../support/corpus.js';
import { run as runTool } from '../../support/ffmpeg.js';
import { writeCapture } from '../../support/long-capture.js';

const corpus = loadCorpus();
const dir = mkdtempSync(join(tmpdir(), 'te-cli-'));
const file = (name: string) => corpus.files.find((f) => f.name === name && f.format === 'pcap')!;

/** Runs the CLI as users do (bin → dist/cli/main.js when built, else the TypeScript source). */
function cli(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args]);
}

/** The CLI with a file size limit (bash ulimit -f, KiB) and SIGXFSZ ignored: writes fail with EFBIG. */
function cliWithFileLimit(kib: number, ...args: string[]) {
  const q = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  return run('bash', ['-c', `trap '' XFSZ; ulimit -f ${kib}; exec ${q(process.execPath)} --import tsx src/cli/main.ts ${args.map(q).join(' ')}`]);
}

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, {
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
    expect(r.out).toMatch(/^vp8: packets 144, lost 0, malformed 0(, padding 0)?(, outliers 0)?, frames 90, duration 3\.000 s, bytes \d+ → /);
    expect(r.out.split('\n')).toHaveLength(1);
    expect(Number(/bytes (\d+)/.exec(r.out)![1])).toBe(statSync(out).size);
  });

  it('decodes Opus to WAV at the requested rate and channel count', () => {
    const out = join(dir, 'speech.wav');
    const r = cli('convert', corpusPath(file('opus-stereo').path), '-o', out, '--sample-rate', '16000', '--channels', '1');
    expect(r.code).toBe(0);
    const wav = readFileSync(out);
    expect(wav.subarray(0, 44)).toEqual(Buffer.from(wavHeader(16000, 1, wav.length - 44)));
    expect(r.out).toMatch(/^opus: packets 151, lost 0/);
    // The header, patched at the end, is what an independent reader sees: 16 kHz mono, all samples.
    const probe = runTool('ffprobe', ['-v', 'error', '-show_entries', 'stream=sample_rate,channels,duration_ts', '-of', 'csv=p=0', out]);
    expect(probe.stderr).toBe('');
    expect(probe.stdout.trim()).toBe(`16000,1,${(wav.length - 44) / 2}`);
    // RIFF sizes are 32-bit: past 4 GiB they saturate instead of wrapping.
    const big = new DataView(wavHeader(48000, 2, 5e9).buffer);
    expect([big.getUint32(4, true), big.getUint32(40, true)]).toEqual([0xffffffff, 0xffffffff]);
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

  it.each([['record', '--help'], ['serve', '-h'], ['convert', 'x.pcap', '--help']])('%j prints the usage and exits 0', (...args) => {
    const r = cli(...args);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage:\n  track-egress convert/);
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

  /** Files in `d` (temporary `.part` files included). */
  const ls = (d: string) => readdirSync(d).sort();
  const fresh = (name: string) => {
    const d = join(dir, name);
    mkdirSync(d);
    return d;
  };
  const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

  it('leaves no file behind when a conversion fails, and keeps an existing file of that name', () => {
    const d = fresh('fail');
    const r = cli('convert', corpusPath(file('opus-mono').path), '-o', join(d, 'x.mp4'), '--codec', 'h264');
    expect(r.code).toBe(2);
    expect(ls(d)).toEqual([]);
    writeFileSync(join(d, 'x.mp4'), 'precious');
    expect(cli('convert', corpusPath(file('opus-mono').path), '-o', join(d, 'x.mp4'), '--codec', 'h264').code).toBe(2);
    expect(ls(d)).toEqual(['x.mp4']);
    expect(readFileSync(join(d, 'x.mp4'), 'utf8')).toBe('precious');
  });

  it('names the output and the reason on a write error (EFBIG half-way), exits 1 and removes the partial file', () => {
    const d = fresh('efbig');
    const out = join(d, 'v.webm');
    const r = cliWithFileLimit(20, 'convert', corpusPath(file('vp8').path), '-o', out, '--codec', 'vp8');
    expect(r.err).toBe(`track-egress: ${out}: cannot write: file too large (EFBIG)`);
    expect(r.code).toBe(1);
    expect(ls(d)).toEqual([]);
    // The same limit with PCM output (written piece by piece as it is decoded).
    const w = cliWithFileLimit(20, 'convert', corpusPath(file('opus-stereo').path), '-o', join(d, 'a.wav'));
    expect(w.err).toMatch(/a\.wav: cannot write: file too large \(EFBIG\)$/);
    expect(w.code).toBe(1);
    expect(ls(d)).toEqual([]);
  });

  it('refuses a directory as output and a missing output directory (exit 2)', () => {
    const d = fresh('outdir.webm');
    const a = cli('convert', corpusPath(file('vp8').path), '-o', d, '--codec', 'vp8');
    expect(a.code).toBe(2);
    expect(a.err).toBe(`track-egress: ${d}: is a directory; -o needs a file name`);
    const b = cli('convert', corpusPath(file('vp8').path), '-o', join(dir, 'nope', 'v.webm'), '--codec', 'vp8');
    expect(b.code).toBe(2);
    expect(b.err).toBe(`track-egress: ${join(dir, 'nope', 'v.webm')}: cannot write: directory ${join(dir, 'nope')} does not exist`);
  });

  it('converts what precedes a truncated record and warns with the file and byte offset', () => {
    const d = fresh('trunc');
    const whole = readFileSync(corpusPath(file('vp8').path));
    const cut = join(d, 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.7)));
    const r = cli('convert', cut, '-o', join(d, 'v.webm'), '--codec', 'vp8');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(new RegExp(`^track-egress: warning: ${cut}: pcap record at byte \\d+ truncated \\(\\d+ bytes announced, \\d+ left\\); converted the packets before it$`));
    const offset = Number(/at byte (\d+)/.exec(r.err)![1]);
    expect(offset).toBeLessThan(whole.length * 0.7);
    expect(whole.readUInt32LE(offset + 8)).toBeGreaterThan(whole.length * 0.7 - offset - 16); // the record there does run past the cut
    expect(r.out).toMatch(/^vp8: packets \d+/);
    // Cut inside the first record: nothing to convert, and the message says why.
    const early = join(d, 'early.pcap');
    writeFileSync(early, whole.subarray(0, 60));
    const e = cli('convert', early, '-o', join(d, 'e.webm'), '--codec', 'vp8');
    expect(e.code).toBe(2);
    expect(e.err).toMatch(new RegExp(`^track-egress: ${early}: no RTP packets: pcap record at byte 24 truncated \\(\\d+ bytes announced, 20 left\\)$`));
    expect(ls(d)).toEqual(['cut.pcap', 'early.pcap', 'v.webm']);
  });

  it('names an unsupported link type instead of "no RTP stream matches"', () => {
    const d = fresh('linktype');
    const pcap = Buffer.from(readFileSync(corpusPath(file('vp8').path)));
    pcap.writeUInt32LE(147, 20); // LINKTYPE_USER0
    const f = join(d, 'user0.pcap');
    writeFileSync(f, pcap);
    const r = cli('convert', f, '-o', join(d, 'v.webm'), '--codec', 'vp8');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^track-egress: ${f}: no RTP packets: link type 147 is not supported`));
    expect(ls(d)).toEqual(['user0.pcap']);
  });

  it('tells VP8 from VP9 by the key frames when neither --codec nor an SDP says', () => {
    for (const codec of ['vp8', 'vp9'] as const) {
      const d = fresh(`auto-${codec}`);
      const r = cli('convert', corpusPath(file(codec).path), '-o', join(d, 'auto.webm'));
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^${codec}: packets \\d+, lost 0, .*frames 90,`));
      expect(cli('convert', corpusPath(file(codec).path), '-o', join(d, 'given.webm'), '--codec', codec).code).toBe(0);
      expect(sha(join(d, 'auto.webm'))).toBe(sha(join(d, 'given.webm')));
    }
    // Opus packets have no VP8/VP9 key frame: the message says so.
    const r = cli('convert', corpusPath(file('opus-mono').path), '-o', join(dir, 'o.webm'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot tell VP8 from VP9: no key frame in the capture; give --codec vp8\|vp9 or --sdp/);
  });

  it('uses INPUT.sdp next to the capture when no --sdp is given', () => {
    // mixed.pcapng: VP8 first, then Opus. Its sibling SDP announces only Opus (PT 111), which picks
    // the Opus stream (one payload format in the SDP = the stream's payload type).
    const d = fresh('sibling');
    const mixed = corpus.files.find((f) => f.name === 'mixed')!;
    copyFileSync(corpusPath(mixed.path), join(d, 'room.pcapng'));
    copyFileSync(corpusPath(corpus.streams.find((s) => s.name === 'opus-stereo')!.sdp), join(d, 'room.sdp'));
    const r = cli('convert', join(d, 'room.pcapng'), '-o', join(d, 'a.ogg'));
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^opus: packets 151, lost 0, malformed 0/);
    const v = cli('convert', join(d, 'room.pcapng'), '-o', join(d, 'v.webm'), '--sdp', corpusPath(corpus.streams.find((s) => s.name === 'vp8')!.sdp));
    expect(v.out).toMatch(/^vp8: packets 144, .*frames 90,/);
  });

  it('says why an H.264 stream gave no frame: IDR slices without SPS/PPS in-band or in an SDP', () => {
    // h264-baseline sends SPS+PPS in a STAP-A before every IDR: without those packets (and without
    // an SDP) nothing can be decoded.
    const d = fresh('sprop');
    const n = writeCapture(join(d, 'cam.pcap'), [{ source: corpusPath(file('h264-baseline').path), keep: (p) => (p[12]! & 0x1f) !== 24 }], 90000);
    expect(n).toBeLessThan(127);
    const r = cli('convert', join(d, 'cam.pcap'), '-o', join(d, 'cam.mp4'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /cam\.pcap: no H\.264 frame could be written from \d+ packets: the stream has IDR slices but no SPS\/PPS in-band and none in the SDP \(sprop-parameter-sets, RFC 6184 §8\.1\); give --sdp/,
    );
    expect(ls(d)).toEqual(['cam.pcap']);
  });

  it('exits 2 with the core\'s message for an SDP fmtp the core rejects, on either backend', () => {
    // The error comes from the C++ core (te_recorder_set_fmtp) through the backend's error factory:
    // the exit code follows its `code`, so native and wasm exit alike.
    const d = fresh('bad-fmtp');
    const sdp = readFileSync(corpusPath(corpus.streams.find((s) => s.name === 'h264-baseline')!.sdp), 'utf8');
    for (const [name, fmtp, message] of [
      ['bad-sprop.sdp', 'sprop-parameter-sets=Z0LADdoFB+wFqDAwNSgAAAMACAAAAwHkeKFV,%%%', /sprop-parameter-sets item 2 is not valid base64/],
      ['interleaved.sdp', 'packetization-mode=2', /packetization-mode=2 \(interleaved, RFC 6184 §6\.4\) is not supported/],
    ] as const) {
      writeFileSync(join(d, name), sdp.replace(/^a=fmtp:96 .*$/m, `a=fmtp:96 ${fmtp}`));
      const r = cli('convert', corpusPath(file('h264-baseline').path), '-o', join(d, 'x.mp4'), '--sdp', join(d, name));
      expect(r.err).toMatch(message);
      expect(r.code).toBe(2);
    }
    expect(ls(d)).toEqual(['bad-sprop.sdp', 'interleaved.sdp']);
  });

  it('refuses a stream that is not the codec it claims, naming the share of invalid packets, and writes nothing', () => {
    const d = fresh('notcodec');
    // Opus where 2 of every 3 packets are a code 3 packet with 0 frames (RFC 6716 §3.2.5: M must not
    // be 0): more invalid packets than frames.
    const f = join(d, 'broken-opus.pcap');
    const bad = (p: Uint8Array) => Uint8Array.of(...p.subarray(0, 12), 0xfb, 0x00);
    writeCapture(f, [{ source: corpusPath(file('opus-mono').path), map: (p, i) => (i % 3 ? bad(p) : p) }], 48000);
    for (const out of ['a.ogg', 'a.pcm']) {
      const r = cli('convert', f, '-o', join(d, out));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/broken-opus\.pcap: input is not Opus: 100 of 150 packets are not valid Opus \(RFC 6716 §3\.1\)/);
    }
    // VP8 announced as VP9: the VP8 key frames say what it is.
    const v = cli('convert', corpusPath(file('vp8').path), '-o', join(d, 'v.webm'), '--codec', 'vp9');
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/vp8\.pcap: input is not VP9: .* the payloads look like VP8 \(--codec vp8, \.webm\)/);
    const h = cli('convert', corpusPath(file('vp8').path), '-o', join(d, 'v.mp4'));
    expect(h.code).toBe(2);
    expect(h.err).toMatch(/vp8\.pcap: input is not H\.264: 144 of 144 packets are not valid H\.264 \(RFC 6184 §5\); the payloads look like VP8/);
    expect(ls(d)).toEqual(['broken-opus.pcap']);
  });

  it('removes the half-written output when interrupted (SIGINT → exit 130)', async () => {
    const d = fresh('sigint');
    const f = join(d, 'long.pcap');
    writeCapture(f, [{ source: corpusPath(file('opus-stereo').path), seconds: 600 }], 48000);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'convert', f, '-o', join(d, 'long.pcm')], {
      env: { ...process.env, TRACK_EGRESS_BACKEND: BACKEND },
    });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    // Wait until the output is being written, then interrupt.
    for (let i = 0; i < 600 && !ls(d).some((n) => n.endsWith('.part')); i++) await new Promise((r) => setTimeout(r, 50));
    expect(ls(d).some((n) => n.endsWith('.part'))).toBe(true);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(err).toMatch(/interrupted \(SIGINT\); no output written/);
    expect(code).toBe(130);
    expect(ls(d)).toEqual(['long.pcap']);
  });

  it('reads a capture from a pipe (spooled to a temporary file for the two passes)', () => {
    const d = fresh('pipe');
    // stdin of spawnSync is a socket; from a shell it is a pipe: both are spooled.
    const sh = run('bash', ['-c', `cat '${corpusPath(file('vp8').path)}' | '${process.execPath}' --import tsx src/cli/main.ts convert /dev/stdin -o '${join(d, 'sh.webm')}'`]);
    expect(sh.err).toBe('');
    expect(sh.out).toMatch(/^vp8: packets 144,/);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'convert', '-', '-o', join(d, 'p.webm')], {
      input: readFileSync(corpusPath(file('vp8').path)),
      encoding: 'utf8',
      env: { ...process.env, TRACK_EGRESS_BACKEND: BACKEND },
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^vp8: packets 144, lost 0, malformed 0.*frames 90,/);
    expect(cli('convert', corpusPath(file('vp8').path), '-o', join(d, 'f.webm')).code).toBe(0);
    expect(sha(join(d, 'p.webm'))).toBe(sha(join(d, 'f.webm')));
    expect(sha(join(d, 'sh.webm'))).toBe(sha(join(d, 'f.webm')));
  });
});

