/**
 * EgressService: LiveKit's Track Egress, embeddable in a Node process. Starts one {@link EgressJob}
 * per `startTrackEgress`, keeps the EgressInfo of every job (running and ended), emits `update`
 * per status change, and reports the jobs a killed process left behind ({@link EgressService.start}).
 */
import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { EgressInfo, EgressSourceType, EgressStatus, FileInfo, StreamInfo, StreamInfo_Status, TrackEgressRequest, WebhookConfig } from '@livekit/protocol';
import { pino } from 'pino';

import { EgressError } from './egress-error.js';
import { cannotBeStopped, EGRESS_ALREADY_EXISTS, EGRESS_NOT_FOUND, missingField, SHUTTING_DOWN } from './end-reasons.js';
import { egressStatusName, isActiveStatus, nowNs, setFileResult, setStreamResult } from './egress-info.js';
import { newEgressId } from './egress-id.js';
import { EgressJob, END_REASON_SHUTDOWN, type JobConfig } from './egress-job.js';
import { JobJournal, type JobRecord } from './job-journal.js';
import { recoverS3Spool } from './outputs/open-sink.js';
import type { EgressJobStats, EgressServiceConfig, EgressServiceEvents, EgressServiceLike, ListEgressFilter } from './service-types.js';
import { resolvePcmStreamOptions } from './websocket/pcm-stream-options.js';
import { checkWebSocketUrl } from './websocket-url.js';

/** `error` of a job found in the journal after its process was killed. */
export const ERROR_PROCESS_ENDED = 'egress process ended while recording';
/** `details` of such a job. */
export const END_REASON_PROCESS_KILLED = 'End reason: Process killed';

/** Ended infos kept for listEgress (the oldest are forgotten first). */
const MAX_ENDED = 1000;

const missing = (field: string) => new EgressError('invalid_argument', missingField(field));

/**
 * The egress service. `new EgressService(config)`, `await start()` (reports leftovers of a killed
 * process), then `startTrackEgress` / `stopEgress` / `listEgress`; `close()` ends running jobs
 * cleanly. One job's failure (its storage, its room) never touches another job.
 *
 * ```ts
 * const svc = new EgressService({ apiKey, apiSecret, wsUrl: 'ws://127.0.0.1:7880', recordingsDir: './recordings' });
 * svc.on('update', (info) => console.log(info.egressId, EgressStatus[info.status]));
 * await svc.start();
 * const info = await svc.startTrackEgress(new TrackEgressRequest({ roomName: 'my-room', trackId,
 *   output: { case: 'file', value: new DirectFileOutput({ filepath: '{room_name}/{track_id}' }) } }));
 * ```
 */
export class EgressService extends EventEmitter<EgressServiceEvents> implements EgressServiceLike {
  private readonly config: JobConfig;
  private readonly journal: JobJournal;
  private readonly jobs = new Map<string, { job: EgressJob; webhooks: WebhookConfig[] }>();
  private readonly ended = new Map<string, EgressInfo>();
  private closing = false;
  private refusing = false;

  /**
   * @throws InvalidArgumentError (`ERR_TE_INVALID_ARG`) for bad `websocket` options (names the option).
   */
  constructor(config: EgressServiceConfig) {
    super();
    const recordingsDir = resolve(config.recordingsDir ?? './recordings');
    this.config = {
      ...config,
      recordingsDir,
      spoolDir: resolve(config.spoolDir ?? join(recordingsDir, '.track-egress')),
      trackTimeoutMs: config.trackTimeoutMs ?? 30_000,
      logger: config.logger ?? pino({ level: 'silent' }),
      websocket: resolvePcmStreamOptions(config.websocket),
    };
    this.journal = new JobJournal(this.config.spoolDir);
  }

