/**
 * PcmTimeline: fixed-size messages for every rate / channel count / message duration, exact sample
 * counts across gaps (silence inserted in real time G after the last PCM, then matched against the
 * decoder's concealment of the timestamp jump, or kept when there was no jump), the last message
 * zero-padded. Expected values come from arithmetic on the inputs, never from the timeline itself.
 */
import { describe, expect, it } from 'vitest';

import { PCM_SAMPLE_RATES } from '../../src/egress/websocket/pcm-stream-options.js';
import { PcmTimeline } from '../../src/egress/websocket/pcm-timeline.js';

const G = 150_000; // µs: reorderWaitMs 50 + 100

/** A timeline whose messages are copied into `out`. */
function make(rate: number, channels: number, frameSamples: number) {
  const out: Int16Array[] = [];
  const t = new PcmTimeline({ sampleRate: rate, channels, frameSamples, silenceAfterUs: G }, (m) => out.push(m.slice()));
  const all = () => {
    const a = new Int16Array(out.reduce((n, m) => n + m.length, 0));
    let at = 0;
    for (const m of out) {
      a.set(m, at);
      at += m.length;
    }
    return a;
  };
  return { t, out, all };
}

/** `frames` interleaved frames whose samples are `value(frameIndex, channel)`. */
function pcmOf(frames: number, channels: number, value: (i: number, c: number) => number): Int16Array {
  const a = new Int16Array(frames * channels);
  for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) a[i * channels + c] = value(i, c);
  return a;
}

