/**
 * The LiveKit egress worker: puts an {@link EgressService} on a LiveKit cluster's Redis bus
 * (psrpc), as LiveKit egress's `pkg/server` does for track egress (reference
 * livekit-track-egress.md §8, docs/cluster.md):
 *
 * - serves `EgressInternal.StartEgress` on topic `clusterId`, claiming only track egress requests
 *   it can take ({@link startEgressAffinity}: 0.5 idle, 1 busy, −1 otherwise), and answers the
 *   EgressInfo STARTING of the job it started;
 * - registers `EgressHandler.StopEgress` on topic = egress id for every running job (also jobs
 *   started through the service's own Twirp API), deregistered when the job ends;
 * - answers `EgressInternal.ListActiveEgress` with the running egress ids;
 * - reports every `update` of the service (status changes, the FAILED leftovers of a killed
 *   process that `service.start()` reports) through the {@link InfoReporter}
 *   (`IOInfo.CreateEgress` / `UpdateEgress`), so the server stores them, answers ListEgress and
 *   sends the webhooks;
 * - {@link EgressWorker.drain}: SIGTERM semantics (stop claiming, let jobs end, then end the rest).
 */
import { EgressInfo, EgressStatus } from '@livekit/protocol';
import { pino, type Logger } from 'pino';

import type { EgressService } from '../../egress/egress-service.js';
import { PsrpcClient } from '../client.js';
import { PsrpcError } from '../errors.js';
import { ListActiveEgressResponse, type StartEgressRequest } from '../gen/rpc/egress_pb.js';
import { probeLiveKitServer } from '../probe.js';
import type { RedisBus } from '../redis-bus.js';
import { PsrpcServer } from '../server.js';
import { EgressHandler, EgressInternal } from '../services.js';
import { CapacityMonitor } from './capacity.js';
import { toPsrpcError } from './error-codes.js';
import { InfoReporter } from './info-reporter.js';
import { refusal, startEgressAffinity, type ClaimState } from './start-egress.js';

/** How long the start-up self-test retries when no livekit-server answers yet, ms. */
export const SELF_TEST_RETRY_MS = 30_000;
/** How long a drain lets the reporter deliver the last updates, ms (LiveKit egress's IO timeout). */
export const DRAIN_FLUSH_MS = 15_000;
/** How long a drain waits for jobs it ended to write their COMPLETE files, ms. */
export const DRAIN_FINISH_MS = 30_000;

export type EgressWorkerOptions = {
  /** The cluster's Redis bus (not closed by the worker). */
  bus: RedisBus;
  /** The service that runs the jobs (shared with the Twirp API). Not closed except by {@link EgressWorker.drain}. */
  service: EgressService;
  /** StartEgress topic (LiveKit `cluster_id`). Default `''`, what the OSS livekit-server calls. */
  clusterId?: string;
  /** Admission. Default: a `new CapacityMonitor()` owned (started and closed) by the worker. */
  capacity?: CapacityMonitor;
  /** IOInfo delivery. Default: an InfoReporter on a PsrpcClient of `bus`, owned by the worker. */
  reporter?: InfoReporter;
  logger?: Logger;
  /** Probe the livekit-server at start ({@link probeLiveKitServer}). Default true. */
  selfTest?: boolean;
  /** How long the self-test retries while no server answers, ms. Default {@link SELF_TEST_RETRY_MS}. */
  selfTestRetryMs?: number;
};

const isEnded = (status: EgressStatus) => status >= EgressStatus.EGRESS_COMPLETE;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/** One worker process's presence on the cluster. Create with {@link EgressWorker.start}. */
export class EgressWorker {
  /** This worker's psrpc server id (`SRV_…`): the `server_id` of its claims. */
  readonly nodeId: string;
  readonly #server: PsrpcServer;
  readonly #client: PsrpcClient | undefined;
  readonly #service: EgressService;
  readonly #clusterId: string;
  readonly #capacity: CapacityMonitor;
  readonly #reporter: InfoReporter;
  readonly #owned: { capacity: boolean; reporter: boolean };
  readonly #log: Logger;
  /** Running egresses → their room id from the StartEgress request (`''` when started by the API). */
  readonly #active = new Map<string, string>();
  /** Ids being started by a StartEgress handler (before the service knows them). */
  readonly #starting = new Set<string>();
  /** Ids reserved in the CapacityMonitor. */
  readonly #reserved = new Set<string>();
  /** StopEgress registrations by egress id (pending or done). */
  readonly #stopHandlers = new Map<string, Promise<void>>();
  readonly #onUpdate = (info: EgressInfo) => this.#update(info);
  #draining = false;
  #drain: Promise<void> | undefined;
  #wakeIdle: (() => void) | undefined;
  #cutWait: (() => void) | undefined;
  #cutNow = false;

