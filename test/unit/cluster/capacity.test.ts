// CapacityMonitor: LiveKit §7 admission from injected CPU counters and clock (the arithmetic), and
// the real counters of this machine (readCpuCounters, a busy loop seen as process CPU).
import os from 'node:os';

import { describe, expect, it } from 'vitest';

import {
  CapacityMonitor,
  DEFAULT_MAX_CPU_UTILIZATION,
  DEFAULT_TRACK_CPU_COST,
  readCpuCounters,
  type CapacityOptions,
  type CpuCounters,
} from '../../../src/cluster/worker/capacity.js';

/** Counters a test moves by hand: machine busy/total ms over `cores` cores, process µs, wall ms. */
function fakeHost(cores: number) {
  const c: CpuCounters = { machineBusyMs: 0, machineTotalMs: 0, machineCores: cores, processCpuMicros: 0, wallMs: 0, rssBytes: 100e6 };
  let now = 0;
  return {
    sampler: () => ({ ...c, wallMs: now }),
    now: () => now,
    /** `ms` of wall time pass with the machine `busyCores` busy, this process `procCores` of them. */
    run(ms: number, busyCores: number, procCores: number) {
      now += ms;
      c.machineBusyMs += busyCores * ms;
      c.machineTotalMs += cores * ms;
      c.processCpuMicros += procCores * ms * 1000;
    },
    set rss(v: number) {
      c.rssBytes = v;
    },
    advance(ms: number) {
      now += ms;
    },
  };
}

function monitor(host: ReturnType<typeof fakeHost>, opts: CapacityOptions = {}) {
  const m = new CapacityMonitor({ cpus: 4, sampler: host.sampler, now: host.now, ...opts });
  m.sample();
  return m;
}

