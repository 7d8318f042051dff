/**
 * The WebSocket output of an egress job (`TrackEgressRequest.websocket_url`), as LiveKit's egress
 * runs it (reference livekit-track-egress.md §4): an audio track only (a video track fails with
 * `format websocket incompatible with codec <mime>` before any connection is made), the socket
 * dialled once the track is subscribed (a dial failure ends the egress FAILED 400), the track's
 * audio streamed as PCM ({@link TrackPcmStream}) and one StreamInfo in `stream_results`:
 * `url` redacted, `started_at` = first packet, `ended_at`, `duration`, status ACTIVE → FINISHED, or
 * FAILED with `error` when the receiver closed or the connection died (LiveKit leaves FINISHED there).
 */
import { StreamInfo, StreamInfo_Status } from '@livekit/protocol';
import type { Logger } from 'pino';

import type { TrackSource } from '../livekit/track-source.js';
import { EgressError } from './egress-error.js';
import { nowNs, nsOfUs, setStreamResult } from './egress-info.js';
import { END_REASON_SHUTDOWN, WEBSOCKET_CLOSE_REASONS, incompatibleFormat, pcmFramesDropped } from './end-reasons.js';
import type { EndCause, JobContext, JobOutput, OutputStats } from './job-output.js';
import { redactUrl, requestSecrets, scrubError } from './redact.js';
import { frameBytes, type ResolvedPcmStreamOptions } from './websocket/pcm-stream-options.js';
import { PcmWebSocket } from './websocket/pcm-websocket.js';
import { TrackPcmStream, type TrackPcmStreamStats } from './websocket/track-pcm-stream.js';

/** The one codec a WebSocket output decodes (LiveKit's audio tracks are Opus). */
const OPUS = 'audio/opus';

/**
 * Refuses a track the WebSocket output cannot stream, before anything is dialled (LiveKit's check).
 * @throws EgressError `invalid_argument` `format websocket incompatible with codec <mime>`.
 */
export function checkStreamable(source: TrackSource): void {
  const mime = source.info.codec.mimeType;
  if (source.info.kind !== 'audio' || mime.toLowerCase() !== OPUS) {
    throw new EgressError('invalid_argument', incompatibleFormat('websocket', mime));
  }
}

/**
 * Dials the WebSocket of a PCM output with `options`' message size and queue bound.
 * @throws EgressError `invalid_argument` `websocket dial failed: …` (see {@link PcmWebSocket.connect}).
 */
export function connectPcmSocket(url: string, options: ResolvedPcmStreamOptions, logger?: Logger): Promise<PcmWebSocket> {
  return PcmWebSocket.connect(url, { frameBytes: frameBytes(options), maxQueuedFrames: Math.ceil(options.maxQueueMs / options.frameDurationMs), logger });
}

/** The Close reason of a job that ends with `cause` (see {@link WEBSOCKET_CLOSE_REASONS}). */
export function websocketCloseReason(cause: EndCause): string {
  const R = WEBSOCKET_CLOSE_REASONS;
  switch (cause.kind) {
    case 'stop':
      return cause.details === END_REASON_SHUTDOWN ? R.shutdown : R.stopped;
    case 'limit':
      return R.limit;
    case 'failure':
      return R.stopped; // not sent: a failed socket is dropped
    case 'source':
      switch (cause.reason) {
        case 'unpublished':
          return R.unpublished;
        case 'participant-left':
          return R.participantLeft;
        case 'room-closed':
          return R.roomClosed;
        case 'disconnected':
          return R.roomConnectionLost;
        default:
          return R.stopped;
      }
  }
}

/** The WebSocket output; see the top of this file. */
export class WebSocketJobOutput implements JobOutput {
  private readonly url: string;
  private socket: PcmWebSocket | undefined;
  private stream: TrackPcmStream | undefined;
  /** The stream's counters at its end. */
  private final: TrackPcmStreamStats | undefined;
  private info: StreamInfo | undefined;

  constructor(private readonly ctx: JobContext) {
    this.url = ctx.request.output.value as string;
  }

