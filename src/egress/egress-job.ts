/**
 * One track egress: subscribe to the track (src/livekit), run its output — a file
 * ({@link FileJobOutput}: TrackRecording → OutputSink, file_results) or a WebSocket
 * ({@link WebSocketJobOutput}: TrackPcmStream → PcmWebSocket, stream_results) — and walk the
 * EgressInfo through LiveKit's statuses (reference livekit-track-egress.md §3.6, §3.7, §4, §5):
 *
 * - STARTING when accepted; ACTIVE at the first RTP packet (FileInfo/StreamInfo started_at = its arrival);
 * - ENDING on StopEgress (`End reason: StopEgress API`) or when the source ends — unpublished,
 *   participant left, room closed (`End reason: Source closed`); then COMPLETE with its result;
 * - ABORTED (412) on a stop before the first packet (`Stop called before pipeline could start`),
 *   or when the source ends before it (`Start signal not received`);
 * - FAILED: track not published within the timeout (404 `track <id> not found`), a codec the core
 *   cannot write (400 `<mime> is not yet supported`), a video track for a WebSocket (400 `format
 *   websocket incompatible with codec <mime>`), a WebSocket dial failure (400), the sink's storage
 *   error, the receiver closing or the connection dying (503), a lost room connection (503
 *   `recording ended early: connection to room failed`, the output still finalized);
 * - LIMIT_REACHED (413) when a session limit (duration, size) is reached; the output is finalized.
 *
 * The job never throws: every outcome ends in a terminal EgressInfo (`done`).
 */
import { EventEmitter } from 'node:events';

import { EgressInfo, EgressStatus, type TrackEgressRequest } from '@livekit/protocol';
import type { Logger } from 'pino';

import { LiveKitError, LiveKitErrorCode } from '../livekit/errors.js';
import { subscribeTrack } from '../livekit/subscribe-track.js';
import type { TrackSource } from '../livekit/track-source.js';
import { EgressError } from './egress-error.js';
import {
  egressStatusName,
  markAborted,
  markActive,
  markComplete,
  markEnding,
  markFailed,
  markLimitReached,
  newEgressInfo,
  nowNs,
  nsOfUs,
} from './egress-info.js';
import {
  END_REASON_SOURCE_CLOSED,
  END_REASON_STOP_EGRESS,
  ROOM_CONNECTION_FAILED,
  START_SIGNAL_NOT_RECEIVED,
  STOP_BEFORE_START,
  cannotBeStopped,
  notYetSupported,
  trackNotFound,
} from './end-reasons.js';
import { FileJobOutput } from './file-job-output.js';
import type { JobJournal, JobRecord } from './job-journal.js';
import type { EndCause, JobConfig, JobOutput } from './job-output.js';
import { requestSecrets, scrubError, scrubSecrets } from './redact.js';
import type { EgressJobStats } from './service-types.js';
import { WebSocketJobOutput } from './websocket-job-output.js';

export type { JobConfig } from './job-output.js';
export { END_REASON_SHUTDOWN } from './end-reasons.js';

/** One egress job; see the top of this file. Events: `update` (the internal EgressInfo; the service redacts nothing more: it holds no secret). */
export class EgressJob extends EventEmitter<{ update: [EgressInfo] }> {
  readonly info: EgressInfo;
  /** Resolves when the job reached its terminal status (never rejects). */
  readonly done: Promise<void>;
  private endCause: EndCause | undefined;
  private wakeEnd: ((c: EndCause) => void) | undefined;
  private readonly ended: Promise<EndCause>;
  private readonly output: JobOutput;
  /** Arrival of the first packet, Unix ms (session limits). */
  private activeSinceMs = 0;
  private readonly secrets: string[];
  private readonly log: Logger;
  private journalChain: Promise<void> = Promise.resolve();
  private journalRecord: JobRecord;

