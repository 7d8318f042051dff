/**
 * Reports every EgressInfo of this worker to the livekit-server through psrpc `IOInfo`, as LiveKit
 * egress's IO client does (`egress: pkg/info/io.go`; the server side is `livekit:
 * pkg/service/ioservice.go`, which stores the info in Redis and sends the egress webhooks):
 *
 * - The first report of an egress id with status STARTING → `IOInfo.CreateEgress` (the server
 *   stores it and sends `egress_started`; a CreateEgress of an id it already has is ignored).
 *   Every other report → `IOInfo.UpdateEgress` (`egress_updated` / `egress_ended`); the server
 *   stores an update of an id it does not have too (an egress started before the reporter, or a
 *   server whose Redis lost its data).
 * - **Coalescing**, newest per egress: one call in flight per egress; a report that arrives while
 *   an update is waiting (queued, in flight or backing off) replaces it, so the server always gets
 *   the newest state and never an older one after a newer. A pending CreateEgress is never
 *   replaced: it goes first, then the newest update. Memory: at most one create + one update per
 *   egress with something undelivered.
 * - **Retries** of `deadline_exceeded`, `unavailable` (no livekit-server claimed it) and `internal`
 *   (what our {@link PsrpcClient} answers when Redis refuses or drops the PUBLISH / SUBSCRIBE):
 *   jittered exponential backoff, 250 ms doubling to 60 s, each delay drawn in [d/2, d) so
 *   egresses that failed together do not retry together (LiveKit: 250 ms → 1 min). A call whose
 *   PUBLISH is held in ioredis' offline queue (Redis down) counts as `deadline_exceeded` after the
 *   timeout + 1 s, but the retry also waits until that call is over (≤ `maxBackoffMs` more): one
 *   egress never has two requests on the bus, so an older one cannot overtake a newer one at the
 *   server (an abandoned request is never handled anyway: nobody answers the server's claim).
 *   Other errors (the server answered, e.g. `unknown`, `invalid_argument`; or `canceled` after
 *   close) are logged and the info is dropped.
 * - **Health**: failing (retryable errors with no call answered since) for `unhealthyAfterMs`
 *   (10 min, LiveKit's limit) → {@link InfoReporter.healthy} is false, and the worker stops
 *   claiming new egresses. Deviation from LiveKit egress, which gives up an update after that
 *   time: we keep retrying (every ≤ 60 s, one pending info per egress), so a final COMPLETE /
 *   FAILED still reaches a server that comes back later; the first answered call makes the
 *   reporter healthy again.
 *
 * Nothing here throws to the caller or blocks it. Logs carry the egress id, status and psrpc error
 * code/text only (never the info itself, whose request may hold URLs).
 */
import { EgressStatus, type EgressInfo } from '@livekit/protocol';
import type { Logger } from 'pino';

import type { PsrpcClient } from '../client.js';
import { PsrpcCode, PsrpcError } from '../errors.js';
import { IOInfo } from '../services.js';

/** Per-call timeout of IOInfo calls, ms (LiveKit egress's IO timeout). */
export const DEFAULT_IO_TIMEOUT_MS = 15_000;
/** Backoff of the first retry, ms (the delay is drawn in [d/2, d)). */
export const DEFAULT_MIN_BACKOFF_MS = 250;
/** Largest backoff, ms (LiveKit: 1 min). */
export const DEFAULT_MAX_BACKOFF_MS = 60_000;
/** Failing this long makes the reporter unhealthy, ms (LiveKit: 10 min). */
export const DEFAULT_UNHEALTHY_AFTER_MS = 600_000;
/** Ids remembered as "CreateEgress already queued", at most (oldest forgotten first). */
const MAX_CREATED_IDS = 10_000;
/** Extra wait past the psrpc timeout before a call that never settles (Redis offline queue) counts as timed out, ms. */
const CALL_GRACE_MS = 1000;

/** psrpc codes worth retrying: the server may answer later. */
const RETRYABLE = new Set<string>([PsrpcCode.DeadlineExceeded, PsrpcCode.Unavailable, PsrpcCode.Internal]);

