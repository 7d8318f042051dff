// End to end per codec: an rtc-node publisher sends H.264, VP9 and Opus to a real livekit-server
// v1.13.5; subscribeTrack() receives each by SID; ≥ 4 s of the received RTP go through the media
// core's Recorder into MP4 / WebM / Ogg, which ffprobe and ffmpeg must read and decode silently.
// (VP8 → WebM is recorded in subscribe-track.test.ts.) AV1 must be refused with a clear error.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODECS, codecFromEncodingName } from '../../src/core/codec.js';
import { LiveKitErrorCode } from '../../src/livekit/errors.js';
import { decoderErrors } from '../support/ffmpeg.js';
import { probe, recordSource } from '../support/livekit-record.js';
import { useLiveKitTestBed } from '../support/livekit-testbed.js';

const bed = useLiveKitTestBed('livekit-codecs');

const subscribe = (roomName: string, trackSid: string, identity: string) =>
  bed.subscribe(bed.options(roomName, trackSid, { identity, trackTimeoutMs: 10_000 }));

const RECORD_MS = 4200;

describe('codecs end to end (subscribeTrack → Recorder → ffmpeg)', () => {
  it('H.264 → MP4, VP9 → WebM, Opus → Ogg: clean decode, frames, duration ≈ received span', async () => {
    const room = `codecs-${process.pid}`;
    const pub = await bed.publisher(room, 'paula');
    const h264 = await pub.publishVideo('h264');
    const vp9 = await pub.publishVideo('vp9');
    const opus = await pub.publishAudio({ frequency: 330 });

    const cases = [
      { sid: h264.sid, mime: 'video/H264', codec: 'h264', container: 'h264', minFrames: 40 },
      { sid: vp9.sid, mime: 'video/VP9', codec: 'vp9', container: 'vp9', minFrames: 40 },
      { sid: opus.sid, mime: 'audio/opus', codec: 'opus', container: 'opus', minFrames: 150 },
    ] as const;
    const subs = await Promise.all(cases.map((c, i) => subscribe(room, c.sid, `EG_codecs_${i}`)));
    subs.forEach((s, i) => {
      expect(s.info.codec.mimeType).toBe(cases[i]!.mime);
      expect(codecFromEncodingName(s.info.codec.mimeType)).toBe(cases[i]!.codec);
    });
    // H.264: the SFU offers several profile/packetization variants; ours must be packetization-mode 1
    // once packets flowed (the PT is corrected on the first packet).
    const results = await Promise.all(
      subs.map((s, i) => recordSource(s, RECORD_MS, join(bed.dir, `track-${cases[i]!.codec}${CODECS[cases[i]!.codec].extension}`))),
    );
    expect(subs[0]!.info.codec.fmtp['packetization-mode']).toBe('1');
    for (const [i, r] of results.entries()) {
      const c = cases[i]!;
      const spanS = (r.lastArrivalUs - r.firstArrivalUs) / 1e6;
      const p = probe(r.file);
      // eslint-disable-next-line no-console
      console.log(
        `${c.codec}: ${r.packets} packets, span ${spanS.toFixed(3)} s, file ${p.durationS.toFixed(3)} s, ${p.frames} frames, ` +
          `max gap ${r.maxGapMs.toFixed(0)} ms, keyframes ${r.stats.keyframes}, lost ${r.stats.lost}`,
      );
      expect(decoderErrors(r.file, { variableFrameRate: true })).toBe('');
      expect(p.codec).toBe(c.container);
      expect(p.frames).toBeGreaterThanOrEqual(c.minFrames);
      expect(spanS).toBeGreaterThan(4);
      // The file starts at the first keyframe (the SFU forwards from one) and ends at the last frame.
      expect(Math.abs(p.durationS - spanS)).toBeLessThan(0.35);
      if (c.codec !== 'opus') expect([p.width, p.height]).toEqual([320, 240]);
      // Live Opus through the SFU is valid Opus: no framing or RTP timing violation.
      if (c.codec === 'opus') expect([r.stats.payloadMalformed, r.stats.timingInvalid]).toEqual([0, 0]);
    }
  });

  it('AV1 is refused with ERR_LIVEKIT_UNSUPPORTED_CODEC naming the mime type', async () => {
    const room = `codecs-av1-${process.pid}`;
    const pub = await bed.publisher(room, 'quinn');
    const av1 = await pub.publishVideo('av1');
    const err = await subscribe(room, av1.sid, 'EG_codecs_av1').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: LiveKitErrorCode.UnsupportedCodec });
    expect((err as Error).message).toMatch(/video\/AV1/i);
    expect((err as Error).message).toContain(av1.sid);
  });
});