  constructor(
    private readonly request: TrackEgressRequest,
    egressId: string,
    private readonly config: JobConfig,
    private readonly journal: JobJournal,
  ) {
    super();
    this.info = newEgressInfo({ egressId, roomName: request.roomName, request });
    this.secrets = requestSecrets(request);
    this.log = config.logger.child({ egressId, roomName: request.roomName, trackId: request.trackId });
    this.ended = new Promise((resolve) => (this.wakeEnd = resolve));
    this.journalRecord = {
      egressId,
      roomName: request.roomName,
      roomId: '',
      request: this.info.request.value!.toJson(),
      webhooks: request.webhooks.map((w) => ({ url: w.url, signingKey: w.signingKey })),
      startedAt: String(this.info.startedAt),
    };
    const ctx = {
      egressId,
      request,
      info: this.info,
      config,
      log: this.log,
      startTime: new Date(),
      fail: (error: EgressError) => this.end({ kind: 'failure', error }),
      journalOutput: (output: NonNullable<JobRecord['output']>) => {
        this.journalRecord.output = output;
        this.saveJournal();
      },
    };
    this.output = request.output.case === 'websocketUrl' ? new WebSocketJobOutput(ctx) : new FileJobOutput(ctx);
    this.done = this.run().catch((e) => this.log.error({ err: e }, 'egress job crashed'));
  }

  get egressId(): string {
    return this.info.egressId;
  }

  /**
   * StopEgress: ACTIVE → ENDING (the output is then finished: COMPLETE); STARTING → ABORTED.
   * Returns the info right after the transition.
   * @throws EgressError `failed_precondition` when the job already ended or is ending.
   */
  stop(details: string = END_REASON_STOP_EGRESS): EgressInfo {
    const s = this.info.status;
    if (s === EgressStatus.EGRESS_STARTING) {
      markAborted(this.info, STOP_BEFORE_START);
      this.emitUpdate();
      this.end({ kind: 'stop', details });
    } else if (s === EgressStatus.EGRESS_ACTIVE) {
      markEnding(this.info, details);
      this.emitUpdate();
      this.end({ kind: 'stop', details });
    } else {
      throw new EgressError('failed_precondition', cannotBeStopped(egressStatusName(s)));
    }
    return this.info;
  }

  /** Live counters. */
  stats(): EgressJobStats {
    return { ...this.output.stats(), egressId: this.egressId, roomName: this.info.roomName, status: this.info.status };
  }

  private end(cause: EndCause): void {
    if (this.endCause) return;
    this.endCause = cause;
    this.wakeEnd!(cause);
  }

  private emitUpdate(): void {
    this.emit('update', this.info);
  }

  private saveJournal(): void {
    const rec = { ...this.journalRecord };
    this.journalChain = this.journalChain
      .then(() => this.journal.write(rec))
      .catch((e) => this.log.warn({ err: e }, 'job journal write failed'));
  }

  private async run(): Promise<void> {
    this.saveJournal();
    let source: TrackSource | undefined;
    try {
      source = await this.subscribe();
      if (!source) return; // stopped while joining: ABORTED already
      await this.runOutput(source);
    } catch (e) {
      const error = asEgressError(e, this.request.trackId, this.secrets);
      const aborting = this.output.abort(error); // its synchronous part marks the result failed before the update
      this.fail(error);
      await aborting;
    } finally {
      await source?.close().catch(() => {});
      await this.journalChain;
      if (this.info.status >= EgressStatus.EGRESS_COMPLETE) await this.journal.remove(this.egressId).catch(() => {});
    }
  }

  /** Joins the room and waits for the track; undefined when stopped meanwhile. */
  private async subscribe(): Promise<TrackSource | undefined> {
    const joining = subscribeTrack({
      url: this.config.wsUrl,
      apiKey: this.config.apiKey,
      apiSecret: this.config.apiSecret,
      roomName: this.request.roomName,
      identity: this.egressId,
      trackSid: this.request.trackId,
      trackTimeoutMs: this.config.trackTimeoutMs,
    });
    const first = await Promise.race([joining, this.ended]);
    if ('on' in first) return first;
    joining.then((late) => late.close(), () => {});
    return undefined;
  }

