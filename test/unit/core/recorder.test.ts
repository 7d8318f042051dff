import { describe, expect, it } from 'vitest';

import { InvalidArgumentError, InvalidStateError } from '../../../src/core/errors.js';
import { PcmDecoder } from '../../../src/core/pcm-decoder.js';
import { Recorder } from '../../../src/core/recorder.js';
import { backendUnderTest, BACKEND } from '../../support/backend.js';
import { opusLikePayload, rtpPacket } from '../../support/rtp-builder.js';

/** The error class and `code` (the same on both backends) with a message matching `message`. */
const error = (code: string, message: RegExp) => expect.objectContaining({ code, message: expect.stringMatching(message) });

describe(`Recorder (${BACKEND})`, () => {
  it('validates options with clear messages', async () => {
    const backend = await backendUnderTest();
    expect(() => Recorder.withBackend(backend, { codec: 'av1' as never })).toThrow(
      /Expected one of h264, vp8, vp9, opus for codec but received "av1"/,
    );
    expect(() => Recorder.withBackend(backend, { codec: 'av1' as never })).toThrow(InvalidArgumentError);
    expect(() => Recorder.withBackend(backend, { codec: 'opus', channels: 3 as never })).toThrow(error('ERR_TE_INVALID_ARG', /channels/));
    expect(() => Recorder.withBackend(backend, { codec: 'vp8', reorderWaitMs: -1 })).toThrow(error('ERR_TE_INVALID_ARG', /reorderWaitMs/));
    expect(() => Recorder.withBackend(backend, { codec: 'vp8', payloadType: 200 })).toThrow(error('ERR_TE_INVALID_ARG', /payloadType/));
  });

  it('create() without an options object rejects with ERR_TE_INVALID_ARG, not a TypeError (Recorder and PcmDecoder)', async () => {
    const backend = await backendUnderTest();
    const noOptions = { code: 'ERR_TE_INVALID_ARG', message: expect.stringMatching(/^Expected an object for options but received (undefined|null)/) };
    await expect(Recorder.create(undefined as never)).rejects.toMatchObject(noOptions);
    await expect(Recorder.create(null as never)).rejects.toMatchObject(noOptions);
    await expect(PcmDecoder.create(null as never)).rejects.toMatchObject(noOptions);
    expect(() => PcmDecoder.withBackend(backend, null as never)).toThrow(InvalidArgumentError);
  });

  it('counts malformed datagrams and RTCP, and never crashes on garbage', async () => {
    const rec = Recorder.withBackend(await backendUnderTest(), { codec: 'opus' });
    rec.push(new Uint8Array([]), 0);
    rec.push(new Uint8Array([0x40, 0, 0, 1]), 0); // version 1
    rec.push(new Uint8Array([0x80, 0xc8, 0, 6, 1, 2, 3, 4]), 0); // RTCP SR header (PT 200)
    let seed = 7;
    for (let i = 0; i < 500; i++) {
      const len = (i * 13) % 90;
      const junk = new Uint8Array(len).map(() => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff);
      rec.push(junk, i * 1000);
    }
    rec.finish();
    const s = rec.stats();
    expect(s.datagrams).toBe(503);
    expect(s.malformed).toBeGreaterThanOrEqual(2);
    expect(s.rtcp).toBeGreaterThanOrEqual(1);
    expect(s.malformed + s.rtcp + s.received + s.filtered).toBe(503);
    expect(rec.heldPackets).toBe(0);
    rec.close();
  });

  it('muxes Opus into Ogg with output views that point into the pushed packets', async () => {
    const rec = Recorder.withBackend(await backendUnderTest(), { codec: 'opus', channels: 1 });
    expect(rec.mimeType).toBe('audio/ogg');
    const packets: Uint8Array[] = [];
    for (let i = 0; i < 100; i++) {
      const p = rtpPacket({ seq: 1000 + i, ts: 960 * i, marker: i === 0, payload: opusLikePayload(60) });
      packets.push(p);
      rec.push(p, i * 20_000);
    }
    const chunks = [...rec.read(), ...rec.finish()];
    const s = rec.stats();
    expect(s.frames).toBe(100);
    expect(s.lost).toBe(0);
    expect(Math.round(s.durationUs / 1000)).toBe(2000);
    // Ogg pages ("OggS" capture pattern, RFC 3533 §6) whose payload views are our packets' bytes.
    const firstRun = chunks[0]!.data[0]!;
    expect(String.fromCharCode(...firstRun.subarray(0, 4))).toBe('OggS');
    const viewsIntoPackets = chunks.flatMap((c) => c.data).filter((v) => packets.some((p) => p.buffer === v.buffer));
    expect(viewsIntoPackets.length).toBe(100);
    expect(viewsIntoPackets.every((v) => v.byteLength === 60)).toBe(true);
    expect(rec.heldPackets).toBe(0);
    rec.close();
  });

  it('rejects use after close and push after finish', async () => {
    const rec = Recorder.withBackend(await backendUnderTest(), { codec: 'vp8' });
    rec.finish();
    expect(() => rec.push(rtpPacket({ seq: 1, ts: 1, payload: [0x10, 0] }))).toThrow(error('ERR_TE_STATE', /finished/));
    rec.close();
    expect(() => rec.read()).toThrow(error('ERR_TE_STATE', /closed/));
    expect(() => rec.read()).toThrow(InvalidStateError);
  });

  it('reports gaps as lost after the reorder wait and asks for a keyframe', async () => {
    const rec = Recorder.withBackend(await backendUnderTest(), { codec: 'vp8', reorderWaitMs: 50 });
    // VP8 payload descriptor S=1 PID=0 (RFC 7741 §4.2) + a delta-frame header byte (P=1).
    const frame = (seq: number, ts: number) => rtpPacket({ seq, ts, marker: true, pt: 96, payload: [0x10, 0x01, 0, 0] });
    rec.push(frame(1, 0), 0);
    rec.push(frame(5, 9000), 10_000);
    expect(rec.missingSequences()).toEqual([2, 3, 4]);
    rec.poll(100_000);
    expect(rec.stats().lost).toBe(3);
    expect(rec.takeKeyframeRequest()).toBe(true);
    expect(rec.waitingForKeyframe).toBe(true); // only delta frames so far
    rec.close();
  });
});
