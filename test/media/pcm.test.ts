/**
 * Opus RTP → PCM s16le: equals GStreamer's decode of the same RTP (pcapparse → rtpopusdepay →
 * opusdec, the system libopus), laid on the RTP time line from the corpus' own record of the RTP
 * timestamps; keeps exactly the samples the RTP clock says across losses and DTX gaps, decodes
 * natively at other rates. That the two backends agree bit for bit is tested in
 * opus-backend-parity.test.ts.
 */
import { describe, expect, it } from 'vitest';

import { PcmDecoder } from '../../src/core/pcm-decoder.js';
import { BACKEND, backendUnderTest } from '../support/backend.js';
import { decodeCapture } from '../support/core-run.js';
import { type CorpusFile, corpusPath, itCoversAtLeast, loadCorpus, opusTimelineSamples, rtpTimestamps } from '../support/corpus.js';
import { gstreamerOpusPackets, maxAbsDiff, onRtpTimeline } from '../support/gst-opus.js';

const corpus = loadCorpus();
const opusFiles = corpus.files.filter((f) => f.codec === 'opus' && f.format === 'pcap' && f.name !== 'mixed');
// The streams as sent (opus-mono, opus-stereo, opus-dtx) and one with random loss: GStreamer
// decodes them in capture order, which is RTP order (no jitter buffer needed).
const compared = opusFiles.filter((f) => (f.impairment === 'none' && f.name === f.stream) || f.name === 'opus-stereo.loss');
const channelsOf = (f: CorpusFile) => corpus.streams.find((s) => s.name === f.stream)!.channels as 1 | 2;

/** Decodes a capture's Opus stream with our PcmDecoder on the backend under test. */
async function decode(f: CorpusFile, opts: { sampleRate?: 48000 | 16000; outputChannels?: 1 | 2 } = {}) {
  return decodeCapture(await backendUnderTest(), corpusPath(f.path), { channels: channelsOf(f), ssrc: f.ssrc, ...opts });
}

describe(`Opus → PCM (${BACKEND})`, () => {
  itCoversAtLeast(compared, 4, 'Opus captures compared with GStreamer');

  for (const f of compared) {
    it(`${f.name}: equals GStreamer's opusdec of the same RTP, sample for sample, at 1 and 2 channels`, async () => {
      for (const channels of [1, 2] as const) {
        const { pcm, stats } = await decode(f, { outputChannels: channels });
        const frames = opusTimelineSamples(f);
        expect(pcm.length).toBe(frames * channels);
        const packets = gstreamerOpusPackets(corpusPath(f.path), { payloadType: f.payloadType, channels, dstPort: 5004 });
        const ref = onRtpTimeline(packets, rtpTimestamps(f), channels, frames);
        // What no packet covers (DTX gaps, losses) is exactly what we concealed; GStreamer, with
        // no PLC, has nothing there to compare.
        expect(frames - ref.covered.reduce((n, c) => n + c, 0)).toBe(stats.samplesConcealed);
        // Packets decode bit-exactly (same libopus version and float build). After a concealed
        // stretch our decoder state carries the concealment and GStreamer's does not: at most
        // 1 LSB apart (measured: opus-dtx 258 samples mono / 554 stereo, opus-stereo.loss 89 / 196).
        expect(maxAbsDiff(pcm, ref.pcm, channels, ref.covered)).toBeLessThanOrEqual(stats.samplesConcealed === 0 ? 0 : 1);
      }
    });
  }

  itCoversAtLeast(opusFiles, 10, 'Opus pcap captures');

  for (const f of opusFiles) {
    it(`${f.name}: the PCM timeline has exactly the samples the RTP clock says`, async () => {
      const { pcm, stats } = await decode(f);
      // From the first packet's RTP time to the end of the last packet (20 ms), to the sample:
      // gaps are concealed and trimmed, the first packet's lookahead overlap dropped.
      expect(pcm.length / 2).toBe(opusTimelineSamples(f));
      if (f.impairment.includes('loss')) expect(stats.samplesConcealed).toBeGreaterThan(0);
      expect(stats.decodeErrors).toBe(0);
    });
  }

  it('decodes at 16 kHz mono with the same timeline (speech services)', async () => {
    const f = compared.find((x) => x.name === 'opus-stereo')!;
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
