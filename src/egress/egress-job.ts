/**
 * One track egress: subscribe to the track (src/livekit), run a {@link TrackRecording} (RTP → media
 * core → container) into an {@link OutputSink}, and walk the EgressInfo through LiveKit's statuses
 * (reference livekit-track-egress.md §3.6, §3.7, §5):
 *
 * - STARTING when accepted; ACTIVE at the first RTP packet (FileInfo.started_at = its arrival);
 * - ENDING on StopEgress (`End reason: StopEgress API`) or when the source ends — unpublished,
 *   participant left, room closed (`End reason: Source closed`); then COMPLETE with file_results;
 * - ABORTED (412) on a stop before the first packet (`Stop called before pipeline could start`),
 *   or when the source ends before it (`Start signal not received`);
 * - FAILED: track not published within the timeout (404 `track <id> not found`), a codec the core
 *   cannot write (400 `<mime> is not yet supported`), the sink's storage error, a lost room
 *   connection (503 `recording ended early: connection to room failed`, file still finalized);
 * - LIMIT_REACHED (413) when a session limit (duration, size) is reached; the file is finalized.
 *
 * The job never throws: every outcome ends in a terminal EgressInfo (`done`).
 */
import { EventEmitter } from 'node:events';
import { realpath, rm } from 'node:fs/promises';
import { join, sep } from 'node:path';

import { EgressInfo, EgressStatus, FileInfo, type TrackEgressRequest } from '@livekit/protocol';
import type { Logger } from 'pino';

import { CODECS, codecFromEncodingName } from '../core/codec.js';
import { LiveKitError, LiveKitErrorCode } from '../livekit/errors.js';
import { subscribeTrack } from '../livekit/subscribe-track.js';
import type { TrackEndReason, TrackSource } from '../livekit/track-source.js';
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
  setFileResult,
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
import { cleanFilepath, expandRequestPlaceholders, expandTrackPlaceholders, withExtension } from './filepath-template.js';
import type { JobJournal, JobRecord } from './job-journal.js';
import { resolveUnderRoot } from './local-root.js';
import { manifestFilename, manifestJson } from './manifest.js';
import { type OpenedOutput, type OutputTarget, openSink } from './outputs/open-sink.js';
import { createTrackRecorder } from './record.js';
import { scrubSecrets, requestSecrets } from './redact.js';
import type { EgressJobStats, EgressServiceConfig } from './service-types.js';
import { TrackRecording } from './track-recording.js';

/** The service configuration with its defaults filled in. */
export type JobConfig = Required<Pick<EgressServiceConfig, 'apiKey' | 'apiSecret' | 'wsUrl' | 'recordingsDir' | 'spoolDir' | 'trackTimeoutMs'>> &
  Pick<EgressServiceConfig, 's3' | 'upload' | 'sessionLimits'> & { logger: Logger };

/** `details` of jobs ended by {@link EgressJob.stop} from `EgressService.close()` (LiveKit's text on SIGTERM). */
export const END_REASON_SHUTDOWN = 'End reason: Process killed';

/** How a running job comes to its end. */
type EndCause =
  | { kind: 'stop'; details: string }
  | { kind: 'source'; reason: TrackEndReason }
  | { kind: 'failure'; error: EgressError }
  | { kind: 'limit' };

const nsOfUs = (us: number): bigint => BigInt(Math.round(us)) * 1000n;

