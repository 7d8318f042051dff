/**
 * Opus RTP → PCM s16le: equals libopus's own decode (opusdec --no-dither) of the same packets,
 * keeps exactly the samples the RTP clock says across losses and DTX gaps, decodes natively at
 * other rates. That the two backends agree bit for bit is tested in opus-backend-parity.test.ts.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { readCapture, selectStream } from '../../src/capture/index.js';
import { convert } from '../../src/convert/convert.js';
import { PcmDecoder } from '../../src/core/pcm-decoder.js';
import { BACKEND, backendUnderTest } from '../support/backend.js';
import { type CorpusFile, corpusPath, loadCorpus, rtpFrameTimes } from '../support/corpus.js';
import { run } from '../support/ffmpeg.js';

const corpus = loadCorpus();
const out = mkdtempSync(join(tmpdir(), `te-pcm-${BACKEND}-`));
const opusFiles = corpus.files.filter((f) => f.codec === 'opus' && f.format === 'pcap' && f.name !== 'mixed');
const clean = opusFiles.filter((f) => f.impairment === 'none' && f.name === f.stream);
const channelsOf = (f: CorpusFile) => corpus.streams.find((s) => s.name === f.stream)!.channels as 1 | 2;

/** Decodes a capture's Opus stream with our PcmDecoder. */
async function decode(f: CorpusFile, opts: { sampleRate?: 48000 | 16000; outputChannels?: 1 | 2 } = {}): Promise<{ pcm: Int16Array; stats: Record<string, number> }> {
  const dec = PcmDecoder.withBackend(await backendUnderTest(), { channels: channelsOf(f), ...opts });
  const parts: Int16Array[] = [];
  for (const p of selectStream(readCapture(readFileSync(corpusPath(f.path))), { ssrc: f.ssrc })) {
    dec.push(p.data, p.timeUs);
    parts.push(dec.read());
  }
  parts.push(dec.finish());
  const stats = dec.stats();
  dec.close();
  const pcm = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    pcm.set(p, o);
    o += p.length;
  }
  return { pcm, stats };
}

/** libopus's own decode (opus-tools' opusdec, no dither) of our passthrough Ogg of the same packets. */
async function opusdecReference(f: CorpusFile, stereo: boolean): Promise<Int16Array> {
  const ogg = join(out, `${f.name}.ogg`);
  await convert({ input: corpusPath(f.path), output: ogg, sdp: corpusPath(f.sdp) });
  const raw = join(out, `${f.name}.${stereo ? 'st' : 'mono'}.raw`);
  const r = run('opusdec', ['--quiet', '--no-dither', '--rate', '48000', ...(stereo ? ['--force-stereo'] : []), ogg, raw]);
  expect(r.status, r.stderr).toBe(0);
  const b = readFileSync(raw);
  return new Int16Array(b.buffer, b.byteOffset, b.byteLength >> 1);
}

function maxAbsDiff(a: Int16Array, b: Int16Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe(`Opus → PCM (${BACKEND})`, () => {
  for (const f of clean) {
    it(`${f.name}: equals opusdec of the same packets, sample for sample`, async () => {
      // opusdec can force stereo but not mono: a stereo stream is compared in stereo only.
      for (const stereo of channelsOf(f) === 2 ? [true] : [true, false]) {
        const { pcm, stats } = await decode(f, { outputChannels: stereo ? 2 : 1 });
        const ref = await opusdecReference(f, stereo);
        expect(pcm.length).toBe(ref.length);
        // Decoded packets are bit-exact on both backends (libopus is built as Debian's opusdec's is:
        // float with the SSE kernels, SIMD128 in wasm). Concealed stretches (DTX) differ by at most
        // 1 LSB (measured: 526 samples of opus-dtx in stereo): opusdec conceals through libopus'
        // float API and rounds itself, we use the int16 API.
        const exact = stats.samplesConcealed === 0;
        expect(maxAbsDiff(pcm, ref)).toBeLessThanOrEqual(exact ? 0 : 1);
      }
    });
  }

  for (const f of opusFiles) {
    it(`${f.name}: the PCM timeline has exactly the samples the RTP clock says`, async () => {
      const { pcm, stats } = await decode(f);
      const rtp = await rtpFrameTimes(corpusPath(f.path), 48000);
      // From the first packet's RTP time to the end of the last packet (20 ms), to the sample:
      // gaps are concealed and trimmed, the first packet's lookahead overlap dropped.
      const expected = Math.round(rtp.at(-1)! * 48000) + 960;
      expect(pcm.length / 2).toBe(expected);
      if (f.impairment.includes('loss')) expect(stats.samplesConcealed).toBeGreaterThan(0);
      expect(stats.decodeErrors).toBe(0);
    });
  }

  it('decodes at 16 kHz mono with the same timeline (speech services)', async () => {
    const f = clean.find((x) => x.stream === 'opus-stereo')!;
    const full = (await decode(f)).pcm;
    const speech = (await decode(f, { sampleRate: 16000, outputChannels: 1 })).pcm;
    expect(speech.length * 3).toBe(full.length / 2);
    const rms = (a: Int16Array, step: number) => {
      let s = 0;
      for (let i = 0; i < a.length; i += step) s += a[i]! * a[i]!;
      return Math.sqrt(s / (a.length / step));
    };
    expect(rms(speech, 1)).toBeGreaterThan(rms(full, 2) * 0.7);
    expect(rms(speech, 1)).toBeLessThan(rms(full, 2) * 1.3);
  });

  it('rejects sample rates libopus cannot decode natively', async () => {
    const backend = await backendUnderTest();
    expect(() => PcmDecoder.withBackend(backend, { sampleRate: 44100 as never })).toThrow(/sampleRate/);
  });
});