export type InfoReporterOptions = {
  /** The psrpc client IOInfo calls go through (only `request` is used). */
  client: Pick<PsrpcClient, 'request'>;
  /** Warnings (first failure of an outage, drops) and errors (unhealthy); default: none. */
  logger?: Logger;
  /** Per call, ms. Default 15 000 (LiveKit egress). */
  timeoutMs?: number;
  /** Backoff of the first retry, doubled at each further one, ms; each delay is drawn in [d/2, d). Default 250. */
  minBackoffMs?: number;
  /** Largest backoff, ms; also the longest a retry waits for a timed-out call to be over. Default 60 000. */
  maxBackoffMs?: number;
  /** Failing this long → `healthy` false, ms. Default 600 000 (LiveKit: 10 min). */
  unhealthyAfterMs?: number;
  /** Monotonic clock, ms (tests). Default `performance.now`. */
  now?: () => number;
  /** Uniform [0, 1) for the jitter (tests). Default `Math.random`. */
  random?: () => number;
};

/** Counters of an {@link InfoReporter}. */
export type InfoReporterStats = {
  /** Calls the server answered with success. */
  sent: number;
  /** Failed calls scheduled again. */
  retried: number;
  /** Infos given up: non-retryable error, or still pending at {@link InfoReporter.close}. */
  dropped: number;
  /** Updates replaced by a newer one before they were sent. */
  coalesced: number;
  /** Egresses with something undelivered (queued, in flight or backing off). */
  pending: number;
};

type Kind = 'create' | 'update';

/** What is undelivered for one egress. */
type Entry = {
  readonly egressId: string;
  /** CreateEgress waiting to be sent (or re-sent). */
  create?: EgressInfo;
  /** Newest UpdateEgress waiting to be sent (or re-sent). */
  update?: EgressInfo;
  /** The info of the call in flight or backing off; put back as `create`/`update` for a retry unless a newer one came. */
  sending?: EgressInfo;
  /** A call is in flight or a retry timer is set. */
  busy: boolean;
  timer?: NodeJS.Timeout;
  /** Current backoff, ms (0: none yet). */
  backoffMs: number;
};

const isTerminal = (s: EgressStatus): boolean => s >= EgressStatus.EGRESS_COMPLETE;

/** Delivers EgressInfos to the livekit-server; one per worker process. */
export class InfoReporter {
  readonly #client: Pick<PsrpcClient, 'request'>;
  readonly #logger: Logger | undefined;
  readonly #timeoutMs: number;
  readonly #minBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #unhealthyAfterMs: number;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #entries = new Map<string, Entry>();
  /** Ids whose CreateEgress was queued (insertion order = age); forgotten at their terminal status. */
  readonly #created = new Set<string>();
  readonly #idleWaiters = new Set<() => void>();
  readonly #abort = new AbortController();
  #failingSince: number | undefined;
  #unhealthyLogged = false;
  #closed = false;
  #sent = 0;
  #retried = 0;
  #dropped = 0;
  #coalesced = 0;

  constructor(opts: InfoReporterOptions) {
    this.#client = opts.client;
    this.#logger = opts.logger;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_IO_TIMEOUT_MS;
    this.#minBackoffMs = opts.minBackoffMs ?? DEFAULT_MIN_BACKOFF_MS;
    this.#maxBackoffMs = Math.max(opts.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS, this.#minBackoffMs);
    this.#unhealthyAfterMs = opts.unhealthyAfterMs ?? DEFAULT_UNHEALTHY_AFTER_MS;
    this.#now = opts.now ?? (() => performance.now());
    this.#random = opts.random ?? Math.random;
  }