describe('CapacityMonitor', () => {
  it('defaults: max_cpu_utilization 0.8, track cost, cpus = os.availableParallelism()', () => {
    expect(DEFAULT_MAX_CPU_UTILIZATION).toBe(0.8);
    expect(DEFAULT_TRACK_CPU_COST).toBeGreaterThan(0);
    expect(new CapacityMonitor().snapshot().cpus).toBe(os.availableParallelism());
  });

  it('machine and process CPU from counter deltas, in cores', () => {
    const host = fakeHost(4);
    const m = monitor(host);
    host.run(1000, 2.5, 1.25);
    m.sample();
    expect(m.snapshot()).toMatchObject({ machineBusyCores: 2.5, processCores: 1.25, rssBytes: 100e6, jobs: 0 });
  });

  it('idle worker: all cores available (LiveKit), even on a busy machine', () => {
    const host = fakeHost(4);
    const m = monitor(host, { trackCpuCost: 0.5 });
    host.run(1000, 4, 0);
    m.sample();
    expect(m.snapshot().availableCores).toBe(4);
    expect(m.canAccept()).toBe(true);
    expect(monitor(fakeHost(4), { cpus: 0.25, trackCpuCost: 0.5 }).canAccept()).toBe(false); // fewer cores than one egress
  });

  it('busy worker: cores × max − (process + reservations) ≥ cost', () => {
    const host = fakeHost(4);
    const m = monitor(host, { trackCpuCost: 0.5, maxCpuUtilization: 0.8 }); // budget 3.2 cores
    m.reserve('EG_1');
    host.run(1000, 1, 1);
    m.sample();
    // used = 1 + 0.5 reserved = 1.5 → available 1.7
    expect(m.snapshot()).toMatchObject({ reservedCores: 0.5, jobs: 1 });
    expect(m.snapshot().availableCores).toBeCloseTo(1.7, 9);
    expect(m.canAccept()).toBe(true);
    m.reserve('EG_2');
    m.reserve('EG_3'); // used = 1 + 1.5 = 2.5 → 0.7 left
    expect(m.snapshot().availableCores).toBeCloseTo(0.7, 9);
    expect(m.canAccept()).toBe(true);
    m.reserve('EG_4'); // 3.0 used → 0.2 < 0.5
    expect(m.canAccept()).toBe(false);
    // Other processes on the host do not count (LiveKit counts its egress processes only):
    // machine 4 of 4 busy, ours 0 → 3.2 − 0.5 reserved = 2.7.
    const h2 = fakeHost(4);
    const m2 = monitor(h2, { trackCpuCost: 0.5 });
    m2.reserve('EG_a');
    h2.run(1000, 4, 0);
    m2.sample();
    expect(m2.snapshot().machineBusyCores).toBe(4);
    expect(m2.snapshot().availableCores).toBeCloseTo(2.7, 9);
    expect(m2.canAccept()).toBe(true);
  });

  it('a reservation counts for reserveMs (15 s), then only the measured CPU; release forgets the job', () => {
    const host = fakeHost(2);
    const m = monitor(host, { cpus: 2, trackCpuCost: 0.5 }); // budget 1.6
    m.reserve('EG_1');
    m.reserve('EG_2');
    m.reserve('EG_3'); // 1.5 reserved → 0.1 left
    expect(m.canAccept()).toBe(false);
    host.run(14_999, 0.3, 0.3);
    m.sample();
    expect(m.snapshot().reservedCores).toBe(1.5);
    host.run(1, 0.3, 0.3);
    m.sample();
    expect(m.snapshot()).toMatchObject({ reservedCores: 0, jobs: 3 });
    expect(m.snapshot().availableCores).toBeCloseTo(1.3, 9);
    expect(m.canAccept()).toBe(true);
    m.release('EG_1');
    m.release('EG_2');
    m.release('EG_3');
    m.release('EG_unknown');
    expect(m.snapshot()).toMatchObject({ jobs: 0, availableCores: 2 });
  });

  it('memory admission only when maxMemoryBytes > 0: RSS + cost × (young jobs + 1) ≤ max', () => {
    const host = fakeHost(4);
    host.rss = 700e6;
    const m = monitor(host, { maxMemoryBytes: 1e9, memoryCostBytes: 100e6 });
    expect(m.canAccept()).toBe(true); // 700 + 100
    m.reserve('EG_1');
    m.reserve('EG_2'); // 700 + 200 + 100 = 1000 ≤ 1000
    expect(m.canAccept()).toBe(true);
    m.reserve('EG_3');
    expect(m.canAccept()).toBe(false);
    host.advance(15_000); // their memory is in the RSS by now
    expect(m.canAccept()).toBe(true);
    host.rss = 950e6;
    m.sample();
    expect(m.canAccept()).toBe(false);
    // Off by default: any RSS.
    host.rss = 1e12;
    const off = monitor(host, { memoryCostBytes: 100e6 });
    expect(off.canAccept()).toBe(true);
  });

  it('refuses invalid options', () => {
    expect(() => new CapacityMonitor({ maxCpuUtilization: 0 })).toThrow(RangeError);
    expect(() => new CapacityMonitor({ maxCpuUtilization: 1.5 })).toThrow(RangeError);
    expect(() => new CapacityMonitor({ trackCpuCost: -1 })).toThrow(RangeError);
    expect(() => new CapacityMonitor({ cpus: 0 })).toThrow(RangeError);
    expect(() => new CapacityMonitor({ maxMemoryBytes: Number.NaN })).toThrow(RangeError);
  });

  it('real counters: os.cpus() and process.cpuUsage(); a busy loop shows as process and machine CPU', async () => {
    const a = readCpuCounters();
    expect(a.machineCores).toBe(os.cpus().length);
    expect(a.rssBytes).toBeGreaterThan(10e6);
    const m = new CapacityMonitor({ sampleMs: 60_000 });
    const t0 = performance.now();
    m.start();
    // Burn 300 ms of CPU time (not wall time: on a loaded machine this process gets a fraction).
    const cpu0 = process.cpuUsage().user;
    let x = 0;
    while (process.cpuUsage().user - cpu0 < 300_000 && performance.now() - t0 < 20_000) x += Math.sqrt(x + 1);
    await new Promise((r) => setTimeout(r, 20));
    m.sample();
    m.close();
    const wallSec = (performance.now() - t0) / 1000;
    const s = m.snapshot();
    expect(x).toBeGreaterThan(0);
    expect(s.processCores * wallSec).toBeGreaterThan(0.25); // the 300 ms burned, seen as process CPU
    expect(s.machineBusyCores * wallSec).toBeGreaterThan(0.25); // and as machine CPU
    expect(s.machineBusyCores).toBeLessThanOrEqual(s.cpus);
    const b = readCpuCounters();
    expect(b.processCpuMicros).toBeGreaterThan(a.processCpuMicros);
    expect(b.machineTotalMs).toBeGreaterThanOrEqual(a.machineTotalMs);
  });
});
