// Test publishers for the end-to-end LiveKit tests, built on @livekit/rtc-node 1.1.0 (libwebrtc
// through the Rust FFI), plus small RoomService helpers. See docs/livekit-test-server.md.
//
//   const pub = await connectPublisher(server, room, 'alice');
//   const audio = await pub.publishAudio({ frequency: 440 });       // Opus, microphone, sine
//   const video = await pub.publishVideo('vp8');                    // camera, moving I420 pattern
//   await audio.mute(); await audio.unmute(); await video.unpublish();
//   await pub.disconnect();                                         // stops every timer
//
// Video codecs that publish on this machine (rtc-node 1.1.0 + livekit-server v1.13.5):
// vp8, h264, vp9, av1 (see test/livekit/harness.test.ts and the doc).
import {
  AudioFrame,
  AudioSource,
  LocalAudioTrack,
  LocalVideoTrack,
  Room,
  TrackPublishOptions,
  TrackSource,
  VideoBufferType,
  VideoCodec,
  VideoFrame,
  VideoSource,
  dispose,
  type LocalTrack,
} from '@livekit/rtc-node';
// rtc-node 1.1.0 has no public mute API for local tracks; the FFI request exists (LocalTrackMuteRequest).
// @livekit/rtc-ffi-bindings is rtc-node's own dependency (same copy), so the FFI is already initialised.
import { FfiRequest, LocalTrackMuteRequest, VideoEncoding, livekitFfiRequest } from '@livekit/rtc-ffi-bindings';
import { randomBytes } from 'node:crypto';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import type { ParticipantInfo, Room as RoomInfo, TrackInfo } from '@livekit/protocol';
import type { LiveKitConnection } from './livekit-server.js';

export type PublishVideoCodec = 'vp8' | 'h264' | 'vp9' | 'av1';

export interface PublishedTrack {
  /** Server-assigned track SID (`TR_…`). */
  sid: string;
  /** Sets the publisher-side mute (MuteTrackRequest to the server → TrackInfo.muted = true). */
  mute(): Promise<void>;
  unmute(): Promise<void>;
  /** Unpublishes, stops the frame timer and closes the source. Idempotent. */
  unpublish(): Promise<void>;
}

export interface PublishAudioOptions {
  /** Sine frequency in Hz (default 440). */
  frequency?: number;
  /** 1 or 2 (default 1). Stereo puts `frequency` left and 1.5 × `frequency` right. */
  channels?: number;
  /** Track name (default 'sine'). */
  name?: string;
}

/**
 * A caller-generated audio feed ({@link Publisher.publishAudioFeed}): `next(out)` fills one 10 ms
 * frame (interleaved s16, 480 × channels samples at 48 kHz) and returns true, or returns false when
 * the feed has ended (nothing more is captured; the track stays published until unpublished).
 */
export interface AudioFeedOptions {
  /** 1 or 2 (default 1). */
  channels?: number;
  /** Track name (default 'feed'). */
  name?: string;
  /**
   * Audio kept queued ahead of real time in the source, ms (multiple of 10, ≤ 150; default 20).
   * More rides out longer stalls of this process' event loop (the source plays silence when it
   * runs dry, which shifts everything after it).
   */
  leadMs?: number;
  next(out: Int16Array): boolean;
}

export interface PublishedAudioFeed extends PublishedTrack {
  /** Resolves once `next` returned false and every captured frame has been played out by the source. */
  readonly ended: Promise<void>;
  /**
   * How long the source ran dry so far, ms (to ~10 ms): this process did not feed it in time (an
   * overloaded machine), so it played silence and the feed's later samples went out that much late.
   */
  readonly underrunMs: number;
  /** Where the underruns happened: the index of the first 10 ms frame fed after each, and its length in ms. */
  readonly underruns: readonly { frame: number; ms: number }[];
}

export interface PublishVideoOptions {
  width?: number; // default 320
  height?: number; // default 240
  fps?: number; // default 20
  name?: string; // default `<codec>-pattern`
  /** Simulcast layers (default false: one stream, easiest to check). */
  simulcast?: boolean;
  /**
   * Random pictures instead of the moving pattern: the encoder cannot compress them, so the track
   * runs at `maxBitrate` (once the sender's bandwidth estimate allows) — for tests that need
   * megabytes of media quickly (S3 multipart parts while recording).
   */
  noise?: boolean;
  /** Encoder bitrate ceiling, bits/s (TrackPublishOptions.video_encoding). Default: rtc-node's. */
  maxBitrate?: number;
}