  /**
   * Queues `info` (a snapshot is taken: later changes of the object do not matter). The first
   * report of an id with status STARTING → IOInfo.CreateEgress, everything else →
   * IOInfo.UpdateEgress; newest-per-egress coalescing, in order per egress, retried as described
   * in the module doc. Never throws; ignored after {@link close}.
   */
  report(info: EgressInfo): void {
    if (this.#closed) return;
    const id = info.egressId;
    const snapshot = info.clone();
    let e = this.#entries.get(id);
    if (!e) {
      e = { egressId: id, busy: false, backoffMs: 0 };
      this.#entries.set(id, e);
    }
    if (snapshot.status === EgressStatus.EGRESS_STARTING && !this.#created.has(id)) {
      this.#rememberCreated(id);
      e.create = snapshot;
    } else {
      if (e.update) this.#coalesced++; // never sent: replaced by the newer one
      e.update = snapshot;
    }
    if (isTerminal(snapshot.status)) this.#created.delete(id);
    this.#pump(e);
  }

  /**
   * Resolves when everything queued is delivered or dropped, or after `deadlineMs` (ms from now),
   * whichever is first. Never rejects. Retries keep their backoff meanwhile.
   */
  flush(deadlineMs: number): Promise<void> {
    if (this.#entries.size === 0 || this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#idleWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, deadlineMs));
      this.#idleWaiters.add(done);
    });
  }

  /**
   * False once IOInfo calls have failed with retryable errors for `unhealthyAfterMs` with no call
   * answered since (LiveKit egress: 10 min); true again after the next answered call.
   */
  get healthy(): boolean {
    return this.#failingSince === undefined || this.#now() - this.#failingSince < this.#unhealthyAfterMs;
  }