  async open(source: TrackSource): Promise<void> {
    checkStreamable(source);
    const options = this.ctx.config.websocket;
    try {
      this.socket = await connectPcmSocket(this.url, options, this.ctx.log);
    } catch (e) {
      const error = this.asDialError(e);
      this.setInfo(new StreamInfo({ url: redactUrl(this.url), status: StreamInfo_Status.FAILED, error: error.message, endedAt: nowNs() }));
      throw error;
    }
    // Failures go to the job at once (the first one ends it); the stream reports the socket's too.
    this.socket.once('failed', (error) => this.ctx.fail(error));
    this.setInfo(new StreamInfo({ url: this.socket.redactedUrl || redactUrl(this.url), status: StreamInfo_Status.ACTIVE }));
    this.ctx.journalOutput({ kind: 'websocket', url: this.info!.url });
    this.stream = await TrackPcmStream.create(source, this.socket, options, this.ctx.log);
    this.stream.once('failed', (error) => this.ctx.fail(error));
  }

  started(arrivalUs: number): void {
    if (this.info) this.info.startedAt = nsOfUs(arrivalUs);
  }

  /** LiveKit's `stream_output_max_duration`. */
  limitReached(activeSinceMs: number): boolean {
    const max = this.ctx.config.sessionLimits?.streamOutputMaxDuration ?? 0;
    return max > 0 && Date.now() - activeSinceMs >= max * 1000;
  }

  /** Sends the rest and closes the socket with 1000 and the reason; after a failure, drops it. */
  async stopMedia(cause: EndCause): Promise<void> {
    if (cause.kind === 'failure' || !this.stream) {
      this.stream?.abort();
      this.socket?.terminate();
      this.final = this.streamStats();
      return;
    }
    this.final = await this.stream.stop(websocketCloseReason(cause));
  }

  async discard(cause: EndCause): Promise<void> {
    this.end(cause, nowNs());
  }

  async finish(cause: EndCause, _source: TrackSource, endedAt: bigint): Promise<void> {
    this.end(cause, endedAt);
  }

  async abort(error: EgressError): Promise<void> {
    this.stream?.abort();
    this.socket?.terminate();
    if (this.info?.status === StreamInfo_Status.ACTIVE) {
      this.info.status = StreamInfo_Status.FAILED;
      this.info.error = error.message;
      this.info.endedAt = nowNs();
    }
  }

  stats(): OutputStats {
    const s = this.final ?? this.streamStats();
    const sock = s ?? this.socket?.stats();
    return {
      bytesWritten: sock?.bytesSent ?? 0,
      bytesUploaded: 0,
      uploadRetries: 0,
      uploadState: 'local',
      queuedBytes: sock?.queuedBytes ?? 0,
      packets: s?.packets ?? 0,
      lost: s?.lost ?? 0,
      durationUs: s?.durationUs ?? 0,
      framesDropped: sock?.framesDropped ?? 0,
      ...(s ? { latency: s.latency } : {}),
    };
  }

  detailsSuffix(): string {
    const dropped = this.stats().framesDropped;
    return dropped > 0 ? pcmFramesDropped(dropped, this.ctx.config.websocket.frameDurationMs) : '';
  }

  private setInfo(info: StreamInfo): void {
    this.info = info;
    setStreamResult(this.ctx.info, info);
  }

  /** Fills the StreamInfo at the job's end: FINISHED, or FAILED with the socket's error. */
  private end(cause: EndCause, endedAt: bigint): void {
    const info = this.info;
    if (!info || info.status !== StreamInfo_Status.ACTIVE) return;
    info.endedAt = endedAt;
    info.duration = nsOfUs(this.final?.durationUs ?? 0);
    if (cause.kind === 'failure') {
      info.status = StreamInfo_Status.FAILED;
      info.error = cause.error.message;
    } else info.status = StreamInfo_Status.FINISHED;
  }

  private streamStats(): TrackPcmStreamStats | undefined {
    try {
      return this.stream?.stats();
    } catch {
      return undefined;
    }
  }

  /** A dial failure as LiveKit reports it (400), with no secret of the URL in it. */
  private asDialError(e: unknown): EgressError {
    return scrubError(e, requestSecrets(this.ctx.request), (why) => new EgressError('invalid_argument', `websocket dial failed: ${why}`));
  }
}