  private constructor(opts: EgressWorkerOptions) {
    this.#log = opts.logger ?? pino({ level: 'silent' });
    this.#server = new PsrpcServer(opts.bus, { logger: this.#log });
    this.nodeId = this.#server.id;
    this.#service = opts.service;
    this.#clusterId = opts.clusterId ?? '';
    this.#owned = { capacity: !opts.capacity, reporter: !opts.reporter };
    this.#capacity = opts.capacity ?? new CapacityMonitor();
    if (!opts.reporter) this.#client = new PsrpcClient(opts.bus);
    this.#reporter = opts.reporter ?? new InfoReporter({ client: this.#client!, logger: this.#log });
  }

  /**
   * Runs the self-test (unless `selfTest: false`), then starts listening to the service's updates
   * and registers StartEgress (topic `clusterId`) and ListActiveEgress. Call before
   * `service.start()` so the leftovers it reports reach the server.
   * @throws Error naming the Redis channel and the pinned versions when no livekit-server answered
   *   the probe within `selfTestRetryMs`; the bus's error if a SUBSCRIBE fails.
   */
  static async start(opts: EgressWorkerOptions): Promise<EgressWorker> {
    const worker = new EgressWorker(opts);
    try {
      if (opts.selfTest !== false) await worker.#selfTest(opts.bus, opts.selfTestRetryMs ?? SELF_TEST_RETRY_MS);
      await worker.#open();
    } catch (err) {
      await worker.#server.close(true);
      await worker.#closeOwned();
      throw err;
    }
    return worker;
  }

