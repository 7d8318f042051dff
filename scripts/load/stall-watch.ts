// Event-loop stalls of this process, with how much CPU the process used during each: a share
// near 1 means our event loop was busy (our own code, GC, a native call), near 0 that the OS did
// not run us (the machine was overloaded by other processes).
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

/** One stall: when it ended (ms since the epoch), how long (ms), CPU time ÷ wall time during it. */
export type Stall = { atMs: number; ms: number; cpuShare: number };

export type StallWatch = {
  stalls: Stall[];
  /** GC pauses over 50 ms, ms. */
  gcs: number[];
  /** monitorEventLoopDelay of the watch, ns. */
  histogram: ReturnType<typeof monitorEventLoopDelay>;
  stop(): void;
};

/** Watches with a `periodMs` timer; a tick later than `periodMs + thresholdMs` is a stall. */
export function watchStalls(periodMs = 20, thresholdMs = 100): StallWatch {
  const stalls: Stall[] = [];
  const gcs: number[] = [];
  let tick = performance.now();
  let tickCpu = process.cpuUsage();
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    if (now - tick > periodMs + thresholdMs) {
      const used = (cpu.user - tickCpu.user + cpu.system - tickCpu.system) / 1000;
      stalls.push({ atMs: Date.now(), ms: now - tick - periodMs, cpuShare: used / (now - tick) });
    }
    tick = now;
    tickCpu = cpu;
  }, periodMs);
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.duration > 50) gcs.push(e.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return {
    stalls,
    gcs,
    histogram,
    stop() {
      clearInterval(timer);
      observer.disconnect();
      histogram.disable();
    },
  };
}

/** Mean CPU share of `stalls` (null without stalls). */
export function meanCpuShare(stalls: readonly Stall[]): number | null {
  return stalls.length ? +(stalls.reduce((n, x) => n + x.cpuShare, 0) / stalls.length).toFixed(2) : null;
}

/**
 * Whether an arrival gap that ended at `atMs` and lasted `ms` is explained by a stall of our own
 * busy event loop (a stall ending near the gap's end, at least half as long, CPU share ≥ 0.5).
 */
export function causedByUs(gap: { atMs: number; ms: number }, stalls: readonly Stall[]): boolean {
  return stalls.some((s) => s.atMs >= gap.atMs - 1500 && s.atMs <= gap.atMs + 500 && s.ms >= gap.ms * 0.5 && s.cpuShare >= 0.5);
}
