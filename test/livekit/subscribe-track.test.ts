// End-to-end: subscribeTrack() (src/livekit/) against a real livekit-server v1.13.5 with rtc-node
// publishers (test/support/livekit-*.ts). One private server for this file.
import { join } from 'node:path';
import {
  LocalVideoTrack,
  TrackPublishOptions,
  TrackSource as RtcTrackSource,
  VideoBufferType,
  VideoCodec,
  VideoFrame,
  VideoSource,
} from '@livekit/rtc-node';
import { describe, expect, it } from 'vitest';
import { LiveKitErrorCode } from '../../src/livekit/errors.js';
import { recorderToken } from '../../src/livekit/recorder-token.js';
import { destroySignalSocket, subscribeTrack } from '../../src/livekit/subscribe-track.js';
import type { TrackSource } from '../../src/livekit/track-source.js';
import { decoderErrors } from '../support/ffmpeg.js';
import { recordSource } from '../support/livekit-record.js';
import { deleteRoom, listParticipants } from '../support/livekit-publisher.js';
import { useLiveKitTestBed } from '../support/livekit-testbed.js';

const bed = useLiveKitTestBed('livekit-test');
const { room, publisher, subscribe, options: opts } = bed;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Capture = { packets: Uint8Array[]; ssrcs: Set<number>; pts: Set<number>; events: string[] };

