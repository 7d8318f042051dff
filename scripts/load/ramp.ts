// The measured process of the service benchmark (bench/lib/service.mjs): egresses of the load's
// tracks (LOAD_JSON: `{ server, tracks }` from publisher-process.ts) added in stages, and per
// stage this process's CPU seconds per second and RSS after warm-up. Prints one JSON line per
// stage and a final `{ done }` line. Run it with --expose-gc (RSS is taken after a full GC).
//
//   LOAD_JSON=… RAMP_STAGES=1,10,20,40 RAMP_WARMUP=10 RAMP_SECONDS=30 node --expose-gc --import tsx scripts/load/ramp.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { openDriver, type BenchEgress, type DriverKind } from './egress-driver.js';
import type { Load } from './load-publishers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

async function main(): Promise<void> {
  const load = JSON.parse(process.env.LOAD_JSON ?? '') as Omit<Load, 'stop'>;
  const stages = (process.env.RAMP_STAGES ?? '1,10,20,40').split(',').map(Number);
  const warmupMs = Number(process.env.RAMP_WARMUP ?? 10) * 1000;
  const measureMs = Number(process.env.RAMP_SECONDS ?? 30) * 1000;
  const dir = mkdtempSync(join(tmpdir(), 'te-bench-service-'));
  const driver = await openDriver((process.env.BENCH_DRIVER ?? 'auto') as DriverKind, load.server, dir, 'async');
  process.stdout.write(`${JSON.stringify({ driver: driver.label })}\n`);
  const egresses: BenchEgress[] = [];
  for (const n of stages) {
    while (egresses.length < n) {
      const batch = load.tracks.slice(egresses.length, Math.min(n, egresses.length + 8));
      egresses.push(...(await Promise.all(batch.map((t) => driver.start(t)))));
    }
    await sleep(warmupMs);
    // Two full GCs a second apart: the allocator gets time to return what the first one freed.
    gc();
    await sleep(1000);
    gc();
    const mem = process.memoryUsage();
    const rssMiB = mem.rss / 2 ** 20;
    const heapMiB = (mem.heapUsed + mem.external) / 2 ** 20;
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const packets0 = egresses.reduce((s, e) => s + e.packets(), 0);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(measureMs);
    const cpu = process.cpuUsage(cpu0);
    const wallS = (performance.now() - t0) / 1000;
    loop.disable();
    const packets = egresses.reduce((s, e) => s + e.packets(), 0) - packets0;
    const stage = {
      n,
      cpuPerSec: (cpu.user + cpu.system) / 1e6 / wallS,
      rssMiB,
      heapMiB,
      packetsPerSec: packets / wallS,
      loopP99Ms: loop.percentile(99) / 1e6,
      loopMaxMs: loop.max / 1e6,
    };
    process.stdout.write(`${JSON.stringify({ stage })}\n`);
  }
  await Promise.all(egresses.map((e) => e.stop()));
  await driver.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ done: true })}\n`);
  process.exit(0);
}

main().catch((err) => {
  console.error(`[ramp] ${String(err?.stack ?? err)}`);
  process.exit(1);
});
