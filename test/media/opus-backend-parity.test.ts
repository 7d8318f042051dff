/**
 * Both backends decode Opus to the same PCM, bit for bit: the native addon and the wasm build
 * compile libopus with one configuration (native/third_party/opus.cmake: float, the SSE/SSE2 float
 * kernels — SIMD128 under Emscripten — no run-time CPU detection, -ffp-contract=off). Checked on the
 * field case whose packet duration switches 20/60/10/40/2.5 ms across SILK-less CELT and hybrid
 * modes (it was up to 15 LSB apart), and on every Opus capture of the corpus, including the lossy,
 * burst-loss, DTX, reordered, duplicated and malformed ones (concealment was up to 12 LSB apart).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

import { readCapture, selectStream, sniffRtp } from '../../src/capture/index.js';
import { convert } from '../../src/convert/convert.js';
import type { CoreBackend } from '../../src/core/backend.js';
import { loadBackend } from '../../src/core/load-backend.js';
import { PcmDecoder } from '../../src/core/pcm-decoder.js';
import { corpusPath, loadCorpus } from '../support/corpus.js';
import { run } from '../support/ffmpeg.js';

const FIELD = fileURLToPath(new URL('../fixtures/field-cases/opus-framesize-switch.pcap', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'te-opus-parity-'));
const corpus = loadCorpus();
const opusFiles = corpus.files.filter((f) => f.codec === 'opus' && f.name !== 'mixed');

let native: CoreBackend;
let wasm: CoreBackend;
beforeAll(async () => {
  // Both, explicitly: a missing build fails the test instead of falling back.
  [native, wasm] = await Promise.all([loadBackend('native'), loadBackend('wasm')]);
});

type Opts = { channels: 1 | 2; outputChannels: 1 | 2; sampleRate: 48000 | 16000; ssrc?: number };

function decode(backend: CoreBackend, file: string, o: Opts): Int16Array {
  const dec = PcmDecoder.withBackend(backend, { channels: o.channels, outputChannels: o.outputChannels, sampleRate: o.sampleRate });
  const parts: Int16Array[] = [];
  for (const p of selectStream(readCapture(readFileSync(file)), o.ssrc === undefined ? {} : { ssrc: o.ssrc })) {
    dec.push(p.data, p.timeUs);
    parts.push(dec.read());
  }
  parts.push(dec.finish());
  dec.close();
  const pcm = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    pcm.set(p, at);
    at += p.length;
  }
  return pcm;
}

/** Largest |a[i] − b[i]| (the arrays have equal length when this is called). */
function maxAbsDiff(a: Int16Array, b: Int16Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * Duration in 48 kHz samples of an Opus packet, or undefined if it is not a valid packet
 * (RFC 6716 §3.1 TOC byte and §3.2 frame packing, rules R1–R7 as far as the length is concerned).
 */
function opusPacketSamples(p: Uint8Array): number | undefined {
  if (p.length < 1) return undefined;
  const config = p[0]! >> 3;
  // §3.1 Table 2: SILK 10/20/40/60 ms, hybrid 10/20 ms, CELT 2.5/5/10/20 ms.
  const frame = config < 12 ? [480, 960, 1920, 2880][config & 3]! : config < 16 ? [480, 960][config & 1]! : [120, 240, 480, 960][config & 3]!;
  const code = p[0]! & 3;
  const n = p.length - 1;
  if (code === 0) return n <= 1275 ? frame : undefined; // §3.2.2
  if (code === 1) return n % 2 === 0 && n / 2 <= 1275 ? 2 * frame : undefined; // §3.2.3 (R3)
  if (code === 2) { // §3.2.4: first frame's length in 1 or 2 bytes
    if (n < 1) return undefined;
    const two = p[1]! >= 252;
    if (two && n < 2) return undefined;
    const len1 = two ? p[2]! * 4 + p[1]! : p[1]!;
    const rest = n - (two ? 2 : 1);
    return len1 <= rest && len1 <= 1275 && rest - len1 <= 1275 ? 2 * frame : undefined;
  }
  if (n < 1) return undefined; // code 3, §3.2.5: frame count byte
  const m = p[1]! & 0x3f;
  return m >= 1 && m * frame <= 5760 ? m * frame : undefined; // R5: at most 120 ms
}

/**
 * The RTP time line of a capture's Opus stream in 48 kHz samples: from the first packet's RTP
 * timestamp to the end of the last valid packet (its timestamp + its duration from the TOC).
 */
function rtpTimelineSamples(file: string, ssrc?: number): number {
  let first: number | undefined;
  let end = 0;
  for (const p of selectStream(readCapture(readFileSync(file)), ssrc === undefined ? {} : { ssrc })) {
    const h = sniffRtp(p.data)!;
    first ??= h.timestamp;
    const headerLen = 12 + 4 * (p.data[0]! & 0x0f);
    const padding = p.data[0]! & 0x20 ? p.data[p.data.length - 1]! : 0;
    const dur = opusPacketSamples(p.data.subarray(headerLen, p.data.length - padding));
    if (dur !== undefined) end = Math.max(end, ((h.timestamp - first) | 0) + dur); // signed: unwraps
  }
  return end;
}

describe('Opus PCM: native and wasm decode identically', () => {
  it('field case with 20/60/10/40/2.5 ms packets: identical PCM, the RTP time line long', () => {
    const o: Opts = { channels: 2, outputChannels: 2, sampleRate: 48000 };
    const a = decode(native, FIELD, o);
    const b = decode(wasm, FIELD, o);
    // 534 packets from RTP 123456 to 355416; the last one (code 1, odd length) is invalid.
    expect(rtpTimelineSamples(FIELD)).toBe(231960);
    expect(a.length).toBe(231960 * 2);
    expect(b.length).toBe(a.length);
    expect(maxAbsDiff(a, b)).toBe(0);
  });

  it('field case: both equal opusdec --no-dither of the same packets, sample for sample', async () => {
    const ogg = join(out, 'framesize-switch.ogg');
    await convert({ input: FIELD, output: ogg });
    const raw = join(out, 'framesize-switch.raw');
    const r = run('opusdec', ['--quiet', '--no-dither', '--rate', '48000', '--force-stereo', ogg, raw]);
    expect(r.status, r.stderr).toBe(0);
    const bytes = readFileSync(raw);
    const ref = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1);
    for (const backend of [native, wasm]) {
      const pcm = decode(backend, FIELD, { channels: 2, outputChannels: 2, sampleRate: 48000 });
      expect(pcm.length).toBe(ref.length);
      expect(maxAbsDiff(pcm, ref)).toBe(0);
    }
  });

  for (const f of opusFiles) {
    const ch = corpus.streams.find((s) => s.name === f.stream)!.channels as 1 | 2;
    const variants: Opts[] = [{ channels: ch, outputChannels: 2, sampleRate: 48000, ssrc: f.ssrc }];
    if (ch === 1) variants.push({ channels: 1, outputChannels: 1, sampleRate: 48000, ssrc: f.ssrc });
    variants.push({ channels: ch, outputChannels: 1, sampleRate: 16000, ssrc: f.ssrc });
    it(`${f.path} (${f.impairment}): identical PCM at ${variants.map((v) => `${v.sampleRate / 1000} kHz/${v.outputChannels} ch`).join(', ')}`, () => {
      const file = corpusPath(f.path);
      const timeline = rtpTimelineSamples(file, f.ssrc);
      for (const v of variants) {
        const a = decode(native, file, v);
        const b = decode(wasm, file, v);
        expect(a.length).toBe((timeline * v.outputChannels * v.sampleRate) / 48000);
        expect(b.length).toBe(a.length);
        expect(maxAbsDiff(a, b)).toBe(0);
      }
    });
  }
});
