/**
 * ScriptedEgressService: a small in-memory implementation of our own `EgressServiceLike`
 * interface for the API-layer tests (the Twirp server and the webhook notifier). It records
 * nothing; the test moves each egress through its statuses with `advance()`. The real
 * `EgressService` (with livekit-server and MinIO) is tested end to end elsewhere.
 */
import { EventEmitter } from 'node:events';

import {
  EgressInfo,
  EgressSourceType,
  EgressStatus,
  TrackEgressRequest,
  type WebhookConfig,
} from '@livekit/protocol';

import { EgressError } from '../../../src/egress/egress-error.js';
import type {
  EgressJobStats,
  EgressServiceEvents,
  EgressServiceLike,
  ListEgressFilter,
} from '../../../src/egress/service-types.js';

type Job = { info: EgressInfo; webhooks: WebhookConfig[]; stats: EgressJobStats };

const ACTIVE_STATUSES = new Set([EgressStatus.EGRESS_STARTING, EgressStatus.EGRESS_ACTIVE, EgressStatus.EGRESS_ENDING]);

export class ScriptedEgressService extends EventEmitter<EgressServiceEvents> implements EgressServiceLike {
  readonly jobs = new Map<string, Job>();
  /** When set, the next call throws it (to test how the API maps errors). */
  failNext: unknown;
  #seq = 0;

  async startTrackEgress(request: TrackEgressRequest, egressId?: string): Promise<EgressInfo> {
    this.#maybeFail();
    if (!request.trackId) throw new EgressError('invalid_argument', 'request has missing or invalid field: track_id');
    if (request.output.case === undefined) throw new EgressError('invalid_argument', 'request has missing or invalid field: output');
    const id = egressId ?? `EG_test${String(++this.#seq).padStart(8, '0')}`;
    if (this.jobs.has(id)) throw new EgressError('already_exists', `egress ${id} already exists`);
    const redacted = request.clone();
    redacted.webhooks = [];
    if (redacted.output.case === 'file' && redacted.output.value.output.case === 's3') {
      const s3 = redacted.output.value.output.value;
      s3.accessKey = '{access_key}';
      s3.secret = '{secret}';
    }
    const now = BigInt(Date.now()) * 1_000_000n;
    const info = new EgressInfo({
      egressId: id,
      roomName: request.roomName,
      roomId: 'RM_test',
      sourceType: EgressSourceType.SDK,
      status: EgressStatus.EGRESS_STARTING,
      startedAt: now,
      updatedAt: now,
      request: { case: 'track', value: redacted },
    });
    const stats: EgressJobStats = {
      egressId: id,
      roomName: request.roomName,
      status: info.status,
      packets: 0,
      lost: 0,
      durationUs: 0,
      bytesWritten: 0,
      bytesUploaded: 0,
      uploadRetries: 0,
      uploadState: 'local',
      queuedBytes: 0,
      framesDropped: 0,
    };
    this.jobs.set(id, { info, webhooks: [...request.webhooks], stats });
    this.emit('update', info.clone(), request.webhooks);
    return info.clone();
  }

  async stopEgress(egressId: string): Promise<EgressInfo> {
    this.#maybeFail();
    const job = this.jobs.get(egressId);
    if (!job) throw new EgressError('not_found', 'egress not found');
    const status = job.info.status;
    if (status === EgressStatus.EGRESS_STARTING) return this.advance(egressId, EgressStatus.EGRESS_ABORTED);
    if (status === EgressStatus.EGRESS_ACTIVE) return this.advance(egressId, EgressStatus.EGRESS_ENDING);
    throw new EgressError('failed_precondition', `egress with status ${EgressStatus[status]} cannot be stopped`);
  }

  async listEgress(filter: ListEgressFilter = {}): Promise<EgressInfo[]> {
    this.#maybeFail();
    return [...this.jobs.values()]
      .map((job) => job.info)
      .filter((info) => filter.roomName === undefined || info.roomName === filter.roomName)
      .filter((info) => filter.egressId === undefined || info.egressId === filter.egressId)
      .filter((info) => !filter.active || ACTIVE_STATUSES.has(info.status))
      .map((info) => info.clone());
  }

  jobStats(): EgressJobStats[] {
    return [...this.jobs.values()].filter((job) => ACTIVE_STATUSES.has(job.info.status)).map((job) => ({ ...job.stats }));
  }

  /** Moves an egress to `status` (with optional counters) and emits `update`, as the real service does. */
  advance(egressId: string, status: EgressStatus, counters: Partial<EgressJobStats> = {}): EgressInfo {
    const job = this.jobs.get(egressId);
    if (!job) throw new Error(`no job ${egressId}`);
    job.info.status = status;
    job.info.updatedAt = BigInt(Date.now()) * 1_000_000n;
    if (!ACTIVE_STATUSES.has(status)) job.info.endedAt = job.info.updatedAt;
    Object.assign(job.stats, counters, { status });
    this.emit('update', job.info.clone(), job.webhooks);
    return job.info.clone();
  }

  #maybeFail(): void {
    const err = this.failNext;
    if (err === undefined) return;
    this.failNext = undefined;
    throw err;
  }
}
