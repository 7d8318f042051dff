import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

import { CODECS, type CodecName, codecFromEncodingName } from '../core/codec.js';
import { invalidParameter } from '../core/errors.js';
import { Recorder } from '../core/recorder.js';
import { subscribeTrack } from '../livekit/subscribe-track.js';
import type { TrackCodec, TrackSource } from '../livekit/track-source.js';
import { FileSink } from './outputs/file-sink.js';
import { outputPath } from './output-path.js';
import { type RecordEndReason, logSourceEvents, watchRecordEnd } from './record-end.js';
import { streamToWebSocket } from './record-websocket.js';
import { checkWebSocketUrl, isWebSocketUrl } from './websocket-url.js';
import { TrackRecording } from './track-recording.js';
import { type PcmStreamOptions, resolvePcmStreamOptions } from './websocket/pcm-stream-options.js';

/** What {@link record} records, and where. */
export type RecordOptions = {
  /** LiveKit server URL: `ws://`, `wss://`, `http://` or `https://`. */
  url: string;
  /** API key to mint a hidden-recorder join token (with `apiSecret`); not needed with `token`. */
  apiKey?: string;
  /** API secret belonging to `apiKey`. */
  apiSecret?: string;
  /** A ready join token (JWT) instead of `apiKey`/`apiSecret`. */
  token?: string;
  /** Room name. */
  room: string;
  /** SID of the track to record (`TR_…`). */
  track: string;
  /**
   * File path, or a directory (ends with "/" or exists): then `<track>-<YYYY-MM-DDTHHMMSS><ext>`
   * inside it, as LiveKit's egress names files. The extension follows the codec (see `outputPath`).
   * Missing directories are created.
   *
   * Or a `ws://` / `wss://` URL: the track's audio is streamed there as raw PCM instead (LiveKit's
   * WebSocket track egress: binary s16le messages, `{"muted":true}` / `{"muted":false}` text
   * messages, header `Content-Type: audio/x-raw`; format from `pcm`), and the socket is closed
   * with 1000 at the end.
   */
  output: string;
  /**
   * PCM format and timing of a `ws://` output. Default: LiveKit's, s16le 48 kHz stereo in 10 ms
   * messages (1920 bytes), 50 ms reorder wait, 2 s queue for a slow receiver. Ignored for files.
   */
  pcm?: PcmStreamOptions;
  /** Stop after this many seconds of wall clock from the subscription. Default: no limit. */
  durationSec?: number;
  /** How long to wait for the track to be published, ms. Default 30 000. */
  trackTimeoutMs?: number;
  /** Participant identity of the recorder. Default `EG_` + 12 random characters (an egress id). */
  identity?: string;
  /**
   * Stops the recording cleanly when aborted (the file gets its index; `endReason` `'aborted'`).
   * Aborted before the track is subscribed, `record` rejects with `signal.reason` and writes nothing.
   */
  signal?: AbortSignal;
  /** Progress lines ("joining room …", "recording … → path", "receiving RTP", "track muted", …). Default: none. */
  log?: (line: string) => void;
};

/** Result of {@link record}. */
export type RecordSummary = {
  codec: CodecName;
  /** The file written; for a WebSocket, its URL with query values redacted. */
  output: string;
  /** RTP packets received. */
  packets: number;
  /** RTP packets lost for good (after NACK retransmissions; concealed in a PCM stream). */
  lost: number;
  /** Frames written (video frames; Opus packets); for a WebSocket, binary PCM messages sent. */
  frames: number;
  /** Media duration in the file, seconds; for a WebSocket, the PCM streamed (sent + dropped). */
  durationSec: number;
  /** File size, bytes; for a WebSocket, PCM bytes sent. */
  bytes: number;
  /** WebSocket only: binary PCM messages dropped because the receiver read too slowly. */
  framesDropped?: number;
  /** Why the recording stopped: the track ended, `durationSec` passed, or `signal` was aborted. */
  endReason: RecordEndReason;
};

/**
 * Fragment / cluster / page length of `record` files, ms: about what a crash can lose at most
 * (plus a frame and the scheduling slack, well under the 1 s a kill -9 may cost). A fragment costs
 * ~100 bytes (moof / cluster header / page header): 0.2 kB/s, nothing beside video and ~1 % of
 * 24 kbit/s Opus.
 */
export const RECORD_FRAGMENT_MS = 500;

/**
 * The Recorder of a subscribed track, as `record` and the egress service use it. Crash-safe: media
 * reaches the file in ~0.5 s pieces as it comes (fragmented MP4, WebM clusters, Ogg pages), so a
 * kill -9 or a power loss loses less than the last second; a clean stop adds the index (durations,
 * mfra / Cues). Opus channels follow the fmtp (RFC 7587 §7.1).
 */
export function createTrackRecorder(codec: CodecName, track: TrackCodec): Promise<Recorder> {
  const fmtp = track.fmtp;
  const channels = (fmtp['sprop-stereo'] ?? fmtp['stereo']) === '0' ? 1 : 2;
  return Recorder.create({ codec, channels, seekable: true, crashSafe: true, fragmentMs: RECORD_FRAGMENT_MS, fmtp });
}