export interface Publisher {
  readonly identity: string;
  readonly roomName: string;
  /** The rtc-node Room, for anything the helpers do not cover. */
  readonly room: Room;
  publishAudio(opts?: PublishAudioOptions): Promise<PublishedTrack>;
  /** An Opus microphone track of whatever `opts.next` generates, paced in real time (see the doc, "Audio pacing"). */
  publishAudioFeed(opts: AudioFeedOptions): Promise<PublishedAudioFeed>;
  publishVideo(codec: PublishVideoCodec, opts?: PublishVideoOptions): Promise<PublishedTrack>;
  /** Stops every timer, closes sources and leaves the room. Idempotent. */
  disconnect(): Promise<void>;
}

const VIDEO_CODECS: Record<PublishVideoCodec, VideoCodec> = {
  vp8: VideoCodec.VP8,
  h264: VideoCodec.H264,
  vp9: VideoCodec.VP9,
  av1: VideoCodec.AV1,
};

/** `http://…` form of the server URL for the Twirp clients. */
function apiHost(server: LiveKitConnection): string {
  return server.httpUrl ?? server.url.replace(/^ws/, 'http');
}

export function roomService(server: LiveKitConnection): RoomServiceClient {
  return new RoomServiceClient(apiHost(server), server.apiKey, server.apiSecret);
}

/** A publisher token: roomJoin, canPublish, canSubscribe. */
export async function publisherToken(server: LiveKitConnection, roomName: string, identity: string): Promise<string> {
  const at = new AccessToken(server.apiKey, server.apiSecret, { identity, ttl: '1h' });
  at.addGrant({ roomJoin: true, room: roomName, canPublish: true, canSubscribe: true, canPublishData: true });
  return at.toJwt();
}

export async function createRoom(
  server: LiveKitConnection,
  name: string,
  opts: { emptyTimeout?: number; departureTimeout?: number } = {},
): Promise<RoomInfo> {
  return roomService(server).createRoom({ name, emptyTimeout: opts.emptyTimeout ?? 60, departureTimeout: opts.departureTimeout ?? 5 });
}

export async function deleteRoom(server: LiveKitConnection, name: string): Promise<void> {
  await roomService(server).deleteRoom(name);
}

export async function listParticipants(server: LiveKitConnection, room: string): Promise<ParticipantInfo[]> {
  return roomService(server).listParticipants(room);
}

export interface ServerTrack {
  participantIdentity: string;
  participantSid: string;
  sid: string;
  /** e.g. 'audio/opus', 'video/VP8' (as the server reports it). */
  mimeType: string;
  muted: boolean;
  /** The raw TrackInfo (type, source, width/height, codecs, layers, …). */
  info: TrackInfo;
}

/** Every published track in the room as the server sees it (RoomService.ListParticipants). */
export async function listTracks(server: LiveKitConnection, room: string): Promise<ServerTrack[]> {
  const out: ServerTrack[] = [];
  for (const p of await listParticipants(server, room)) {
    for (const t of p.tracks) {
      out.push({ participantIdentity: p.identity, participantSid: p.sid, sid: t.sid, mimeType: t.mimeType, muted: t.muted, info: t });
    }
  }
  return out;
}

