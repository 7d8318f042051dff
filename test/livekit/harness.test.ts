// Smoke test of the real-server test harness only (test/support/livekit-*.ts): a private
// livekit-server, an rtc-node publisher with audio + every video codec, server-side views of the
// tracks, mute/unmute, unpublish, disconnect, and a clean server stop. It does not test src/livekit/.
import { AudioStream, Room, RoomEvent, TrackKind, VideoStream, type RemoteTrack } from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectPublisher,
  createRoom,
  deleteRoom,
  disposeRtc,
  listParticipants,
  listTracks,
  waitForTracks,
  type PublishVideoCodec,
  type PublishedTrack,
  type Publisher,
} from '../support/livekit-publisher.js';
import { startLiveKitServer, type LiveKitTestServer } from '../support/livekit-server.js';

/** Codecs rtc-node 1.1.0 publishes against livekit-server v1.13.5 here (checked by decoding below). */
const CODECS: PublishVideoCodec[] = ['vp8', 'h264', 'vp9', 'av1'];
const MIME: Record<PublishVideoCodec, string> = { vp8: 'video/VP8', h264: 'video/H264', vp9: 'video/VP9', av1: 'video/AV1' };

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, rej) => {
      t = setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

/** Reads the first decoded frame of a subscribed track (proves the publisher really sends media). */
async function firstFrame(track: RemoteTrack): Promise<string> {
  const stream = track.kind === TrackKind.KIND_AUDIO ? new AudioStream(track, 48_000, 1) : new VideoStream(track);
  const reader = stream.getReader();
  try {
    const { value } = await reader.read();
    const v = value as { frame?: { width: number; height: number }; samplesPerChannel?: number };
    return v.frame ? `${v.frame.width}x${v.frame.height}` : `${v.samplesPerChannel} samples`;
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

describe('LiveKit test harness', () => {
  let server: LiveKitTestServer;
  const room = `harness-${Date.now()}`;
  let publisher: Publisher | undefined;
  let subscriber: Room | undefined;
  let audio: PublishedTrack;
  const video: Partial<Record<PublishVideoCodec, PublishedTrack>> = {};

  beforeAll(async () => {
    server = await startLiveKitServer();
  });

  afterAll(async () => {
    await subscriber?.disconnect().catch(() => {});
    await publisher?.disconnect();
    await server?.stop();
    await disposeRtc(); // lets this fork exit at once (rtc-node's FFI otherwise holds it ~1 min)
  });

  it('starts a loopback server answering GET / with OK', async () => {
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.httpUrl}/`);
    expect(res.status).toBe(200);
    expect((await res.text()).trim()).toBe('OK');
  });

  it('publishes audio and every video codec, visible server-side and decodable by a subscriber', async () => {
    await createRoom(server, room);
    publisher = await connectPublisher(server, room, 'alice');
    audio = await publisher.publishAudio({ frequency: 440 });
    for (const codec of CODECS) video[codec] = await publisher.publishVideo(codec);

    const tracks = await waitForTracks(server, room, (t) => t.length === 1 + CODECS.length);
    const bySid = new Map(tracks.map((t) => [t.sid, t]));
    expect(bySid.get(audio.sid)?.mimeType).toBe('audio/opus');
    expect(bySid.get(audio.sid)?.participantIdentity).toBe('alice');
    for (const codec of CODECS) {
      expect(video[codec]!.sid).toMatch(/^TR_/);
      expect(bySid.get(video[codec]!.sid)?.mimeType, codec).toBe(MIME[codec]);
    }

    // A second rtc-node participant decodes one frame of each track.
    const at = new AccessToken(server.apiKey, server.apiSecret, { identity: 'viewer' });
    at.addGrant({ roomJoin: true, room, canSubscribe: true, canPublish: false });
    subscriber = new Room();
    const got = new Map<string, Promise<string>>();
    const all = new Promise<void>((resolve) => {
      subscriber!.on(RoomEvent.TrackSubscribed, (track, pub) => {
        got.set(pub.sid!, firstFrame(track));
        if (got.size === 1 + CODECS.length) resolve();
      });
    });
    await subscriber.connect(server.url, await at.toJwt(), { autoSubscribe: true, dynacast: false });
    await withTimeout(all, 10_000, 'subscribing to all tracks');
    const frames = Object.fromEntries(
      await Promise.all([...got].map(async ([sid, p]) => [bySid.get(sid)!.mimeType, await withTimeout(p, 10_000, `first frame of ${sid}`)])),
    );
    expect(frames['audio/opus']).toBe('480 samples');
    for (const codec of CODECS) expect(frames[MIME[codec]], codec).toBe('320x240');
    await subscriber.disconnect();
    subscriber = undefined;
  });

  it('reflects mute/unmute in TrackInfo.muted, then unpublish and disconnect', async () => {
    const pub = publisher!;
    const audioSid = audio.sid;
    const vp8 = video.vp8!;
    const vp8Sid = vp8.sid;
    expect((await listTracks(server, room)).find((t) => t.sid === vp8Sid)?.muted).toBe(false);

    await audio.mute();
    await waitForTracks(server, room, (t) => t.find((x) => x.sid === audioSid)?.muted === true);
    await audio.unmute();
    await waitForTracks(server, room, (t) => t.find((x) => x.sid === audioSid)?.muted === false);

    await vp8.mute();
    await waitForTracks(server, room, (t) => t.find((x) => x.sid === vp8Sid)?.muted === true);
    await vp8.unmute();
    await waitForTracks(server, room, (t) => t.find((x) => x.sid === vp8Sid)?.muted === false);

    await vp8.unpublish();
    await waitForTracks(server, room, (t) => !t.some((x) => x.sid === vp8Sid) && t.length === CODECS.length);

    await pub.disconnect();
    publisher = undefined;
    const deadline = Date.now() + 5000;
    while ((await listParticipants(server, room)).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await listParticipants(server, room)).toEqual([]);
    await deleteRoom(server, room);
  });

  it('stops the server cleanly (process gone, port closed)', async () => {
    const { pid, httpUrl } = server;
    await server.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(fetch(`${httpUrl}/`, { signal: AbortSignal.timeout(1000) })).rejects.toThrow();
  });
});
