/**
 * Both backends decode Opus to the same PCM, bit for bit: the native addon and the wasm build
 * compile libopus with one configuration (native/third_party/opus.cmake: float, the SSE/SSE2 float
 * kernels — SIMD128 under Emscripten — no run-time CPU detection, -ffp-contract=off). Checked on the
 * field case whose packet duration switches 20/60/10/40/2.5 ms across SILK-less CELT and hybrid
 * modes (it was up to 15 LSB apart), and on every Opus capture of the corpus, including the lossy,
 * burst-loss, DTX, reordered, duplicated and malformed ones (concealment was up to 12 LSB apart).
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

import type { CoreBackend } from '../../src/core/backend.js';
import { loadBackend } from '../../src/core/load-backend.js';
import { decodeCapture } from '../support/core-run.js';
import { corpusPath, itCoversAtLeast, loadCorpus, opusTimelineSamples } from '../support/corpus.js';
import { gstreamerOpusPackets, maxAbsDiff } from '../support/gst-opus.js';

const FIELD = fileURLToPath(new URL('../fixtures/field-cases/opus-framesize-switch.pcap', import.meta.url));
const corpus = loadCorpus();
const opusFiles = corpus.files.filter((f) => f.codec === 'opus' && f.name !== 'mixed');

let native: CoreBackend;
let wasm: CoreBackend;
beforeAll(async () => {
  // Both, explicitly: a missing build fails the test instead of falling back.
  [native, wasm] = await Promise.all([loadBackend('native'), loadBackend('wasm')]);
});

type Opts = { channels: 1 | 2; outputChannels: 1 | 2; sampleRate: 48000 | 16000; ssrc?: number };
const decode = (backend: CoreBackend, file: string, o: Opts): Int16Array => decodeCapture(backend, file, o).pcm;

describe('Opus PCM: native and wasm decode identically', () => {
  it('field case with 20/60/10/40/2.5 ms packets: identical PCM, equal to GStreamer\'s opusdec of the same RTP', () => {
    const o: Opts = { channels: 2, outputChannels: 2, sampleRate: 48000 };
    const a = decode(native, FIELD, o);
    const b = decode(wasm, FIELD, o);
    expect(b.length).toBe(a.length);
    expect(maxAbsDiff(a, b)).toBe(0);
    // pcapparse → rtpopusdepay → opusdec: 533 packets decoded back to back (no gap, no lookahead
    // overlap), the 534th (code 1, odd length) invalid: the RTP time line from 123456 to 355416.
    const packets = gstreamerOpusPackets(FIELD, { payloadType: 111, channels: 2 });
    expect(packets.length).toBe(533);
    const ref = new Int16Array(packets.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of packets) {
      ref.set(p, at);
      at += p.length;
    }
    expect(ref.length).toBe(231960 * 2);
    expect(a.length).toBe(ref.length);
    expect(maxAbsDiff(a, ref)).toBe(0);
  });

  itCoversAtLeast(opusFiles, 11, 'Opus captures');

  for (const f of opusFiles) {
    const ch = corpus.streams.find((s) => s.name === f.stream)!.channels as 1 | 2;
    const variants: Opts[] = [{ channels: ch, outputChannels: 2, sampleRate: 48000, ssrc: f.ssrc }];
    if (ch === 1) variants.push({ channels: 1, outputChannels: 1, sampleRate: 48000, ssrc: f.ssrc });
    variants.push({ channels: ch, outputChannels: 1, sampleRate: 16000, ssrc: f.ssrc });
    it(`${f.path} (${f.impairment}): identical PCM at ${variants.map((v) => `${v.sampleRate / 1000} kHz/${v.outputChannels} ch`).join(', ')}`, () => {
      const file = corpusPath(f.path);
      const timeline = opusTimelineSamples(f);
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