/**
 * Records one track of a LiveKit room into a local file, without transcoding (H.264 → MP4,
 * VP8/VP9 → WebM, Opus → Ogg): joins as a hidden, subscribe-only recorder ({@link subscribeTrack})
 * and runs a {@link TrackRecording} (RTP → core → file, with PLI/NACK feedback, RFC 4585) until the
 * track ends, `durationSec` passes or `signal` is aborted.
 *
 * The file is crash-safe: written as the media comes, in pieces of {@link RECORD_FRAGMENT_MS}
 * (fragmented MP4, WebM clusters, Ogg pages), so a `kill -9` loses about the last second; a clean
 * end adds the index (MP4 `mfra`, WebM Cues and Duration).
 *
 * @throws InvalidArgumentError (`ERR_TE_INVALID_ARG`) for a missing `url`, `room`, `track` or
 *   `output`, a bad `durationSec`, or neither `token` nor `apiKey` + `apiSecret`.
 * @throws LiveKitError with its `code`: `ERR_LIVEKIT_BAD_URL`, `ERR_LIVEKIT_TOKEN_REJECTED`,
 *   `ERR_LIVEKIT_ROOM_NOT_FOUND`, `ERR_LIVEKIT_TRACK_NOT_FOUND` (not published within
 *   `trackTimeoutMs`), `ERR_LIVEKIT_UNSUPPORTED_CODEC`, `ERR_LIVEKIT_CONNECTION_FAILED`.
 * @throws `signal.reason` when aborted before the track is subscribed.
 * @throws EgressError when the file cannot be written (`resource_exhausted` for a full disk,
 *   `internal` otherwise); the recording stops at once and the file keeps what was written.
 * @throws EgressError for a `ws://` output: `invalid_argument` for a video track (`format websocket
 *   incompatible with codec <mime>`, before any connection) or a failed dial (`websocket dial
 *   failed: <reason>`); `unavailable` when the receiver closes or the connection dies while
 *   streaming. No message holds a query value of the URL.
 * @throws InvalidArgumentError (`ERR_TE_INVALID_ARG`) for bad `pcm` options.
 * @example
 * const ac = new AbortController();
 * process.once('SIGINT', () => ac.abort());
 * const r = await record({ url: 'ws://127.0.0.1:7880', apiKey, apiSecret, room: 'demo',
 *   track: 'TR_VCabc', output: 'out/', signal: ac.signal });
 * console.log(`${r.frames} frames, ${r.durationSec} s → ${r.output} (${r.endReason})`);
 */
export async function record(opts: RecordOptions): Promise<RecordSummary> {
  for (const k of ['url', 'room', 'track', 'output'] as const) {
    if (typeof opts?.[k] !== 'string' || opts[k].length === 0) throw invalidParameter(k, 'a non-empty string', opts?.[k]);
  }
  if (opts.durationSec !== undefined && !(opts.durationSec > 0)) {
    throw invalidParameter('durationSec', 'a positive number of seconds', opts.durationSec);
  }
  const pcm = isWebSocketUrl(opts.output) ? resolvePcmStreamOptions(opts.pcm) : undefined;
  if (pcm) checkWebSocketUrl(opts.output);
  opts.signal?.throwIfAborted();
  const log = opts.log ?? (() => {});
  const identity = opts.identity ?? `EG_${Math.random().toString(36).slice(2, 14).padEnd(12, '0')}`;
  log(`joining room ${opts.room} as ${identity}; waiting for track ${opts.track}`);
  const source: TrackSource = await untilAborted(
    subscribeTrack({
      url: opts.url,
      token: opts.token,
      apiKey: opts.apiKey,
      apiSecret: opts.apiSecret,
      roomName: opts.room,
      identity,
      trackSid: opts.track,
      trackTimeoutMs: opts.trackTimeoutMs,
    }),
    opts.signal,
    (late) => void late.close(),
  );
  if (pcm) return streamToWebSocket(source, { ...opts, pcm }, log);
  const codec = codecFromEncodingName(source.info.codec.mimeType)!; // subscribeTrack rejects others
  const rec = await createTrackRecorder(codec, source.info.codec);
  const path = await outputPath(opts.output, opts.track, CODECS[codec].extension);
  await mkdir(dirname(path), { recursive: true });
  const end = watchRecordEnd(source, opts);
  const sink = await FileSink.open(path, { onFailure: (e) => end.fail(e) }).catch(async (e: unknown) => {
    end.stop();
    rec.close();
    await source.close();
    throw e;
  });
  log(`recording ${source.info.kind} ${source.info.codec.mimeType} track ${opts.track} of ${source.info.publisherIdentity} → ${path}`);

  const recording = new TrackRecording(source, rec, { write: (chunks) => sink.write(chunks) });
  logSourceEvents(source, log);

  const endReason = await end.ended;
  const s = recording.stop();
  rec.close();
  await source.close();
  const { size } = await sink.finish(); // throws the sink's error (disk full …)
  return {
    codec,
    output: path,
    packets: s.packets,
    lost: s.lost,
    frames: s.frames,
    durationSec: s.durationUs / 1e6,
    bytes: size,
    endReason,
  };
}

/**
 * `work`, or `signal.reason` as soon as `signal` is aborted; what `work` still yields after that
 * is handed to `dispose`.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, dispose: (late: T) => void): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason);
      work.then(dispose, () => {});
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
