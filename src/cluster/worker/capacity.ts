/**
 * Admission control of a track-egress worker: may it take one more track egress? LiveKit egress's
 * CPU model (`egress: pkg/stats/monitor.go`, `pkg/config/service.go`; spec:
 * livekit-track-egress.md §7), adapted to one process running every job:
 *
 * - available = cores × `max_cpu_utilization` − used; a job is accepted when available ≥
 *   `track_cpu_cost`.
 * - used = this process's CPU + the reservations: LiveKit counts each egress at max(reservation,
 *   measured CPU of its handler process) and nothing else (`egress: pkg/stats/monitor.go`
 *   `canAcceptRequestLocked`: `available = total × MaxCpuUtilization − pending − used`, used = Σ
 *   of its egress processes); our jobs share one process, so the process CPU stands for
 *   "measured", and a job younger than `reserveMs` (15 s, LiveKit's `cpuHoldDuration`) adds
 *   `track_cpu_cost` on top (its pipeline may not have started yet). Other processes on the host
 *   (livekit-server next to the worker) do not count, as in LiveKit: counting the machine's busy
 *   cores made a busy worker on a saturated host refuse every request, so the server's retries
 *   ended in "no response from servers" while the worker itself used little. The machine's busy
 *   cores stay in the snapshot (metrics, logs).
 * - Idle worker (no job): all cores are available, as LiveKit does — a lone worker always takes
 *   at least one egress if `cores ≥ track_cpu_cost`.
 * - Memory (only when `maxMemoryBytes` > 0; LiveKit's `max_memory` / `memory_cost`, converted from
 *   GB by the config): accepted when RSS + `memoryCostBytes` × (young jobs + 1) ≤ `maxMemoryBytes`.
 *
 * CPU is sampled every `sampleMs` (1 s) from `os.cpus()` time deltas (machine) and
 * `process.cpuUsage()` (this process) after {@link CapacityMonitor.start}; {@link
 * CapacityMonitor.canAccept} only reads the last sample (no I/O on the request path).
 */
import os from 'node:os';

/** LiveKit egress's `max_cpu_utilization` default. */
export const DEFAULT_MAX_CPU_UTILIZATION = 0.8;
/**
 * CPU cores one track egress is counted at (`cpu_cost.track_cpu_cost`). LiveKit reserves 0.5 for
 * its GStreamer track egress; ours copies packets without transcoding. Provisional value until the
 * `npm run bench` cluster section measures it.
 */
export const DEFAULT_TRACK_CPU_COST = 0.05;
/** How long a new job counts at `trackCpuCost` on top of measured CPU, ms (livekit-track-egress.md §7: 15 s). */
export const DEFAULT_RESERVE_MS = 15_000;
/** CPU sampling period, ms. */
export const DEFAULT_SAMPLE_MS = 1000;

export type CapacityOptions = {
  /** Fraction of the cores jobs may use (`max_cpu_utilization`), 0 < x ≤ 1. Default 0.8. */
  maxCpuUtilization?: number;
  /** Cores one track egress costs (`cpu_cost.track_cpu_cost`). Default {@link DEFAULT_TRACK_CPU_COST}. */
  trackCpuCost?: number;
  /** A new job counts at `trackCpuCost` until it is this old, ms. Default 15 000. */
  reserveMs?: number;
  /** Memory limit of the process, bytes (`max_memory`, GB in the config); 0 = no memory check. Default 0. */
  maxMemoryBytes?: number;
  /** Memory one egress is counted at, bytes (`memory_cost`). Default 0. */
  memoryCostBytes?: number;
  /** Cores the worker may use. Default `os.availableParallelism()`. */
  cpus?: number;
  /** CPU sampling period, ms. Default 1000. */
  sampleMs?: number;
  /** Reads the counters (tests). Default {@link readCpuCounters}. */
  sampler?: () => CpuCounters;
  /** Monotonic clock, ms (tests). Default `performance.now`. */
  now?: () => number;
};

/** Cumulative counters one sample reads; rates come from the difference of two samples. */
export type CpuCounters = {
  /** Σ over the machine's cores of non-idle time, ms (`os.cpus()` user+nice+sys+irq). */
  machineBusyMs: number;
  /** Σ over the machine's cores of all time, ms. */
  machineTotalMs: number;
  /** Number of cores `os.cpus()` reports. */
  machineCores: number;
  /** This process's user + system CPU time, µs (`process.cpuUsage()`). */
  processCpuMicros: number;
  /** Wall clock of the sample, ms (monotonic). */
  wallMs: number;
  /** This process's resident set size, bytes. */
  rssBytes: number;
};

/** What {@link CapacityMonitor.snapshot} reports; cores are CPU cores (1 = one core fully busy). */
export type CapacitySnapshot = {
  cpus: number;
  machineBusyCores: number;
  processCores: number;
  reservedCores: number;
  /** cores × max − used; `cpus` when no job runs (LiveKit's idle rule). */
  availableCores: number;
  rssBytes: number;
  /** Jobs reserved and not released. */
  jobs: number;
};

/** Reads the machine's and this process's CPU counters, and the RSS. */
export function readCpuCounters(): CpuCounters {
  let busy = 0;
  let total = 0;
  const cores = os.cpus();
  for (const c of cores) {
    const t = c.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  const u = process.cpuUsage();
  return {
    machineBusyMs: busy,
    machineTotalMs: total,
    machineCores: cores.length,
    processCpuMicros: u.user + u.system,
    wallMs: performance.now(),
    rssBytes: process.memoryUsage.rss(),
  };
}

function checkFraction(name: string, v: number, max: number): number {
  if (!Number.isFinite(v) || v <= 0 || v > max) throw new RangeError(`${name} must be > 0 and ≤ ${max} (got ${v})`);
  return v;
}

function checkNonNegative(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`${name} must be ≥ 0 (got ${v})`);
  return v;
}