  /** The egresses running on this worker (STARTING, ACTIVE, ENDING). */
  activeEgressIds(): string[] {
    return [...this.#active.keys()];
  }

  /** Whether {@link drain} was called (no new claims). */
  get draining(): boolean {
    return this.#draining;
  }

  /**
   * Stops claiming at once (StartEgress deregistered); lets running jobs end on their own for up
   * to `deadlineMs` (0 or absent = until they end, `Infinity` allowed; `now: true` = not at all),
   * then ends the rest as a shutdown (ENDING → COMPLETE, `service.close`), delivers the last
   * updates (≤ {@link DRAIN_FLUSH_MS}), deregisters everything. Idempotent: a second call returns
   * the same promise, but its `now: true` or shorter deadline cuts the wait short (a second SIGTERM).
   * Does not close the bus.
   */
  drain(opts: { deadlineMs?: number; now?: boolean } = {}): Promise<void> {
    const wait = opts.now ? 0 : opts.deadlineMs && opts.deadlineMs > 0 ? opts.deadlineMs : Infinity;
    if (this.#drain) {
      if (wait === 0) {
        this.#cutNow = true; // also when the wait has not begun yet
        this.#cutWait?.();
      } else if (Number.isFinite(wait)) void sleep(wait).then(() => this.#cutWait?.());
      return this.#drain;
    }
    this.#draining = true;
    this.#drain = this.#runDrain(wait);
    return this.#drain;
  }

  async #runDrain(waitMs: number): Promise<void> {
    this.#service.refuseNewJobs(); // the Twirp API too
    await this.#server.deregister(EgressInternal.StartEgress, this.#clusterId);
    this.#log.info({ nodeId: this.nodeId, running: this.#active.size, waitMs: Number.isFinite(waitMs) ? waitMs : 'until jobs end' }, 'egress worker draining: no new claims');
    if (this.#active.size > 0 && waitMs > 0 && !this.#cutNow) {
      const idle = new Promise<void>((r) => (this.#wakeIdle = r));
      const cut = new Promise<void>((r) => (this.#cutWait = r));
      const timer = Number.isFinite(waitMs) ? setTimeout(() => this.#cutWait?.(), waitMs) : undefined;
      await Promise.race([idle, cut]);
      clearTimeout(timer);
    }
    if (this.#active.size > 0) this.#log.info({ running: this.activeEgressIds() }, 'egress worker draining: ending the running egresses');
    await this.#service.close({ deadlineMs: DRAIN_FINISH_MS });
    await this.#reporter.flush(DRAIN_FLUSH_MS);
    this.#service.off('update', this.#onUpdate);
    await this.#server.close(true);
    await this.#closeOwned();
    this.#log.info({ nodeId: this.nodeId, reporter: this.#reporter.stats() }, 'egress worker drained');
  }

  async #selfTest(bus: RedisBus, retryMs: number): Promise<void> {
    const client = this.#client ?? new PsrpcClient(bus);
    const until = Date.now() + retryMs;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const ms = await probeLiveKitServer(client);
          this.#log.info({ roundTripMs: Math.round(ms * 10) / 10 }, 'self-test passed: a livekit-server answers IOInfo.ListEgress over Redis');
          return;
        } catch (err) {
          if (err instanceof PsrpcError || Date.now() >= until) throw new Error(`egress worker self-test failed: ${(err as Error).message}`, { cause: err });
          this.#log.warn({ attempt, err: (err as Error).message }, 'self-test: no livekit-server answered yet; retrying');
          await sleep(1000);
        }
      }
    } finally {
      if (client !== this.#client) await client.close();
    }
  }

  async #open(): Promise<void> {
    if (this.#owned.capacity) this.#capacity.start();
    for (const info of await this.#service.listEgress({ active: true })) this.#track(info);
    this.#service.on('update', this.#onUpdate);
    await this.#server.register(EgressInternal.ListActiveEgress, '', () => new ListActiveEgressResponse({ egressIds: this.activeEgressIds() }));
    await this.#server.register(EgressInternal.StartEgress, this.#clusterId, (req) => this.#startEgress(req), {
      affinity: async (req) => startEgressAffinity(req, await this.#claimState(req.egressId)),
    });
  }

  async #claimState(egressId: string): Promise<ClaimState> {
    const known = this.#starting.has(egressId) || this.#active.has(egressId) || (await this.#service.listEgress({ egressId })).length > 0;
    return { draining: this.#draining, healthy: this.#reporter.healthy, canAccept: this.#capacity.canAccept(), known, running: this.#active.size };
  }

  async #startEgress(req: StartEgressRequest): Promise<EgressInfo> {
    const id = req.egressId;
    const state = await this.#claimState(id);
    state.known ||= this.#starting.has(id) || this.#active.has(id); // again: another call may have started it during the await
    const refused = refusal(req, state);
    if (refused) throw refused;
    this.#starting.add(id);
    this.#active.set(id, req.roomId);
    try {
      await this.#registerStop(id);
      if (req.request.case !== 'track') throw new Error('unreachable: refusal() lets only track requests through');
      const info = await this.#service.startTrackEgress(req.request.value, id);
      if (!info.roomId) info.roomId = req.roomId;
      this.#log.info({ egressId: id, roomName: info.roomName, trackId: req.request.value.trackId }, 'egress worker: claimed StartEgress');
      return info;
    } catch (err) {
      if (!(await this.#service.listEgress({ egressId: id })).length) {
        this.#active.delete(id);
        void this.#deregisterStop(id);
      }
      throw toPsrpcError(err);
    } finally {
      this.#starting.delete(id);
    }
  }

  /** Every service update: track the job, (de)register its StopEgress, report it to the server. */
  #update(info: EgressInfo): void {
    const roomId = this.#active.get(info.egressId);
    if (!info.roomId && roomId) info.roomId = roomId;
    this.#track(info);
    // An egress the server dispatched: the server stores our StartEgress answer itself (its own
    // CreateEgress, `livekit: pkg/service/egress.go`). Ours in parallel raced it past the store's
    // duplicate check (load, then store) and the server sent egress_started twice.
    if (info.status === EgressStatus.EGRESS_STARTING && this.#starting.has(info.egressId)) return;
    this.#reporter.report(info);
  }

  #track(info: EgressInfo): void {
    const id = info.egressId;
    if (isEnded(info.status)) {
      this.#active.delete(id);
      if (this.#reserved.delete(id)) this.#capacity.release(id);
      void this.#deregisterStop(id);
      if (this.#active.size === 0) this.#wakeIdle?.();
      return;
    }
    if (!this.#active.has(id)) this.#active.set(id, info.roomId);
    if (!this.#reserved.has(id)) {
      this.#reserved.add(id);
      this.#capacity.reserve(id);
    }
    if (!this.#stopHandlers.has(id)) {
      this.#registerStop(id).catch((err: unknown) => this.#log.warn({ egressId: id, err: (err as Error).message }, 'egress worker: StopEgress not registered'));
    }
  }

  #registerStop(id: string): Promise<void> {
    let reg = this.#stopHandlers.get(id);
    if (!reg) {
      reg = this.#server.register(EgressHandler.StopEgress, id, async (req) => {
        try {
          const info = await this.#service.stopEgress(req.egressId || id);
          if (!info.roomId) info.roomId = this.#active.get(id) ?? '';
          return info;
        } catch (err) {
          throw toPsrpcError(err);
        }
      });
      this.#stopHandlers.set(id, reg);
    }
    return reg;
  }

  async #deregisterStop(id: string): Promise<void> {
    const reg = this.#stopHandlers.get(id);
    if (!reg) return;
    this.#stopHandlers.delete(id);
    await reg.catch(() => {});
    await this.#server.deregister(EgressHandler.StopEgress, id).catch(() => {});
  }

  async #closeOwned(): Promise<void> {
    if (this.#owned.capacity) this.#capacity.close();
    if (this.#owned.reporter) this.#reporter.close();
    await this.#client?.close();
  }
}