  /**
   * Reports the jobs a killed process left in the journal: each becomes an EgressInfo FAILED with
   * `error` {@link ERROR_PROCESS_ENDED}, `details` {@link END_REASON_PROCESS_KILLED} and the
   * file_results of what the file (or, for S3, the upload finished from its spool) holds — for a
   * WebSocket output, its stream_results entry FAILED with the same error; each is
   * also emitted as `update` (so webhooks go out) and listed by listEgress. Records of another
   * process still running on this host (the same spool directory given to two services) are not
   * touched; a warning names that process.
   */
  async start(): Promise<EgressInfo[]> {
    const out: EgressInfo[] = [];
    const { leftovers, live } = await this.journal.read();
    for (const owner of new Set(live.map((r) => r.owner!.pid))) {
      this.config.logger.warn(
        { spoolDir: this.config.spoolDir, pid: owner, egressIds: live.filter((r) => r.owner!.pid === owner).map((r) => r.egressId) },
        'the spool directory is in use by another running track-egress process: its jobs are left alone (give each service its own recordings_dir / spool_dir)',
      );
    }
    for (const rec of leftovers) {
      const info = await this.recover(rec);
      this.remember(info);
      out.push(info);
      this.emit('update', info.clone(), rec.webhooks.map((w) => new WebhookConfig(w)));
      await this.journal.remove(rec.egressId);
    }
    return out;
  }

  /**
   * Starts a job. `egressId` is the caller's (the cluster worker passes the server's); default a new `EG_…`.
   * @throws EgressError `unavailable` after {@link refuseNewJobs} or {@link close}; `invalid_argument`
   *   for a missing field or a bad WebSocket URL; `unimplemented` for a storage other than S3;
   *   `already_exists` for a known egress id.
   */
  async startTrackEgress(request: TrackEgressRequest, egressId?: string): Promise<EgressInfo> {
    if (this.closing || this.refusing) throw new EgressError('unavailable', SHUTTING_DOWN);
    if (!request.trackId) throw missing('track_id');
    if (request.output.case === 'websocketUrl') checkWebSocketUrl(request.output.value);
    else if (request.output.case === 'file') {
      const storage = request.output.value.output.case;
      if (storage && storage !== 's3') throw new EgressError('unimplemented', `${storage} upload is not supported yet`);
    } else throw missing('output');
    if (!request.roomName) throw missing('room_name');
    const id = egressId ?? newEgressId();
    if (this.jobs.has(id) || this.ended.has(id)) throw new EgressError('already_exists', EGRESS_ALREADY_EXISTS);
    const job = new EgressJob(request, id, this.config, this.journal);
    const entry = { job, webhooks: request.webhooks.map((w) => w.clone()) };
    this.jobs.set(id, entry);
    job.on('update', (info) => {
      if (info.status >= EgressStatus.EGRESS_COMPLETE) {
        this.jobs.delete(id);
        this.remember(info);
      }
      this.logStatus(info);
      this.emit('update', info.clone(), entry.webhooks);
    });
    this.logStatus(job.info);
    this.emit('update', job.info.clone(), entry.webhooks);
    return job.info.clone();
  }

  async stopEgress(egressId: string): Promise<EgressInfo> {
    const entry = this.jobs.get(egressId);
    if (!entry) {
      const ended = this.ended.get(egressId);
      if (ended) throw new EgressError('failed_precondition', cannotBeStopped(egressStatusName(ended.status)));
      throw new EgressError('not_found', EGRESS_NOT_FOUND);
    }
    return entry.job.stop().clone();
  }

  async listEgress(filter: ListEgressFilter = {}): Promise<EgressInfo[]> {
    const all = [...[...this.jobs.values()].map((e) => e.job.info), ...this.ended.values()];
    return all
      .filter((i) => (!filter.roomName || i.roomName === filter.roomName) && (!filter.egressId || i.egressId === filter.egressId) &&
        (!filter.active || isActiveStatus(i.status)))
      .map((i) => i.clone());
  }

  /**
   * From now on startTrackEgress refuses (`unavailable`, "server is shutting down"), while
   * the running jobs go on: the first step of a worker's drain, for every front end at once.
   */
  refuseNewJobs(): void {
    this.refusing = true;
  }

