/**
 * The shapes shared by the egress service (`egress-service.ts`), its front ends (the Twirp API in
 * `src/api/`, the CLI, later the cluster worker) and its outputs. Messages are `@livekit/protocol`'s
 * (protobuf-es): EgressInfo, TrackEgressRequest, DirectFileOutput, S3Upload, WebhookConfig.
 */
import type { EgressInfo, EgressStatus, S3Upload, TrackEgressRequest, WebhookConfig } from '@livekit/protocol';
import type { Logger } from 'pino';

import type { SinkStats } from './outputs/output-sink.js';
import type { LatencySummary } from './websocket/latency-histogram.js';
import type { PcmStreamOptions } from './websocket/pcm-stream-options.js';

/**
 * Session limits, as LiveKit egress's `session_limits` config (seconds / bytes; 0 = no limit).
 * Reaching one ends the egress LIMIT_REACHED (413, "Session limit reached").
 */
export type SessionLimits = {
  /** `file_output_max_duration`, seconds. Default 0. */
  fileOutputMaxDuration?: number;
  /** `stream_output_max_duration` (WebSocket), seconds. Default 0. */
  streamOutputMaxDuration?: number;
  /** `file_output_max_size`, bytes. Default 0. */
  fileOutputMaxSize?: number;
};

/** Retry and outage policy of S3 uploads (worker-config extras of LiveKit's S3 config). */
export type UploadPolicy = {
  /** First retry delay, ms. Default 100 (LiveKit `min_retry_delay`). */
  minRetryDelayMs?: number;
  /** Longest delay between retries, ms. Default 5000 (LiveKit `max_retry_delay`). */
  maxRetryDelayMs?: number;
  /**
   * How long the storage may stay unreachable before the egress fails, ms; meanwhile the spool
   * keeps everything and the upload resumes. Default 300 000 (5 min).
   */
  maxOutageMs?: number;
};

/** Configuration of an {@link EgressServiceLike} (YAML keys in parentheses, as LiveKit egress names them). */
export type EgressServiceConfig = {
  /** (`api_key`) API key: mints the recorder's join token; verifies API calls and signs webhooks. */
  apiKey: string;
  /** (`api_secret`) API secret belonging to `apiKey`. */
  apiSecret: string;
  /** (`ws_url`) LiveKit server URL, `ws://`/`wss://` (or http/https). */
  wsUrl: string;
  /** (`s3`) Default storage when a request names none; without it files go to `recordingsDir`. */
  s3?: S3Upload;
  /** S3 retry/outage policy. */
  upload?: UploadPolicy;
  /** (`recordings_dir`) Root of local outputs; request paths resolve under it and cannot leave it. Default `./recordings`. */
  recordingsDir?: string;
  /** (`spool_dir`) Spool files and job journals (crash recovery). Default `<recordingsDir>/.track-egress`. */
  spoolDir?: string;
  /** How long to wait for the track to be published, ms. Default 30 000 (LiveKit's). */
  trackTimeoutMs?: number;
  /** (`session_limits`) */
  sessionLimits?: SessionLimits;
  /**
   * (`websocket`) PCM format and timing of WebSocket outputs (`websocket_url`): sample rate,
   * channels, message duration, reorder wait, queue for slow receivers. Default: LiveKit's format,
   * s16le 48 kHz stereo in 10 ms messages (1920 bytes), 50 ms reorder wait, 2 s queue.
   * The Twirp request has no field for these: they apply to every WebSocket egress of the service.
   */
  websocket?: PcmStreamOptions;
  /** A pino logger; default: a silent one. */
  logger?: Logger;
};

/** Filter of {@link EgressServiceLike.listEgress} (LiveKit's ListEgressRequest). */
export type ListEgressFilter = { roomName?: string; egressId?: string; active?: boolean };

/**
 * Live counters of one job (for /metrics and the CLI progress line). For a WebSocket output,
 * `bytesWritten` is the PCM bytes handed to the socket, `queuedBytes` what waits for the
 * receiver, `bytesUploaded` 0 and `uploadState` `'local'`.
 */
export type EgressJobStats = SinkStats & {
  egressId: string;
  roomName: string;
  status: EgressStatus;
  /** RTP packets received. */
  packets: number;
  /** RTP packets lost for good. */
  lost: number;
  /** Media written (file) or streamed (WebSocket: PCM timeline, sent + dropped) so far, µs. */
  durationUs: number;
  /** WebSocket output: binary PCM messages dropped because the receiver read too slowly (oldest first). 0 for files. */
  framesDropped: number;
  /**
   * WebSocket output: packet arrival → its PCM message handed to the socket, µs (the stream's
   * fixed-bucket histogram, TrackPcmStream `stats().latency`; read by `npm run bench`). Absent for files.
   */
  latency?: LatencySummary;
};

/** Events of the service: one `update` per status change (and per FileInfo/StreamInfo change at the end). */
export type EgressServiceEvents = {
  /**
   * `info` is the redacted EgressInfo (safe to log or send); `webhooks` are the request's own
   * webhook targets (with signing keys, never logged).
   */
  update: [info: EgressInfo, webhooks: readonly WebhookConfig[]];
};

/** What the front ends (Twirp API, CLI, cluster worker) call. Implemented by `EgressService`. */
export interface EgressServiceLike {
  /**
   * Validates the request and starts the job; resolves with EgressInfo STARTING.
   * @throws EgressError `invalid_argument` (missing track_id/output, bad websocket scheme, …),
   *   `already_exists` (egressId given twice), `unavailable` (shutting down).
   */
  startTrackEgress(request: TrackEgressRequest, egressId?: string): Promise<EgressInfo>;
  /**
   * ACTIVE → ENDING (returned), then COMPLETE; before ACTIVE → ABORTED.
   * @throws EgressError `not_found`, `failed_precondition` ("egress with status X cannot be stopped").
   */
  stopEgress(egressId: string): Promise<EgressInfo>;
  listEgress(filter?: ListEgressFilter): Promise<EgressInfo[]>;
  /** Counters of the running jobs. */
  jobStats(): EgressJobStats[];
  on<K extends keyof EgressServiceEvents>(event: K, listener: (...args: EgressServiceEvents[K]) => void): this;
  off<K extends keyof EgressServiceEvents>(event: K, listener: (...args: EgressServiceEvents[K]) => void): this;
}