/** One egress job; see the top of this file. Events: `update` (the internal EgressInfo; the service redacts nothing more: it holds no secret). */
export class EgressJob extends EventEmitter<{ update: [EgressInfo] }> {
  readonly info: EgressInfo;
  /** Resolves when the job reached its terminal status (never rejects). */
  readonly done: Promise<void>;
  private endCause: EndCause | undefined;
  private wakeEnd: ((c: EndCause) => void) | undefined;
  private readonly ended: Promise<EndCause>;
  private recording: TrackRecording | undefined;
  private output: OpenedOutput | undefined;
  /** FileInfo of the output, in info.fileResults once the file is known; started_at at ACTIVE. */
  private file: FileInfo | undefined;
  private readonly startTime = new Date();
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
    this.done = this.run().catch((e) => this.log.error({ err: e }, 'egress job crashed'));
  }

  get egressId(): string {
    return this.info.egressId;
  }

  /**
   * StopEgress: ACTIVE → ENDING (the file is then finished: COMPLETE); STARTING → ABORTED.
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
    const r = this.recording?.stats();
    const sink = this.output?.sink.stats() ?? { bytesWritten: 0, bytesUploaded: 0, uploadRetries: 0, uploadState: 'local' as const, queuedBytes: 0 };
    return { ...sink, egressId: this.egressId, roomName: this.info.roomName, status: this.info.status,
      packets: r?.packets ?? 0, lost: r?.lost ?? 0, durationUs: r?.durationUs ?? 0 };
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
      await this.record(source);
    } catch (e) {
      this.fail(asEgressError(e, this.request.trackId, this.secrets));
      try {
        this.recording?.stop();
      } catch {
        // the recorder is closed already
      }
      await this.output?.sink.abort().catch(() => {});
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

  private async record(source: TrackSource): Promise<void> {
    // At once: the source may end while the sink and the recorder are being opened.
    source.once('ended', (reason) => this.end({ kind: 'source', reason }));
    const codec = codecFromEncodingName(source.info.codec.mimeType);
    if (!codec) throw new EgressError('invalid_argument', notYetSupported(source.info.codec.mimeType));
    const target = await this.target(source, CODECS[codec].extension);
    this.output = await openSink(target, CODECS[codec].mimeType, { onFailure: (error) => this.end({ kind: 'failure', error }), logger: this.log });
    this.file = new FileInfo({ filename: this.output.sink.filename });
    setFileResult(this.info, this.file);
    this.journalRecord.output = target.kind === 'local'
      ? { kind: 'local', filename: target.filename, path: target.path }
      : { kind: 's3', filename: target.key, spoolPath: target.spoolPath };
    this.saveJournal();

    const rec = await createTrackRecorder(codec, source.info.codec);
    const sink = this.output.sink;
    this.recording = new TrackRecording(source, rec, { write: (chunks) => sink.write(chunks) });
    source.once('rtp', (_p, arrivalUs) => this.onFirstPacket(arrivalUs));
    const limits = this.startLimits();
    const cause = await this.ended;
    limits();
    const stats = this.recording.stop();
    rec.close();
    await source.close();

    if (this.info.status === EgressStatus.EGRESS_ABORTED || (this.info.status === EgressStatus.EGRESS_STARTING)) {
      // No packet was written: no file (LiveKit's pipeline never started).
      await sink.abort();
      if (target.kind === 'local') await rm(target.path, { force: true });
      this.info.fileResults = [];
      this.info.result = { case: undefined };
      if (this.info.status === EgressStatus.EGRESS_STARTING) {
        if (cause.kind === 'failure') this.fail(cause.error);
        else {
          markAborted(this.info, START_SIGNAL_NOT_RECEIVED);
          this.emitUpdate();
        }
      }
      return;
    }
    if (cause.kind === 'source' && cause.reason !== 'disconnected' && this.info.status === EgressStatus.EGRESS_ACTIVE) {
      markEnding(this.info, END_REASON_SOURCE_CLOSED);
      this.emitUpdate();
    }
    let result;
    try {
      result = await sink.finish();
    } catch (e) {
      this.fail(asEgressError(e, this.request.trackId, this.secrets));
      return;
    }
    const file = this.file!;
    file.duration = nsOfUs(stats.durationUs);
    file.endedAt = stats.lastArrivalUs ? nsOfUs(stats.lastArrivalUs) : file.startedAt + file.duration;
    file.size = BigInt(result.size);
    file.location = result.location;
    const now = nowNs();
    if (cause.kind !== 'failure') await this.writeManifest(source, now);
    if (cause.kind === 'failure') markFailed(this.info, cause.error, now);
    else if (cause.kind === 'limit') markLimitReached(this.info, now);
    else if (cause.kind === 'source' && cause.reason === 'disconnected') {
      markFailed(this.info, new EgressError('unavailable', ROOM_CONNECTION_FAILED), now);
    } else markComplete(this.info, cause.kind === 'stop' ? cause.details : END_REASON_SOURCE_CLOSED, now);
    this.emitUpdate();
  }

  private onFirstPacket(arrivalUs: number): void {
    if (this.info.status !== EgressStatus.EGRESS_STARTING) return;
    this.file!.startedAt = nsOfUs(arrivalUs);
    markActive(this.info);
    this.journalRecord.mediaStartedAt = String(this.file!.startedAt);
    this.saveJournal();
    this.emitUpdate();
  }

  /** Session limits (LiveKit's `file_output_max_duration` / `file_output_max_size`); returns their stopper. */
  private startLimits(): () => void {
    const { fileOutputMaxDuration = 0, fileOutputMaxSize = 0 } = this.config.sessionLimits ?? {};
    const timers: NodeJS.Timeout[] = [];
    if (fileOutputMaxDuration > 0 || fileOutputMaxSize > 0) {
      timers.push(setInterval(() => {
        if (this.info.status !== EgressStatus.EGRESS_ACTIVE) return;
        const overTime = fileOutputMaxDuration > 0 && Date.now() - Number(this.file!.startedAt / 1_000_000n) >= fileOutputMaxDuration * 1000;
        const overSize = fileOutputMaxSize > 0 && (this.output?.sink.stats().bytesWritten ?? 0) >= fileOutputMaxSize;
        if (overTime || overSize) this.end({ kind: 'limit' });
      }, 250));
    }
    return () => timers.forEach(clearInterval);
  }

  /** The request's filepath templated (LiveKit's rules, reference §2.3) and where it goes. */
  private async target(source: TrackSource, ext: string): Promise<OutputTarget> {
    const out = this.request.output.value as import('@livekit/protocol').DirectFileOutput;
    let p = expandRequestPlaceholders(cleanFilepath(out.filepath), { roomName: this.request.roomName, roomId: this.info.roomId, now: this.startTime });
    p = expandTrackPlaceholders(p, { trackId: source.info.trackSid, trackKind: source.info.kind, trackSource: source.info.source,
      publisherIdentity: source.info.publisherIdentity });
    p = withExtension(p, source.info.trackSid, ext, this.startTime);
    const upload = out.output.case === 's3' ? out.output.value : this.config.s3;
    if (upload) {
      const key = p.replace(/^\/+/, '');
      return { kind: 's3', upload, key, spoolPath: join(this.config.spoolDir, `${this.egressId}${ext}`), policy: this.config.upload };
    }
    const path = await resolveUnderRoot(this.config.recordingsDir, p);
    const spool = await realpath(this.config.spoolDir).catch(() => this.config.spoolDir);
    if (path.startsWith(spool + sep)) {
      throw new EgressError('invalid_argument', 'request has missing or invalid field: filepath (names the spool directory)');
    }
    return { kind: 'local', filename: p, path };
  }

  private async writeManifest(source: TrackSource, endedAt: bigint): Promise<void> {
    const out = this.request.output.value as import('@livekit/protocol').DirectFileOutput;
    if (out.disableManifest || !this.output) return;
    const snapshot = this.info.clone();
    snapshot.endedAt = endedAt;
    const json = manifestJson(snapshot, { publisherIdentity: source.info.publisherIdentity, trackKind: source.info.kind, trackSource: source.info.source });
    try {
      this.info.manifestLocation = await this.output.writeManifest(manifestFilename(this.output.sink.filename, this.egressId), json);
    } catch (e) {
      this.log.warn({ err: e }, 'manifest not written'); // LiveKit: only logged
    }
  }

  private fail(error: EgressError): void {
    if (this.info.status >= EgressStatus.EGRESS_COMPLETE) return;
    markFailed(this.info, error);
    this.log.warn({ error: error.message }, 'egress failed');
    this.emitUpdate();
  }
}

/** A failure as the EgressError the info reports (LiveKit's texts), with no secret in it. */
function asEgressError(e: unknown, trackId: string, secrets: readonly string[]): EgressError {
  if (e instanceof EgressError) return new EgressError(e.twirpCode, scrubSecrets(e.message, secrets));
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
  return new EgressError('internal', scrubSecrets(e instanceof Error ? e.message : String(e), secrets));
}
