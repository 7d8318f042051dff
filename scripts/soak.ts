// Soak test of many egresses in one process (issue 8): SOAK_EGRESSES (10) Opus track egresses for
// SOAK_MINUTES (30) against a real livekit-server whose rtc-node publishers run in another
// process (scripts/load/publisher-process.ts). Samples RSS every 10 s, and at the end prints:
//   - the RSS slope after SOAK_WARMUP_MINUTES (default 1/3 of the run, at most 5): least squares, MiB/min
//   - per egress: packets, lost, max RTP arrival gap, gaps > 300 ms, file duration/decode check
//   - gaps > 300 ms explained by a stall of OUR busy event loop (CPU share ≥ 0.5, stall-watch.ts)
//     vs the rest (the OS did not run us, or the delay came from outside the process)
// Exits 1 when the slope is over SOAK_MAX_SLOPE (MiB/min, default 0.25), when any gap > 300 ms
// was caused by our own event loop (a busy stall ≥ 300 ms), when a file does not decode or is
// short, or when packets were lost for good.
//
//   npm run soak                 # node --expose-gc --import tsx scripts/soak.ts
//   SOAK_MINUTES=5 npm run soak
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { probedDuration } from '../test/support/crash-check.js';
import { decoderErrors } from '../test/support/ffmpeg.js';
import { openDriver, type BenchEgress, type DriverKind } from './load/egress-driver.js';
import { spawnLoad } from './load/spawn-load.js';
import { meanCpuShare, watchStalls } from './load/stall-watch.js';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const EGRESSES = Number(process.env.SOAK_EGRESSES ?? 10);
const WARMUP_MIN = Number(process.env.SOAK_WARMUP_MINUTES ?? Math.min(5, MINUTES / 3));
const MAX_SLOPE = Number(process.env.SOAK_MAX_SLOPE ?? 0.25);
const GAP_MS = 300;
const SAMPLE_MS = 10_000;