/** Polls listTracks until `pred` holds (default 5 s). Returns the last list. */
export async function waitForTracks(
  server: LiveKitConnection,
  room: string,
  pred: (tracks: ServerTrack[]) => boolean,
  timeoutMs = 5000,
): Promise<ServerTrack[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tracks = await listTracks(server, room);
    if (pred(tracks)) return tracks;
    if (Date.now() > deadline) {
      throw new Error(`waitForTracks timed out in room ${room}; tracks now: ${JSON.stringify(tracks.map(({ info: _i, ...t }) => t))}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Publisher-side mute through rtc-node's FFI (rtc-node 1.1.0 has no public API for it). */
export function setLocalMute(track: LocalTrack, mute: boolean): void {
  const value = new LocalTrackMuteRequest({ trackHandle: track.ffi_handle.handle, mute });
  const req = new FfiRequest({ message: { case: 'localTrackMute', value } });
  livekitFfiRequest(req.toBinary());
}

/** Connects a publisher (autoSubscribe off, no dynacast) to `roomName` as `identity`. */
export async function connectPublisher(server: LiveKitConnection, roomName: string, identity: string): Promise<Publisher> {
  const token = await publisherToken(server, roomName, identity);
  const room = new Room();
  await room.connect(server.url, token, { autoSubscribe: false, dynacast: false });
  const stoppers = new Set<() => Promise<void>>();
  let disconnected: Promise<void> | undefined;

  const published = (track: LocalTrack, sid: string, stopFeed: () => void, closeSource: () => Promise<void>): PublishedTrack => {
    let gone: Promise<void> | undefined;
    const teardown = (unpublishOnServer: boolean) =>
      (gone ??= (async () => {
        stopFeed();
        stoppers.delete(stopper);
        if (unpublishOnServer && room.isConnected) await room.localParticipant?.unpublishTrack(sid, false);
        await track.close(false).catch(() => {});
        await closeSource().catch(() => {});
      })());
    const stopper = () => teardown(false);
    stoppers.add(stopper);
    return {
      sid,
      mute: async () => setLocalMute(track, true),
      unmute: async () => setLocalMute(track, false),
      unpublish: () => teardown(true),
    };
  };

  const publisher: Publisher = {
    identity,
    roomName,
    room,

    async publishAudio(opts = {}) {
      const channels = opts.channels ?? 1;
      const frequency = opts.frequency ?? 440;
      const freqs = Array.from({ length: channels }, (_, c) => frequency * (c === 0 ? 1 : 1.5));
      let sampleIndex = 0;
      return publisher.publishAudioFeed({
        channels,
        name: opts.name ?? 'sine',
        next(data) {
          const n = data.length / channels;
          for (let i = 0; i < n; i++) {
            for (let c = 0; c < channels; c++) {
              data[i * channels + c] = Math.round(8000 * Math.sin((2 * Math.PI * freqs[c]! * (sampleIndex + i)) / 48_000));
            }
          }
          sampleIndex += n;
          return true;
        },
      });
    },

    async publishAudioFeed(opts) {
      const sampleRate = 48_000;
      const channels = opts.channels ?? 1;
      const samplesPerFrame = sampleRate / 100; // 10 ms
      const source = new AudioSource(sampleRate, channels, 200);
      const track = LocalAudioTrack.createAudioTrack(opts.name ?? 'feed', source);
      const options = new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE, dtx: false, red: false });
      const pub = await room.localParticipant!.publishTrack(track, options);

      let framesSent = 0;
      let t0 = performance.now();
      const lead = Math.max(1, Math.min(15, Math.round((opts.leadMs ?? 20) / 10)));
      const underruns: { frame: number; ms: number }[] = [];
      let busy = false;
      let stopped = false;
      let resolveEnded!: () => void;
      const ended = new Promise<void>((r) => (resolveEnded = r));
      const pushDue = async () => {
        if (busy || stopped) return;
        busy = true;
        try {
          // Ran dry: everything fed so far has played out. The source filled the gap with silence;
          // pace from now on (no burst to catch up) and remember it.
          const dryMs = performance.now() - t0 - framesSent * 10;
          if (framesSent > 0 && dryMs > 0) {
            underruns.push({ frame: framesSent, ms: dryMs });
            t0 += dryMs;
          }
          // Real time: push every 10 ms frame that is due (timers are coarse), at most 5 per tick.
          const due = Math.floor((performance.now() - t0) / 10) + lead;
          for (let n = 0; framesSent < due && n < lead + 3 && !stopped; n++) {
            const data = new Int16Array(samplesPerFrame * channels);
            if (!opts.next(data)) {
              stopped = true;
              clearInterval(timer);
              await source.waitForPlayout();
              resolveEnded();
              return;
            }
            framesSent++;
            await source.captureFrame(new AudioFrame(data, sampleRate, channels, samplesPerFrame));
          }
        } catch {
          /* source closed while pushing */
        } finally {
          busy = false;
        }
      };
      const timer = setInterval(() => void pushDue(), 10);
      const handle = published(
        track,
        pub.sid!,
        () => {
          stopped = true;
          clearInterval(timer);
          resolveEnded();
        },
        () => source.close(),
      );
      return {
        ...handle,
        ended,
        underruns,
        get underrunMs() {
          return underruns.reduce((a, u) => a + u.ms, 0);
        },
      };
    },

    async publishVideo(codec, opts = {}) {
      const width = opts.width ?? 320;
      const height = opts.height ?? 240;
      const fps = opts.fps ?? 20;
      const source = new VideoSource(width, height);
      const track = LocalVideoTrack.createVideoTrack(opts.name ?? `${codec}-pattern`, source);
      const options = new TrackPublishOptions({
        source: TrackSource.SOURCE_CAMERA,
        videoCodec: VIDEO_CODECS[codec],
        simulcast: opts.simulcast ?? false,
        ...(opts.maxBitrate ? { videoEncoding: new VideoEncoding({ maxBitrate: BigInt(opts.maxBitrate), maxFramerate: fps }) } : {}),
      });

      // Frame feeding starts before publishing: an encoder with no input never produces a keyframe.
      const ySize = width * height;
      const cSize = (width / 2) * (height / 2);
      const buf = new Uint8Array(ySize + 2 * cSize);
      let frameNo = 0;
      const t0 = performance.now();
      // Noise: a few random pictures in turn (random bytes per frame would cost more CPU than the encoder).
      const noise = opts.noise ? Array.from({ length: 7 }, () => randomBytes(ySize + 2 * cSize)) : [];
      const draw = () => {
        const f = frameNo++;
        if (noise.length) buf.set(noise[f % noise.length]!);
        else paint(f);
        const ts = BigInt(Math.round((performance.now() - t0) * 1000));
        try {
          source.captureFrame(new VideoFrame(buf, width, height, VideoBufferType.I420), ts);
        } catch {
          /* source closed */
        }
      };
      const paint = (f: number) => {
        // Luma: diagonal gradient scrolling 4 px/frame plus a bright 48x48 box bouncing around.
        for (let y = 0; y < height; y++) {
          const row = y * width;
          for (let x = 0; x < width; x++) buf[row + x] = (x + y + 4 * f) & 0xff;
        }
        const bx = Math.abs(((f * 6) % (2 * (width - 48))) - (width - 48));
        const by = Math.abs(((f * 4) % (2 * (height - 48))) - (height - 48));
        for (let y = by; y < by + 48; y++) buf.fill(235, y * width + bx, y * width + bx + 48);
        // Chroma: slowly rotating colour.
        buf.fill(128 + Math.round(100 * Math.sin(f / 15)), ySize, ySize + cSize);
        buf.fill(128 + Math.round(100 * Math.cos(f / 15)), ySize + cSize, ySize + 2 * cSize);
      };
      draw();
      const timer = setInterval(draw, Math.round(1000 / fps));
      let pubSid: string;
      try {
        const pub = await room.localParticipant!.publishTrack(track, options);
        pubSid = pub.sid!;
        // An encoder rtc-node lacks (e.g. H.265) silently falls back to VP8: refuse that here.
        const mime = pub.mimeType?.toLowerCase();
        if (mime && mime !== `video/${codec}`) {
          await room.localParticipant!.unpublishTrack(pubSid, false).catch(() => {});
          throw new Error(`rtc-node published ${pub.mimeType} when asked for ${codec}: codec not available`);
        }
      } catch (err) {
        clearInterval(timer);
        await track.close(false).catch(() => {});
        await source.close().catch(() => {});
        throw err;
      }
      return published(
        track,
        pubSid,
        () => clearInterval(timer),
        () => source.close(),
      );
    },

    disconnect() {
      disconnected ??= (async () => {
        for (const stop of [...stoppers]) await stop();
        await room.disconnect().catch(() => {});
      })();
      return disconnected;
    },
  };
  return publisher;
}

/**
 * Releases rtc-node's native FFI runtime. Without it a process that used rtc-node stays alive for
 * up to a minute after the last Room disconnected. Terminal: rtc-node cannot be used again in this
 * process, so call it once, in the last afterAll of a test file (vitest runs each file in its own
 * fork) or at the end of a script, after every publisher has disconnected.
 */
export async function disposeRtc(): Promise<void> {
  await dispose();
}