/** The admission state of one worker process. */
export class CapacityMonitor {
  readonly #maxCpu: number;
  readonly #trackCost: number;
  readonly #reserveMs: number;
  readonly #maxMemory: number;
  readonly #memoryCost: number;
  readonly #cpus: number;
  readonly #sampleMs: number;
  readonly #sampler: () => CpuCounters;
  readonly #now: () => number;
  /** egress id → reserve time (monotonic ms). */
  readonly #jobs = new Map<string, number>();
  #last: CpuCounters | undefined;
  #machineBusyCores = 0;
  #processCores = 0;
  #rssBytes = 0;
  #timer: NodeJS.Timeout | undefined;

  /** @throws RangeError for a utilization outside (0, 1], a negative cost/limit or no cpus. */
  constructor(opts: CapacityOptions = {}) {
    this.#maxCpu = checkFraction('maxCpuUtilization', opts.maxCpuUtilization ?? DEFAULT_MAX_CPU_UTILIZATION, 1);
    this.#trackCost = checkNonNegative('trackCpuCost', opts.trackCpuCost ?? DEFAULT_TRACK_CPU_COST);
    this.#reserveMs = checkNonNegative('reserveMs', opts.reserveMs ?? DEFAULT_RESERVE_MS);
    this.#maxMemory = checkNonNegative('maxMemoryBytes', opts.maxMemoryBytes ?? 0);
    this.#memoryCost = checkNonNegative('memoryCostBytes', opts.memoryCostBytes ?? 0);
    this.#cpus = checkFraction('cpus', opts.cpus ?? os.availableParallelism(), Number.MAX_SAFE_INTEGER);
    this.#sampleMs = checkFraction('sampleMs', opts.sampleMs ?? DEFAULT_SAMPLE_MS, Number.MAX_SAFE_INTEGER);
    this.#sampler = opts.sampler ?? readCpuCounters;
    this.#now = opts.now ?? (() => performance.now());
  }

  /** Takes a first sample and samples every `sampleMs` (unref'd timer). Idempotent. */
  start(): void {
    if (this.#timer) return;
    this.sample();
    this.#timer = setInterval(() => this.sample(), this.#sampleMs);
    this.#timer.unref?.();
  }

  /** Stops sampling; reservations are kept. Idempotent. */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Reads the counters once and updates the rates from the previous sample (the timer calls it;
   * tests may call it directly). The first sample only sets the baseline (and the RSS).
   */
  sample(): void {
    const s = this.#sampler();
    const prev = this.#last;
    this.#last = s;
    this.#rssBytes = s.rssBytes;
    if (!prev) return;
    const totalMs = s.machineTotalMs - prev.machineTotalMs;
    const busyMs = s.machineBusyMs - prev.machineBusyMs;
    if (totalMs > 0 && busyMs >= 0) this.#machineBusyCores = Math.min(this.#cpus, (busyMs / totalMs) * s.machineCores);
    const wallMs = s.wallMs - prev.wallMs;
    const cpuMicros = s.processCpuMicros - prev.processCpuMicros;
    if (wallMs > 0 && cpuMicros >= 0) this.#processCores = cpuMicros / 1000 / wallMs;
  }

  /**
   * LiveKit §7 admission for one more track egress: `cpus × maxCpuUtilization − used ≥
   * trackCpuCost` with used = process cores + reserved cores; always
   * true on CPU when no job runs (if `cpus ≥ trackCpuCost`); and, when `maxMemoryBytes` > 0, RSS +
   * memory of young jobs + `memoryCostBytes` ≤ `maxMemoryBytes`.
   */
  canAccept(): boolean {
    const snap = this.snapshot();
    if (snap.availableCores < this.#trackCost) return false;
    if (this.#maxMemory > 0) {
      const young = this.#youngJobs();
      if (snap.rssBytes + this.#memoryCost * (young + 1) > this.#maxMemory) return false;
    }
    return true;
  }

  /** Counts a new job (reserved at `trackCpuCost` for `reserveMs`). A repeated id restarts its reservation. */
  reserve(egressId: string): void {
    this.#jobs.delete(egressId);
    this.#jobs.set(egressId, this.#now());
  }

  /** Forgets a job (ended or never started). Unknown ids are ignored. */
  release(egressId: string): void {
    this.#jobs.delete(egressId);
  }

  /** The numbers {@link canAccept} decides on, from the last sample. */
  snapshot(): CapacitySnapshot {
    const reservedCores = this.#youngJobs() * this.#trackCost;
    const jobs = this.#jobs.size;
    const used = this.#processCores + reservedCores;
    const availableCores = jobs === 0 ? this.#cpus : this.#cpus * this.#maxCpu - used;
    return {
      cpus: this.#cpus,
      machineBusyCores: this.#machineBusyCores,
      processCores: this.#processCores,
      reservedCores,
      availableCores,
      rssBytes: this.#rssBytes,
      jobs,
    };
  }

  #youngJobs(): number {
    const now = this.#now();
    let n = 0;
    for (const t of this.#jobs.values()) if (now - t < this.#reserveMs) n++;
    return n;
  }
}