  /** Counters since construction; `pending` = egresses with something undelivered. */
  stats(): InfoReporterStats {
    return { sent: this.#sent, retried: this.#retried, dropped: this.#dropped, coalesced: this.#coalesced, pending: this.#entries.size };
  }

  /**
   * Stops: retry timers are cleared, calls in flight are abandoned (`canceled`), everything
   * undelivered is dropped (counted), {@link flush} waiters resolve, later reports are ignored.
   * Call {@link flush} first to deliver what is pending. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    for (const e of this.#entries.values()) {
      clearTimeout(e.timer);
      this.#dropped += (e.create ? 1 : 0) + (e.update ? 1 : 0) + (e.sending ? 1 : 0);
    }
    if (this.#entries.size > 0) this.#logger?.warn({ egresses: this.#entries.size }, 'egress info reporter closed with undelivered updates');
    this.#entries.clear();
    this.#created.clear();
    this.#wakeIdle();
  }

  #rememberCreated(id: string): void {
    this.#created.add(id);
    if (this.#created.size > MAX_CREATED_IDS) {
      const oldest = this.#created.values().next().value;
      if (oldest !== undefined) this.#created.delete(oldest);
    }
  }

  /** Sends the entry's next info unless a call or a retry is outstanding; removes the entry when empty. */
  #pump(e: Entry): void {
    if (e.busy || this.#closed) return;
    const kind: Kind | undefined = e.create ? 'create' : e.update ? 'update' : undefined;
    if (!kind) {
      this.#entries.delete(e.egressId);
      if (this.#entries.size === 0) this.#wakeIdle();
      return;
    }
    const info = (kind === 'create' ? e.create : e.update)!;
    if (kind === 'create') e.create = undefined;
    else e.update = undefined;
    e.sending = info;
    e.busy = true;
    const { result, settled } = this.#call(kind, info);
    void result.then((err) => this.#settled(e, kind, info, err, settled));
  }

  /**
   * One IOInfo call; resolves with its error (undefined on success), never rejects. `settled`
   * resolves when the underlying request is over, which may be later than the answer here: a call
   * whose PUBLISH waits in ioredis' offline queue while Redis is down is answered
   * `deadline_exceeded` after the timeout + 1 s, but is only over once Redis is back (or ioredis
   * gives up on it).
   */
  #call(kind: Kind, info: EgressInfo): { result: Promise<unknown>; settled: Promise<void> } {
    const spec = kind === 'create' ? IOInfo.CreateEgress : IOInfo.UpdateEgress;
    const call = this.#client.request(spec, undefined, info, { timeoutMs: this.#timeoutMs, signal: this.#abort.signal }).then(
      () => undefined,
      (err: unknown) => err ?? new Error('IOInfo call failed'),
    );
    let guard: NodeJS.Timeout | undefined;
    const timedOut = new Promise<PsrpcError>((resolve) => {
      guard = setTimeout(() => resolve(new PsrpcError(PsrpcCode.DeadlineExceeded, 'request timed out')), this.#timeoutMs + CALL_GRACE_MS);
      guard.unref?.();
    });
    const result = Promise.race([call, timedOut]).finally(() => clearTimeout(guard));
    return { result, settled: call.then(() => undefined) };
  }

  #settled(e: Entry, kind: Kind, info: EgressInfo, err: unknown, callOver: Promise<void>): void {
    if (this.#closed || this.#entries.get(e.egressId) !== e) return;
    const code = err instanceof PsrpcError ? err.code : err === undefined ? undefined : PsrpcCode.Internal;
    if (err !== undefined && code !== undefined && RETRYABLE.has(code)) {
      this.#retry(e, kind, info, err, callOver);
      return;
    }
    // Answered (success or a final error): the path to the server works.
    if (this.#failingSince !== undefined) {
      this.#logger?.info({ egressId: e.egressId }, 'egress info updates reach the livekit-server again');
      this.#failingSince = undefined;
      this.#unhealthyLogged = false;
    }
    if (err === undefined) this.#sent++;
    else {
      this.#dropped++;
      this.#logger?.warn(
        { egressId: e.egressId, status: EgressStatus[info.status], method: kind === 'create' ? 'CreateEgress' : 'UpdateEgress', code, err: errorText(err) },
        'egress info dropped: the livekit-server refused it',
      );
    }
    e.sending = undefined;
    e.backoffMs = 0;
    e.busy = false;
    this.#pump(e);
  }

  /**
   * Schedules the next attempt after the jittered backoff — and not before the failed call is over
   * (at most `maxBackoffMs` more), so that one egress never has two requests on the bus: an
   * older one released late by ioredis could otherwise overtake a newer one at the server.
   */
  #retry(e: Entry, kind: Kind, info: EgressInfo, err: unknown, callOver: Promise<void>): void {
    this.#retried++;
    const now = this.#now();
    if (this.#failingSince === undefined) {
      this.#failingSince = now;
      this.#logger?.warn(
        { egressId: e.egressId, status: EgressStatus[info.status], method: kind === 'create' ? 'CreateEgress' : 'UpdateEgress', err: errorText(err) },
        'egress info update failed, retrying',
      );
    } else {
      this.#logger?.debug({ egressId: e.egressId, status: EgressStatus[info.status], err: errorText(err) }, 'egress info call failed again');
    }
    if (!this.#unhealthyLogged && now - this.#failingSince >= this.#unhealthyAfterMs) {
      this.#unhealthyLogged = true;
      this.#logger?.error(
        { failingForMs: Math.round(now - this.#failingSince), pending: this.#entries.size, err: errorText(err) },
        'egress info updates failing too long: worker unhealthy, no new egresses accepted',
      );
    }
    // Put the info back for the retry, unless a newer update replaced it meanwhile (coalesced).
    e.sending = undefined;
    if (kind === 'create') e.create = info;
    else if (e.update) this.#coalesced++;
    else e.update = info;
    e.backoffMs = e.backoffMs === 0 ? this.#minBackoffMs : Math.min(e.backoffMs * 2, this.#maxBackoffMs);
    const delay = e.backoffMs / 2 + this.#random() * (e.backoffMs / 2);
    let over = false;
    let resumed = false;
    void callOver.then(() => (over = true));
    const resume = (): void => {
      if (resumed || this.#closed) return;
      resumed = true;
      clearTimeout(e.timer);
      e.timer = undefined;
      e.busy = false;
      this.#pump(e);
    };
    e.timer = setTimeout(() => {
      e.timer = undefined;
      if (over) return resume();
      e.timer = setTimeout(resume, this.#maxBackoffMs);
      e.timer.unref?.();
      void callOver.then(resume);
    }, delay);
    e.timer.unref?.();
  }

  #wakeIdle(): void {
    for (const wake of [...this.#idleWaiters]) wake();
  }
}

function errorText(err: unknown): string {
  if (err instanceof PsrpcError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
