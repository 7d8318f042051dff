import { describe, expect, it } from 'vitest';

import { PcmDecoder } from '../../../src/core/pcm-decoder.js';
import { BACKEND, backendUnderTest } from '../../support/backend.js';
import { opusLikePayload, rtpPacket } from '../../support/rtp-builder.js';

/** 50 packets (1 s), then a genuine `gapS` pause (the arrival clock agrees), then 50 packets. */
function pushTalkSpurts(dec: PcmDecoder, gapS: number): void {
  let seq = 0;
  for (let i = 0; i < 100; i++) {
    const gap = i >= 50 ? gapS : 0;
    dec.push(rtpPacket({ seq: seq++, ts: 960 * i + gap * 48000, payload: opusLikePayload() }), i * 20_000 + gap * 1e6);
  }
}

describe(`PcmDecoder (${BACKEND})`, () => {
  it('drain() yields at most one second per piece, read() concatenates the same samples', async () => {
    const backend = await backendUnderTest();
    const a = PcmDecoder.withBackend(backend, { channels: 1 });
    pushTalkSpurts(a, 120);
    a.end();
    const pieces = [...a.drain()];
    const oneSecond = 48000 * 2;
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(oneSecond);
    const total = pieces.reduce((n, p) => n + p.length, 0);
    // 2 s of packets + 120 s of pause, stereo; the first packet's encoder overlap at most less.
    expect(total).toBeLessThanOrEqual((100 * 960 + 120 * 48000) * 2);
    expect(total).toBeGreaterThan((98 * 960 + 120 * 48000) * 2);
    expect(pieces.length).toBeGreaterThanOrEqual(120);
    expect([...a.drain()]).toEqual([]);
    expect(a.stats().timestampOutliers).toBe(0);

    const b = PcmDecoder.withBackend(backend, { channels: 1 });
    pushTalkSpurts(b, 120);
    const all = b.finish();
    expect(all.length).toBe(total);
    let at = 0;
    const bytes = (x: Int16Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
    for (const p of pieces) {
      expect(Buffer.compare(bytes(all.subarray(at, at + p.length)), bytes(p))).toBe(0);
      at += p.length;
    }
    expect(b.read().length).toBe(0);
    a.close();
    b.close();
  });

  it('a packet stamped an hour ahead of its arrival is dropped as one lost packet, not an hour of PCM', async () => {
    const dec = PcmDecoder.withBackend(await backendUnderTest(), { channels: 1 });
    let samples = 0;
    for (let i = 0; i < 150; i++) {
      const ts = 715083055 + 960 * i + (i === 75 ? 3120 * 48000 : 0);
      dec.push(rtpPacket({ seq: 3100 + i, ts, payload: opusLikePayload() }), i * 20_000);
      for (const p of dec.drain()) samples += p.length;
    }
    dec.end();
    for (const p of dec.drain()) samples += p.length;
    const s = dec.stats();
    expect(s.timestampOutliers).toBe(1);
    expect(s.padding).toBe(0);
    expect(samples).toBeLessThanOrEqual(150 * 960 * 2);
    expect(samples).toBeGreaterThanOrEqual(148 * 960 * 2);
    dec.close();
  });
});