  jobStats(): EgressJobStats[] {
    return [...this.jobs.values()].map((e) => e.job.stats());
  }

  /**
   * Refuses new jobs and ends the running ones as a StopEgress would (details
   * `End reason: Process killed`, LiveKit's text for a worker shutdown): their files get their
   * index and their COMPLETE update. Jobs still running after `deadlineMs` (default 10 000) are
   * left to finish in the background; their journal records stay for the next start().
   */
  async close({ deadlineMs = 10_000 }: { deadlineMs?: number } = {}): Promise<void> {
    this.closing = true;
    const running = [...this.jobs.values()].map((e) => e.job);
    for (const job of running) {
      try {
        job.stop(END_REASON_SHUTDOWN);
      } catch {
        // already ending
      }
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(running.map((j) => j.done)),
      new Promise((r) => (timer = setTimeout(r, deadlineMs).unref())),
    ]);
    clearTimeout(timer);
  }

  /** One info line per status change (the info holds no secret: see `newEgressInfo`). */
  private logStatus(info: EgressInfo): void {
    const track = info.request.case === 'track' ? info.request.value : undefined;
    const output = track?.output.case === 'websocketUrl' ? track.output.value : info.fileResults[0]?.filename;
    this.config.logger.info(
      { egressId: info.egressId, roomName: info.roomName, trackId: track?.trackId, status: egressStatusName(info.status), output,
        ...(info.error ? { error: info.error, errorCode: info.errorCode } : {}), ...(info.details ? { details: info.details } : {}) },
      `egress ${egressStatusName(info.status).replace(/^EGRESS_/, '')}`,
    );
  }

  private remember(info: EgressInfo): void {
    this.ended.set(info.egressId, info);
    if (this.ended.size > MAX_ENDED) this.ended.delete(this.ended.keys().next().value!);
  }

  /** The ended EgressInfo of a journal record. */
  private async recover(rec: JobRecord): Promise<EgressInfo> {
    const now = nowNs();
    const info = new EgressInfo({
      egressId: rec.egressId,
      roomName: rec.roomName,
      roomId: rec.roomId,
      sourceType: EgressSourceType.SDK,
      status: EgressStatus.EGRESS_FAILED,
      startedAt: BigInt(rec.startedAt),
      endedAt: now,
      updatedAt: now,
      error: ERROR_PROCESS_ENDED,
      errorCode: 500,
      details: END_REASON_PROCESS_KILLED,
    });
    try {
      info.request = { case: 'track', value: TrackEgressRequest.fromJson(rec.request as never, { ignoreUnknownFields: true }) };
    } catch {
      // an older or damaged record: report without the request
    }
    if (rec.output?.kind === 'websocket') {
      const startedAt = rec.mediaStartedAt ? BigInt(rec.mediaStartedAt) : 0n;
      setStreamResult(info, new StreamInfo({ url: rec.output.url, startedAt, endedAt: now, status: StreamInfo_Status.FAILED, error: ERROR_PROCESS_ENDED }));
    } else if (rec.output) {
      const file = new FileInfo({ filename: rec.output.filename, startedAt: rec.mediaStartedAt ? BigInt(rec.mediaStartedAt) : 0n });
      try {
        if (rec.output.kind === 'local') {
          file.size = BigInt((await stat(rec.output.path)).size);
          file.location = rec.output.path;
        } else {
          const r = await recoverS3Spool(rec.output.spoolPath, this.config.logger, this.config.upload);
          file.size = BigInt(r.size);
          file.location = r.location;
        }
      } catch (e) {
        this.config.logger.warn({ err: e, egressId: rec.egressId }, 'leftover output not recovered');
        info.details = `${END_REASON_PROCESS_KILLED}; output not recovered: ${e instanceof Error ? e.message : String(e)}`;
      }
      setFileResult(info, file);
    }
    return info;
  }
}