const log = (...a: unknown[]) => console.error('[soak]', ...a);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Least-squares slope of y over x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return sxy / sxx;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'te-soak-'));
  log(`${EGRESSES} egresses for ${MINUTES} min (warm-up ${WARMUP_MIN.toFixed(1)} min), files in ${dir}`);
  const load = await spawnLoad(EGRESSES, 4);
  const driver = await openDriver((process.env.BENCH_DRIVER ?? 'auto') as DriverKind, load.server, dir, 'async');
  log(`driver: ${driver.label}`);
  const watch = watchStalls();
  const egresses: BenchEgress[] = await Promise.all(load.tracks.map((t) => driver.start(t)));
  const t0 = Date.now();
  const gc = (globalThis as { gc?: () => void }).gc;
  const samples: { min: number; rssMiB: number; heapMiB: number }[] = [];
  while (Date.now() - t0 < MINUTES * 60_000) {
    await sleep(Math.min(SAMPLE_MS, MINUTES * 60_000 - (Date.now() - t0)));
    const min = (Date.now() - t0) / 60_000;
    const rssMiB = process.memoryUsage().rss / 2 ** 20;
    // What is still referenced (JS heap + external + ArrayBuffers after a full GC) tells a leak from
    // an allocator that has not returned memory yet. Taken after the RSS sample.
    gc?.();
    const m = process.memoryUsage();
    samples.push({ min, rssMiB, heapMiB: (m.heapUsed + m.external) / 2 ** 20 });
    if (samples.length % 6 === 0) log(`${min.toFixed(1)} min: RSS ${samples.at(-1)!.rssMiB.toFixed(1)} MiB, ${egresses.reduce((s, e) => s + e.packets(), 0)} packets`);
  }
  watch.stop();
  const perEgress = egresses.map((e) => ({ packets: e.packets(), lost: e.lost(), maxGapMs: e.maxGapMs(), gaps: e.gapsOver300() }));
  await Promise.all(egresses.map((e) => e.stop()));
  await driver.close();
  const loadStats = await load.stop();

  const after = samples.filter((s) => s.min >= WARMUP_MIN).map((s) => ({ x: s.min, y: s.rssMiB }));
  const rssSlope = slope(after);
  const heapSlope = slope(samples.filter((x) => x.min >= WARMUP_MIN).map((x) => ({ x: x.min, y: x.heapMiB })));
  // A stall ≥ 300 ms of our own busy loop delays every track's packets by that much: a gap caused by us.
  const ourStalls = watch.stalls.filter((s) => s.ms >= GAP_MS && s.cpuShare >= 0.5);
  const rows = egresses.map((e, i) => {
    const path = e.path();
    const errors = decoderErrors(path);
    const durationS = probedDuration(path);
    return { i, path, bytes: statSync(path).size, durationS, errors, ...perEgress[i]! };
  });
  const minDuration = MINUTES * 60 - 15; // the egresses started within seconds of t0
  const bad = rows.filter((r) => r.errors || !(r.durationS >= minDuration));

  const fmt = (x: number | undefined, d = 0) => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));
  const table = [
    '| # | packets | lost | max gap ms | gaps > 300 ms | duration s | bytes | decodes |',
    '|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map((r) => `| ${r.i} | ${r.packets} | ${r.lost} | ${fmt(r.maxGapMs)} | ${fmt(r.gaps)} | ${fmt(r.durationS, 1)} | ${r.bytes} | ${r.errors ? `NO: ${r.errors.split('\n')[0]}` : 'yes'} |`),
  ].join('\n');
  const busy = watch.stalls.filter((s) => s.cpuShare >= 0.5);
  const summary = [
    `# soak: ${EGRESSES} egresses × ${MINUTES} min (${driver.label})`,
    '',
    `- RSS: ${fmt(samples[0]?.rssMiB, 1)} MiB after 10 s → ${fmt(samples.at(-1)?.rssMiB, 1)} MiB at the end; slope after ${WARMUP_MIN.toFixed(1)} min: **${fmt(rssSlope, 3)} MiB/min** (limit ${MAX_SLOPE}; ${after.length} samples, least squares); JS heap + external after GC: ${fmt(samples[0]?.heapMiB, 1)} → ${fmt(samples.at(-1)?.heapMiB, 1)} MiB, slope ${fmt(heapSlope, 3)} MiB/min${gc ? '' : ' (run with --expose-gc: no GC was forced)'}`,
    `- RSS every minute, MiB: ${samples.filter((_, i) => i % 6 === 5).map((x) => x.rssMiB.toFixed(1)).join(' ')}`,
    `- event loop: p99 ${fmt(watch.histogram.percentile(99) / 1e6)} ms, max ${fmt(watch.histogram.max / 1e6)} ms; stalls > 100 ms: ${watch.stalls.length} (busy, CPU share ≥ 0.5: ${busy.length}; mean share ${meanCpuShare(watch.stalls) ?? 'n/a'}); GC pauses > 50 ms: ${watch.gcs.length}`,
    `- arrival gaps > ${GAP_MS} ms: ${rows.reduce((s, r) => s + (r.gaps ?? 0), 0)} in all; stalls of our own busy loop ≥ ${GAP_MS} ms (gaps caused by us): ${ourStalls.length}`,
    `- load process (not counted): ${loadStats ? `${fmt(loadStats.cpuPerSec, 2)} CPU s/s, event loop p99 ${fmt(loadStats.loopP99Ms)} / max ${fmt(loadStats.loopMaxMs)} ms` : 'n/a'}`,
    '',
    table,
  ].join('\n');
  console.log(summary);
  const failures = [
    ...(rssSlope > MAX_SLOPE ? [`RSS slope ${rssSlope.toFixed(3)} MiB/min > ${MAX_SLOPE}`] : []),
    ...(ourStalls.length ? [`${ourStalls.length} stalls ≥ ${GAP_MS} ms of our own event loop`] : []),
    ...rows.filter((r) => r.lost > 0).map((r) => `egress ${r.i}: ${r.lost} packets lost`),
    ...bad.map((r) => `egress ${r.i}: ${r.errors ? `decode errors: ${r.errors.split('\n')[0]}` : `duration ${fmt(r.durationS, 1)} s < ${minDuration} s`}`),
  ];
  if (failures.length) {
    console.log(`\nFAILED:\n${failures.map((f) => `- ${f}`).join('\n')}`);
    console.log(`(files kept in ${dir})`);
    process.exit(1);
  }
  rmSync(dir, { recursive: true, force: true });
  console.log('\nPASSED');
  process.exit(0);
}

main().catch((err) => {
  console.error(`[soak] ${String(err?.stack ?? err)}`);
  process.exit(2);
});
