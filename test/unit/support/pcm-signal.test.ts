/**
 * The WebSocket PCM tests' signal analysis (test/support/pcm-signal.ts), checked on an independent
 * codec path: the generator's signal encoded by ffmpeg's libopus (VoIP mode, 32 kbit/s, as WebRTC
 * sends it) and decoded by ffmpeg's own Opus decoder, at LiveKit's format (48 kHz stereo) and at
 * 16 kHz mono. The clicks are found at their sample positions, the sine's frequency comes out right
 * per channel, silence is measured to the millisecond — and the mix-ups the end-to-end tests must
 * catch (stereo read as mono, 16 kHz read as 48 kHz) do move the frequency.
 */
import { spawnSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import {
  CLICK,
  FEED_RATE,
  SignalGenerator,
  dominantFrequency,
  findClicks,
  matchClicks,
  pcmFrom,
  pcmSeconds,
  silentRuns,
  type Pcm,
} from '../../support/pcm-signal.js';

/** Raw s16le in → Opus (libopus) → raw s16le out at `rate`/`channels` (ffmpeg's native decoder). */
function opusRoundTrip(input: Int16Array, inChannels: number, rate: number, channels: number): Pcm {
  const enc = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-f', 's16le', '-ar', String(FEED_RATE), '-ac', String(inChannels), '-i', '-',
    '-c:a', 'libopus', '-application', 'voip', '-b:a', `${32 * inChannels}k`, '-frame_duration', '20', '-f', 'ogg', '-'],
  { input: Buffer.from(input.buffer, input.byteOffset, input.byteLength), maxBuffer: 64 << 20 });
  if (enc.status !== 0) throw new Error(`ffmpeg encode: ${enc.stderr}`);
  const dec = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-c:a', 'opus', '-i', '-', '-f', 's16le', '-ar', String(rate), '-ac', String(channels), '-'],
    { input: enc.stdout, maxBuffer: 64 << 20 });
  if (dec.status !== 0) throw new Error(`ffmpeg decode: ${dec.stderr}`);
  return pcmFrom(dec.stdout, rate, channels);
}

/** `seconds` of the signal: `preRollSec` of sine, then the marker and clicks at `clicksSec` after it. */
function signal(channels: number, seconds: number, preRollSec: number, clicksSec: number[], silence?: [number, number]): Int16Array {
  const gen = new SignalGenerator(channels);
  const marker = preRollSec * FEED_RATE;
  for (const c of [0, ...clicksSec]) gen.clickAt(marker + Math.round(c * FEED_RATE));
  const out = new Int16Array(seconds * FEED_RATE * channels);
  const frame = 480 * channels;
  for (let i = 0; i < out.length; i += frame) gen.render(out.subarray(i, i + frame));
  if (silence) out.fill(0, silence[0] * FEED_RATE * channels, silence[1] * FEED_RATE * channels);
  return out;
}

const CLICKS = [0.5, 1.25, 2.0];

describe('PCM signal analysis on ffmpeg libopus round trips', () => {
  for (const fmt of [{ rate: 48000, channels: 2 }, { rate: 16000, channels: 1 }, { rate: 24000, channels: 2 }, { rate: 8000, channels: 1 }]) {
    it(`mono signal decoded at ${fmt.rate} Hz × ${fmt.channels}: length, clicks, frequency per channel`, () => {
      const pcm = opusRoundTrip(signal(1, 3, 0.3, CLICKS), 1, fmt.rate, fmt.channels);
      expect(Math.abs(pcmSeconds(pcm) - 3)).toBeLessThan(0.021); // ogg pre-skip / end trimming
      const clicks = findClicks(pcm);
      expect(clicks).toHaveLength(4);
      expect(Math.abs(clicks[0]! - 0.3)).toBeLessThan(0.005);
      const { errors, extra } = matchClicks(clicks, [0, ...CLICKS]);
      expect(extra).toEqual([]);
      for (const e of errors) expect(Math.abs(e)).toBeLessThan(0.003);
      for (let c = 0; c < fmt.channels; c++) {
        expect(dominantFrequency(pcm, c, { fromSec: 0.85, toSec: 1.2 })).toBeCloseTo(440, 0);
        expect(dominantFrequency(pcm, c, { fromSec: 2.1, toSec: 2.9 })).toBeCloseTo(440, 0);
      }
      expect(silentRuns(pcm)).toEqual([]);
    });
  }

  it('stereo signal (440 Hz left, 660 Hz right) at 48 kHz stereo: each channel its own frequency', () => {
    const pcm = opusRoundTrip(signal(2, 2, 0.2, [1.0]), 2, 48000, 2);
    expect(dominantFrequency(pcm, 0, { fromSec: 0.3, toSec: 1.1 })).toBeCloseTo(440, 0);
    expect(dominantFrequency(pcm, 1, { fromSec: 0.3, toSec: 1.1 })).toBeCloseTo(660, 0);
    expect(findClicks(pcm).map((t) => Math.round(t * 100) / 100)).toEqual([0.2, 1.2]);
  });

  it('a zeroed second (a mute) is one silent run of 1.000 s ± 10 ms; the clicks after it stay in place', () => {
    const pcm = opusRoundTrip(signal(1, 4, 0.3, [0.5, 3.0], [1.5, 2.5]), 1, 48000, 2);
    const runs = silentRuns(pcm);
    expect(runs).toHaveLength(1);
    expect(Math.abs(runs[0]!.startSec - 1.5)).toBeLessThan(0.01);
    expect(Math.abs(runs[0]!.durationSec - 1.0)).toBeLessThan(0.01);
    for (const e of matchClicks(findClicks(pcm), [0, 0.5, 3.0]).errors) expect(Math.abs(e)).toBeLessThan(0.003);
  });

  it('the mix-ups the end-to-end tests must catch move the frequency (stereo as mono ×½, 16 kHz as 48 kHz ×3)', () => {
    const stereo = opusRoundTrip(signal(1, 2, 0.2, []), 1, 48000, 2);
    const bytes = (p: Pcm) => new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength);
    // Interleaved L R L R read as mono: every sample twice, so half the frequency (and double the length).
    const asMono = pcmFrom(bytes(stereo), 48000, 1);
    expect(dominantFrequency(asMono, 0, { fromSec: 0.5, toSec: 1.5 })).toBeCloseTo(220, 0);
    expect(pcmSeconds(asMono)).toBeCloseTo(2 * pcmSeconds(stereo), 3);
    const mono16 = opusRoundTrip(signal(1, 2, 0.2, []), 1, 16000, 1);
    expect(dominantFrequency(pcmFrom(bytes(mono16), 48000, 1), 0, { fromSec: 0.1, toSec: 0.5 })).toBeCloseTo(1320, 0);
    // Mono read as stereo: each "channel" gets every other sample — twice the frequency.
    expect(dominantFrequency(pcmFrom(bytes(mono16), 16000, 2), 1, { fromSec: 0.2, toSec: 0.7 })).toBeCloseTo(880, 0);
  });

  it('findClicks ignores the sine and Opus ringing; the threshold is twice the sine amplitude', () => {
    const pcm = opusRoundTrip(signal(1, 1, 0.9, []), 1, 48000, 1);
    let peakBeforeMarker = 0;
    for (let i = 0; i < 0.85 * 48000; i++) peakBeforeMarker = Math.max(peakBeforeMarker, Math.abs(pcm.data[i]!));
    expect(peakBeforeMarker).toBeGreaterThan(7000);
    expect(peakBeforeMarker).toBeLessThan(CLICK.threshold * 0.75);
    expect(findClicks(pcm)).toHaveLength(1);
  });
});