  private async runOutput(source: TrackSource): Promise<void> {
    // At once: the source may end while the output is being opened.
    source.once('ended', (reason) => this.end({ kind: 'source', reason }));
    await this.output.open(source);
    source.once('rtp', (_p, arrivalUs) => this.onFirstPacket(arrivalUs));
    const limits = this.startLimits();
    const cause = await this.ended;
    limits();
    if (cause.kind === 'source' && cause.reason !== 'disconnected' && this.info.status === EgressStatus.EGRESS_ACTIVE) {
      markEnding(this.info, END_REASON_SOURCE_CLOSED);
      this.emitUpdate();
    }
    await this.output.stopMedia(cause);
    await source.close();

    if (this.info.status === EgressStatus.EGRESS_ABORTED || this.info.status === EgressStatus.EGRESS_STARTING) {
      // No packet came (LiveKit's pipeline never started).
      await this.output.discard(cause);
      if (this.info.status === EgressStatus.EGRESS_STARTING) {
        if (cause.kind === 'failure') this.fail(cause.error);
        else {
          markAborted(this.info, START_SIGNAL_NOT_RECEIVED);
          this.emitUpdate();
        }
      }
      return;
    }
    const now = nowNs();
    try {
      await this.output.finish(cause, source, now);
    } catch (e) {
      this.fail(asEgressError(e, this.request.trackId, this.secrets));
      return;
    }
    if (cause.kind === 'failure') markFailed(this.info, cause.error, now);
    else if (cause.kind === 'limit') markLimitReached(this.info, now);
    else if (cause.kind === 'source' && cause.reason === 'disconnected') {
      markFailed(this.info, new EgressError('unavailable', ROOM_CONNECTION_FAILED), now);
    } else markComplete(this.info, cause.kind === 'stop' ? cause.details : END_REASON_SOURCE_CLOSED, now);
    this.appendDetails();
    this.emitUpdate();
  }

  private onFirstPacket(arrivalUs: number): void {
    if (this.info.status !== EgressStatus.EGRESS_STARTING) return;
    this.output.started(arrivalUs);
    this.activeSinceMs = arrivalUs / 1000;
    markActive(this.info);
    this.journalRecord.mediaStartedAt = String(nsOfUs(arrivalUs));
    this.saveJournal();
    this.emitUpdate();
  }

  /** Session limits (LiveKit's `file_output_max_*` / `stream_output_max_duration`, asked of the output); returns their stopper. */
  private startLimits(): () => void {
    const { fileOutputMaxDuration = 0, streamOutputMaxDuration = 0, fileOutputMaxSize = 0 } = this.config.sessionLimits ?? {};
    if (!(fileOutputMaxDuration > 0 || streamOutputMaxDuration > 0 || fileOutputMaxSize > 0)) return () => {};
    const timer = setInterval(() => {
      if (this.info.status === EgressStatus.EGRESS_ACTIVE && this.output.limitReached(this.activeSinceMs)) this.end({ kind: 'limit' });
    }, 250);
    return () => clearInterval(timer);
  }

  /** The output's report (e.g. WebSocket drops) at the end of `details`. */
  private appendDetails(): void {
    const extra = this.output.detailsSuffix();
    if (extra) this.info.details = this.info.details ? `${this.info.details}; ${extra}` : extra;
  }

  private fail(error: EgressError): void {
    if (this.info.status >= EgressStatus.EGRESS_COMPLETE) return;
    markFailed(this.info, error);
    this.appendDetails();
    this.log.warn({ error: error.message }, 'egress failed');
    this.emitUpdate();
  }
}

/** A failure as the EgressError the info reports (LiveKit's texts), with no secret in it. */
function asEgressError(e: unknown, trackId: string, secrets: readonly string[]): EgressError {
  if (e instanceof LiveKitError) {
    switch (e.code) {
      case LiveKitErrorCode.TrackNotFound:
        return new EgressError('not_found', trackNotFound(trackId));
      case LiveKitErrorCode.UnsupportedCodec:
        return new EgressError('invalid_argument', notYetSupported(/ uses (\S+), /.exec(e.message)?.[1] ?? 'codec'));
      case LiveKitErrorCode.RoomNotFound:
        return new EgressError('not_found', 'requested room does not exist');
      case LiveKitErrorCode.TokenRejected:
        return new EgressError('permission_denied', scrubSecrets(e.message, secrets));
      default:
        return new EgressError('unavailable', scrubSecrets(e.message, secrets));
    }
  }
  return scrubError(e, secrets, (m) => new EgressError('internal', m));
}