/** Index of the first difference of two sample arrays (their lengths included), -1 when equal. */
function mismatch(a: Int16Array, b: Int16Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** A ramp that tells positions apart: frame i, channel c → (i mod 16000) · 2 + c + 1 (never 0). */
const ramp = (offset: number) => (i: number, c: number) => (((offset + i) % 16000) * 2 + c + 1);

describe('PcmTimeline', () => {
  it('cuts messages of exactly frameSamples × channels for every rate, channel count and message duration (10..60 ms)', () => {
    let combos = 0;
    for (const rate of PCM_SAMPLE_RATES) {
      for (const channels of [1, 2]) {
        for (let ms = 10; ms <= 60; ms++) {
          const frameSamples = (rate * ms) / 1000;
          const { t, out, all } = make(rate, channels, frameSamples);
          // Pieces of irregular sizes (a 20 ms packet, odd sizes, one larger than a message).
          const sizes = [rate / 50, 7, 1, frameSamples + 3, rate / 50, 13, 2 * frameSamples];
          let total = 0;
          for (const n of sizes) {
            t.pcm(pcmOf(n, channels, ramp(total)), 0, 0);
            total += n;
          }
          expect(out.length).toBe(Math.floor(total / frameSamples));
          t.end();
          const messages = Math.ceil(total / frameSamples);
          expect(out.length).toBe(messages);
          for (const m of out) expect(m.length).toBe(frameSamples * channels);
          expect(t.positionFrames).toBe(messages * frameSamples);
          const a = all();
          expect(mismatch(a.subarray(0, total * channels), pcmOf(total, channels, ramp(0)))).toBe(-1);
          expect(a.subarray(total * channels).every((v) => v === 0)).toBe(true);
          combos++;
        }
      }
    }
    expect(combos).toBe(5 * 2 * 51);
  });

  it('hands each message out as soon as it is complete', () => {
    const { t, out } = make(48000, 2, 480);
    t.pcm(pcmOf(479, 2, ramp(0)), 0, 0);
    expect(out.length).toBe(0);
    t.pcm(pcmOf(1, 2, ramp(479)), 0, 0);
    expect(out.length).toBe(1);
    t.pcm(pcmOf(960, 2, ramp(480)), 0, 0);
    expect(out.length).toBe(3);
  });

  it('inserts nothing before the first PCM', () => {
    const { t, out } = make(48000, 2, 480);
    for (let now = 0; now < 5_000_000; now += 20_000) t.tick(now);
    expect(out.length).toBe(0);
    expect(t.positionFrames).toBe(0);
    expect(t.started).toBe(false);
  });

  it('inserts silence in real time once the last PCM is older than G: (t − T − G) · rate frames, whatever the tick times', () => {
    const rate = 16000;
    const { t, all } = make(rate, 1, 160);
    const T = 1_000_000;
    t.pcm(pcmOf(320, 1, ramp(0)), 0, T);
    t.tick(T + G); // not older than G yet
    expect(t.positionFrames).toBe(320);
    for (const dt of [G + 20_000, G + 33_000, G + 34_000, G + 500_001, G + 1_250_000]) {
      t.tick(T + dt);
      expect(t.silenceInsertedFrames).toBe(Math.floor(((dt - G) * rate) / 1e6));
      expect(t.positionFrames).toBe(320 + Math.floor(((dt - G) * rate) / 1e6));
    }
    t.tick(T + G + 1_000_000); // time going backwards inserts nothing
    expect(t.silenceInsertedFrames).toBe(20_000);
    expect(all().subarray(320).every((v) => v === 0)).toBe(true);
  });

  /**
   * 1 s of 20 ms packets arriving in real time, then no packet for `gapUs` (ticks every 20 ms),
   * then one 20 ms packet whose PCM starts with `concealed` frames of concealment (the decoder's
   * fill of the timestamp jump, marked -7) — pieces of at most 1 s, as PcmDecoder.drain() yields.
   */
  function gapScenario(gapUs: number, concealed: number) {
    const rate = 48000;
    const channels = 2;
    const { t, all } = make(rate, channels, 480);
    let at = 0;
    let now = 0;
    for (let p = 0; p < 50; p++) {
      now += 20_000;
      t.pcm(pcmOf(960, channels, ramp(at)), 0, now);
      at += 960;
      t.tick(now + 10_000);
    }
    const last = now;
    for (let tick = last + 20_000; tick < last + gapUs; tick += 20_000) t.tick(tick);
    const inserted = t.silenceInsertedFrames;
    now = last + gapUs;
    const pieces: Int16Array[] = [];
    const after = new Int16Array((concealed + 960) * channels);
    after.fill(-7, 0, concealed * channels);
    after.set(pcmOf(960, channels, ramp(1_000_000)), concealed * channels);
    for (let i = 0; i < after.length; i += rate * channels) pieces.push(after.subarray(i, i + rate * channels));
    let left = concealed;
    for (const piece of pieces) {
      const k = Math.min(left, piece.length / channels);
      left -= k;
      t.pcm(piece, k, now);
    }
    t.end();
    return { t, pcm: all(), inserted, before: at, channels };
  }

  it('mute with a timestamp jump: the concealment of the jump is dropped up to the silence inserted, the total follows the RTP clock exactly', () => {
    const gapUs = 3_000_000;
    // RTP: the next packet starts 3 s after the last one (whose 20 ms are already in), so the
    // decoder conceals 3 s − 20 ms = 143 040 frames before it.
    const concealed = 3 * 48000 - 960;
    const { t, pcm, inserted, before, channels } = gapScenario(gapUs, concealed);
    // Silence started G after the last PCM and followed real time until the packet came.
    expect(inserted).toBe(Math.floor(((gapUs - 20_000 - G) * 48000) / 1e6));
    expect(inserted).toBeLessThan(concealed);
    const rtpFrames = before + concealed + 960;
    expect(t.positionFrames).toBe(Math.ceil(rtpFrames / 480) * 480); // to within one message (end padding)
    expect(t.silenceKeptFrames).toBe(0);
    // Layout: the 1 s before, the inserted zeros, the rest of the concealment, the new packet at its RTP position.
    expect(mismatch(pcm.subarray(0, before * channels), pcmOf(before, channels, ramp(0)))).toBe(-1);
    expect(pcm.subarray(before * channels, (before + inserted) * channels).every((v) => v === 0)).toBe(true);
    expect(pcm.subarray((before + inserted) * channels, (before + concealed) * channels).every((v) => v === -7)).toBe(true);
    expect(mismatch(pcm.subarray((before + concealed) * channels, rtpFrames * channels), pcmOf(960, channels, ramp(1_000_000)))).toBe(-1);
  });

  it('a jump shorter than the silence inserted: all of its concealment is dropped, the rest of the silence stays', () => {
    const concealed = 48000; // 1 s jump after a 3 s stall
    const { t, pcm, inserted, before, channels } = gapScenario(3_000_000, concealed);
    expect(inserted).toBeGreaterThan(concealed);
    expect(t.silenceKeptFrames).toBe(inserted - concealed);
    const total = before + inserted + 960;
    expect(t.positionFrames).toBe(Math.ceil(total / 480) * 480);
    expect(pcm.subarray(before * channels, (before + inserted) * channels).every((v) => v === 0)).toBe(true);
    expect(mismatch(pcm.subarray((before + inserted) * channels, total * channels), pcmOf(960, channels, ramp(1_000_000)))).toBe(-1);
  });

  it('no jump (the packets resume where they stopped): the inserted silence stays and the timeline re-anchors', () => {
    const { t, pcm, inserted, before, channels } = gapScenario(2_000_000, 0);
    expect(inserted).toBe(Math.floor(((2_000_000 - 20_000 - G) * 48000) / 1e6));
    expect(t.silenceKeptFrames).toBe(inserted);
    const total = before + inserted + 960;
    expect(t.positionFrames).toBe(Math.ceil(total / 480) * 480);
    expect(mismatch(pcm.subarray((before + inserted) * channels, total * channels), pcmOf(960, channels, ramp(1_000_000)))).toBe(-1);
    // Re-anchored: the next gap starts counting from the new packet.
    expect(t.reconciling).toBe(false);
  });

  it('a gap shorter than G inserts nothing; the decoder concealment is kept as is', () => {
    const { t, pcm, inserted, before, channels } = gapScenario(100_000, 4800 - 960);
    expect(inserted).toBe(0);
    const total = before + 4800 - 960 + 960;
    expect(t.positionFrames).toBe(Math.ceil(total / 480) * 480);
    expect(pcm.subarray(before * channels, (before + 3840) * channels).every((v) => v === -7)).toBe(true);
  });

  it('pads the last partial message with zeros to full size, once', () => {
    const { t, out } = make(24000, 1, 240 * 3); // 30 ms messages
    t.pcm(pcmOf(1000, 1, ramp(0)), 0, 0);
    expect(out.length).toBe(1);
    t.end();
    t.end();
    expect(out.length).toBe(2);
    expect(mismatch(out[1]!.subarray(0, 280), pcmOf(280, 1, ramp(720)))).toBe(-1);
    expect(out[1]!.subarray(280).every((v) => v === 0)).toBe(true);
    expect(t.positionFrames).toBe(1440);
    t.pcm(pcmOf(1000, 1, ramp(0)), 0, 0); // ignored after end
    t.tick(10_000_000);
    expect(out.length).toBe(2);
  });

  it('a message boundary inside silence and PCM keeps both in order', () => {
    const { t, all } = make(8000, 1, 80);
    t.pcm(pcmOf(50, 1, ramp(0)), 0, 0);
    t.tick(G + 3_000); // 24 frames of silence: the first message is 50 + 24 frames, not complete
    expect(t.positionFrames).toBe(74);
    t.pcm(pcmOf(10, 1, ramp(500)), 0, G + 4_000);
    t.end();
    const a = all();
    expect(a.length).toBe(160);
    expect(mismatch(a.subarray(0, 50), pcmOf(50, 1, ramp(0)))).toBe(-1);
    expect(a.subarray(50, 74).every((v) => v === 0)).toBe(true);
    expect(mismatch(a.subarray(74, 84), pcmOf(10, 1, ramp(500)))).toBe(-1);
    expect(a.subarray(84).every((v) => v === 0)).toBe(true);
  });

  it('an event-loop stall: the first late tick is to be skipped (packets are still queued behind it), never two in a row', () => {
    const { t } = make(48000, 2, 480);
    const on = [0, 20_000, 40_000, 300_000, 320_000, 400_000, 500_000, 600_000, 620_000].map((now) => t.onTime(now));
    expect(on).toEqual([true, true, true, false, true, false, true, false, true]);
  });

  it('a skipped tick inserts nothing; the packets queued during the stall re-anchor the timeline, so no silence is added for the stall', () => {
    const { t } = make(48000, 2, 480);
    let now = 0;
    for (let p = 0; p < 10; p++) {
      now += 20_000;
      t.pcm(pcmOf(960, 2, ramp(p * 960)), 0, now);
      if (t.onTime(now + 5_000)) t.tick(now + 5_000);
    }
    // 500 ms stall: the timer runs first (late: skipped), then the 25 packets queued meanwhile.
    const stalled = now + 500_000;
    expect(t.onTime(stalled)).toBe(false);
    for (let p = 0; p < 25; p++) t.pcm(pcmOf(960, 2, ramp(0)), 0, stalled);
    expect(t.onTime(stalled + 20_000)).toBe(true);
    t.tick(stalled + 20_000);
    expect(t.silenceInsertedFrames).toBe(0);
    expect(t.positionFrames).toBe(35 * 960);
  });
});