function capture(source: TrackSource): Capture {
  const c: Capture = { packets: [], ssrcs: new Set(), pts: new Set(), events: [] };
  source.on('rtp', (p) => {
    c.packets.push(p);
    c.ssrcs.add(new DataView(p.buffer, p.byteOffset).getUint32(8));
    c.pts.add(p[1]! & 0x7f);
  });
  for (const e of ['muted', 'unmuted', 'connectionLost', 'resumed'] as const) source.on(e, () => c.events.push(e));
  source.on('ended', (reason) => c.events.push(`ended:${reason}`));
  source.on('error', (err) => c.events.push(`error:${err.message}`));
  return c;
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

describe('subscribeTrack against livekit-server', () => {
  it('two tracks published: each subscription gets only its SID, ≥ 5 s, and records to clean Ogg/WebM', async () => {
    const name = room();
    const alice = await publisher(name, 'alice');
    const audio = await alice.publishAudio({ frequency: 440 });
    const video = await alice.publishVideo('vp8');

    // Video with key + secret, audio with a caller-supplied token.
    const token = await recorderToken({ apiKey: bed.server.apiKey, apiSecret: bed.server.apiSecret, roomName: name, identity: 'EG_audio' });
    const [vs, as] = await Promise.all([
      subscribe(opts(name, video.sid)),
      subscribe({ url: bed.server.url, token, trackSid: audio.sid }),
    ]);
    expect(vs.info).toMatchObject({ trackSid: video.sid, kind: 'video', source: 'camera', publisherIdentity: 'alice', muted: false });
    expect(vs.info.codec).toMatchObject({ mimeType: 'video/VP8', clockRate: 90000 });
    expect(as.info).toMatchObject({ trackSid: audio.sid, kind: 'audio', source: 'microphone', publisherIdentity: 'alice' });
    expect(as.info.codec).toMatchObject({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 });
    expect(vs.info.ssrc).not.toBe(as.info.ssrc);

    const vc = capture(vs);
    const ac = capture(as);
    const [vrec, arec] = await Promise.all([
      recordSource(vs, 5500, join(bed.dir, 'video.webm')),
      recordSource(as, 5500, join(bed.dir, 'audio.ogg')),
    ]);
    // Only the requested track's SSRC and payload type, never the other one's.
    expect([...vc.ssrcs]).toEqual([vs.info.ssrc]);
    expect([...vc.pts]).toEqual([vs.info.codec.payloadType]);
    expect([...ac.ssrcs]).toEqual([as.info.ssrc]);
    expect([...ac.pts]).toEqual([as.info.codec.payloadType]);
    expect(arec.packets).toBeGreaterThan(200); // 50 packets/s for 5.5 s
    expect(vrec.packets).toBeGreaterThan(50);
    expect(vrec.stats.outputBytes).toBeGreaterThan(1000);
    expect(arec.stats.outputBytes).toBeGreaterThan(1000);
    // ≥ 5 s of RTP received on each subscription.
    expect((vrec.lastArrivalUs - vrec.firstArrivalUs) / 1e6).toBeGreaterThanOrEqual(5);
    expect((arec.lastArrivalUs - arec.firstArrivalUs) / 1e6).toBeGreaterThanOrEqual(5);
    expect(decoderErrors(join(bed.dir, 'video.webm'), { variableFrameRate: true })).toBe('');
    expect(decoderErrors(join(bed.dir, 'audio.ogg'))).toBe('');
    expect(vc.events).toEqual([]);
    expect(ac.events).toEqual([]);
  });

  it('publisher mute/unmute → muted/unmuted; unpublish → ended(unpublished)', async () => {
    const name = room();
    const bob = await publisher(name, 'bob');
    const audio = await bob.publishAudio();
    const s = await subscribe(opts(name, audio.sid));
    const c = capture(s);
    await until(() => c.packets.length > 10, 5000, 'first packets');
    await audio.mute();
    await until(() => c.events.includes('muted'), 5000, 'muted');
    expect(s.info.muted).toBe(true);
    await audio.unmute();
    await until(() => c.events.includes('unmuted'), 5000, 'unmuted');
    await audio.unpublish();
    await until(() => c.events.some((e) => e.startsWith('ended')), 5000, 'ended');
    expect(c.events).toEqual(['muted', 'unmuted', 'ended:unpublished']);
  });

  it('publisher disconnect → ended(participant-left); room deleted → ended(room-closed)', async () => {
    const name = room();
    const carol = await publisher(name, 'carol');
    const dave = await publisher(name, 'dave');
    const a1 = await carol.publishAudio();
    const a2 = await dave.publishAudio();
    const s1 = await subscribe(opts(name, a1.sid));
    const s2 = await subscribe(opts(name, a2.sid));
    const c1 = capture(s1);
    const c2 = capture(s2);
    await until(() => c1.packets.length > 5 && c2.packets.length > 5, 5000, 'first packets');
    await carol.disconnect();
    await until(() => c1.events.length > 0, 5000, 'ended');
    expect(c1.events).toEqual(['ended:participant-left']);
    await deleteRoom(bed.server, name);
    await until(() => c2.events.length > 0, 5000, 'ended');
    expect(c2.events).toEqual(['ended:room-closed']);
  });

  it('finds a track that starts publishing 5 s after the request', async () => {
    const name = room();
    const erin = await publisher(name, 'erin');
    // A video track whose source gets no frames yet: the SFU announces it only when media arrives.
    const source = new VideoSource(320, 240);
    const track = LocalVideoTrack.createVideoTrack('late', source);
    const pub = await erin.room.localParticipant!.publishTrack(
      track,
      new TrackPublishOptions({ source: RtcTrackSource.SOURCE_CAMERA, videoCodec: VideoCodec.VP8, simulcast: false }),
    );
    const t0 = Date.now();
    const pending = subscribe(opts(name, pub.sid!, { trackTimeoutMs: 20_000 }));
    await sleep(5000);
    const frame = new Uint8Array(320 * 240 * 3 / 2).fill(128);
    let n = 0;
    const timer = setInterval(() => {
      frame.fill((n++ * 7) & 0xff, 0, 320 * 240);
      source.captureFrame(new VideoFrame(frame, 320, 240, VideoBufferType.I420));
    }, 50);
    try {
      const s = await pending;
      const elapsed = Date.now() - t0;
      const c = capture(s);
      await until(() => c.packets.length > 10, 10_000, 'packets of the late track');
      expect(elapsed).toBeGreaterThanOrEqual(4500);
      expect([...c.ssrcs]).toEqual([s.info.ssrc]);
    } finally {
      clearInterval(timer);
    }
  });

  it('a wrong SID fails with ERR_LIVEKIT_TRACK_NOT_FOUND after the configured timeout', async () => {
    const name = room();
    const frank = await publisher(name, 'frank');
    await frank.publishAudio();
    const t0 = Date.now();
    const err = await subscribeTrack(opts(name, 'TR_doesnotexist', { trackTimeoutMs: 1500 })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: LiveKitErrorCode.TrackNotFound });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(Date.now() - t0).toBeLessThan(6000);
  });

  it('bad token, bad URL and unreachable server fail with their own codes', async () => {
    const name = room();
    const badSecret = await subscribeTrack({
      ...opts(name, 'TR_x'),
      apiSecret: 'not-the-secret-not-the-secret-not-the-secret',
    }).catch((e: unknown) => e);
    expect(badSecret).toMatchObject({ code: LiveKitErrorCode.TokenRejected });
    expect((badSecret as Error).message).toMatch(/401|token|signature/i);
    // The server quotes the refused JWT; it never reaches the message.
    expect((badSecret as Error).message).not.toMatch(/eyJ[A-Za-z0-9_-]+\./);
    const garbage = await subscribeTrack({ url: bed.server.url, token: 'garbage', trackSid: 'TR_x' }).catch((e: unknown) => e);
    expect(garbage).toMatchObject({ code: LiveKitErrorCode.TokenRejected });
    const scheme = await subscribeTrack({ ...opts(name, 'TR_x'), url: 'ftp://127.0.0.1/' }).catch((e: unknown) => e);
    expect(scheme).toMatchObject({ code: LiveKitErrorCode.BadUrl });
    const junk = await subscribeTrack({ ...opts(name, 'TR_x'), url: 'not a url' }).catch((e: unknown) => e);
    expect(junk).toMatchObject({ code: LiveKitErrorCode.BadUrl });
    const closed = await subscribeTrack({ ...opts(name, 'TR_x'), url: 'ws://127.0.0.1:1' }).catch((e: unknown) => e);
    expect(closed).toMatchObject({ code: LiveKitErrorCode.BadUrl });
  });

  it('signal WebSocket killed mid-stream: make-before-break, largest RTP gap < 200 ms, no interleaving, mute still arrives', async () => {
    const name = room();
    const gina = await publisher(name, 'gina');
    const audio = await gina.publishAudio();
    const o = opts(name, audio.sid, { resumeGraceMs: 15_000 });
    const s = await subscribe(o);
    const c = capture(s);
    const arrivals: Array<{ at: number; ssrc: number }> = [];
    s.on('rtp', (p, at) => arrivals.push({ at, ssrc: new DataView(p.buffer, p.byteOffset).getUint32(8) }));
    await until(() => c.packets.length > 50, 5000, 'first packets');
    const firstSsrc = s.info.ssrc;
    const killedAt = arrivals.length;
    (s as unknown as Record<symbol, () => void>)[destroySignalSocket]!();
    await until(() => c.events.includes('resumed'), 15_000, 'resumed');
    expect(c.events).toEqual(['connectionLost', 'resumed']);
    const resumedAt = arrivals.length;
    await sleep(1500);
    // The old PC kept delivering while the second session joined (ICE/DTLS, ~1 s when measured,
    // much less on a fast machine), so the largest gap across the whole window is one or two packet
    // intervals, not the ~1 s of a break-before-make rejoin.
    const oldAfterKill = resumedAt - killedAt;
    expect(oldAfterKill).toBeGreaterThan(0);
    const window = arrivals.slice(killedAt - 10);
    let maxGapMs = 0;
    for (let i = 1; i < window.length; i++) maxGapMs = Math.max(maxGapMs, (window[i]!.at - window[i - 1]!.at) / 1000);
    console.log(`recovery: ${oldAfterKill} packets from the old session after the kill, max RTP gap ${maxGapMs.toFixed(1)} ms`);
    expect(maxGapMs).toBeGreaterThan(0);
    expect(maxGapMs).toBeLessThan(200);
    // One switch from the old SSRC to the new one; never back (no interleaving).
    const runs = window.map((a) => a.ssrc).filter((x, i, all) => i === 0 || all[i - 1] !== x);
    expect(runs).toEqual([firstSsrc, s.info.ssrc]);
    expect(s.info.ssrc).not.toBe(firstSsrc);
    expect(arrivals.length - resumedAt).toBeGreaterThan(50);
    // The old participant (base identity) leaves; the recorder now runs as `${identity}~1`.
    const ids = async () => (await listParticipants(bed.server, name)).map((p) => p.identity).sort();
    const deadline = Date.now() + 5000;
    let seen = await ids();
    while (seen.includes(o.identity!) && Date.now() < deadline) {
      await sleep(100);
      seen = await ids();
    }
    expect(seen).toEqual([`${o.identity}~1`, 'gina'].sort());
    // The session still works: mute events arrive over the new signal connection.
    await audio.mute();
    await until(() => c.events.includes('muted'), 5000, 'muted after resume');
    await audio.unmute();
    await until(() => c.events.includes('unmuted'), 5000, 'unmuted after resume');
    expect(c.events).toEqual(['connectionLost', 'resumed', 'muted', 'unmuted']);
  });

  it('with a caller-supplied token (fixed identity) recovery degrades to rejoin-with-the-same-identity', async () => {
    const name = room();
    const hank = await publisher(name, 'hank');
    const audio = await hank.publishAudio();
    const identity = `EG_fixed_${name}`;
    const token = await recorderToken({ apiKey: bed.server.apiKey, apiSecret: bed.server.apiSecret, roomName: name, identity });
    const s = await subscribe({ url: bed.server.url, token, trackSid: audio.sid, resumeGraceMs: 15_000 });
    const c = capture(s);
    const arrivals: number[] = [];
    s.on('rtp', (_p, at) => arrivals.push(at));
    await until(() => c.packets.length > 20, 5000, 'first packets');
    const killedAt = arrivals.length;
    (s as unknown as Record<symbol, () => void>)[destroySignalSocket]!();
    await until(() => c.events.includes('resumed'), 15_000, 'resumed');
    await until(() => arrivals.length > killedAt + 50, 5000, 'packets after the rejoin');
    let maxGapMs = 0;
    for (let i = killedAt; i < arrivals.length; i++) maxGapMs = Math.max(maxGapMs, (arrivals[i]! - arrivals[i - 1]!) / 1000);
    console.log(`degraded recovery (fixed identity): max RTP gap ${maxGapMs.toFixed(0)} ms`);
    // A rejoin breaks before it makes: one gap of about the join time (measured 1.04–1.10 s),
    // bounded with room for a loaded 2-core machine.
    expect(maxGapMs).toBeGreaterThan(0);
    expect(maxGapMs).toBeLessThan(3000);
    expect(c.events).toEqual(['connectionLost', 'resumed']);
    expect((await listParticipants(bed.server, name)).map((p) => p.identity).sort()).toEqual([identity, 'hank'].sort());
  });
});
