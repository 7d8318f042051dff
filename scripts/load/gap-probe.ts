// Investigation of RTP arrival gaps with many recordings in one process (issue 8). Records N Opus
// tracks for SECONDS and reports, for the measured window (after WARMUP seconds):
//   - per-track arrival gaps > 300 ms, grouped into "events" (gaps that end within 1 s of each other)
//   - this process's event-loop stalls (> 100 ms, from a 20 ms timer) and their overlap with the events
//   - the same for the set-up phase (subscribing while the first recordings run) apart
//   - monitorEventLoopDelay p50/p99/max, CPU s/s and RSS of this process (and of the load process)
//
//   N=40 SECONDS=60 SINK=sync|async|null PUBLISHERS=child|inproc node --import tsx scripts/load/gap-probe.ts
//   add --cpu-prof --cpu-prof-dir=/tmp/prof before --import for a main-thread profile
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { publishLoad } from './load-publishers.js';
import { startRecording, type LoadRecording, type SinkKind } from './recordings.js';
import { spawnLoad } from './spawn-load.js';
import { causedByUs, meanCpuShare, watchStalls } from './stall-watch.js';

const N = Number(process.env.N ?? 40);
const SECONDS = Number(process.env.SECONDS ?? 60);
const WARMUP = Number(process.env.WARMUP ?? 10);
const SINK = (process.env.SINK ?? 'sync') as SinkKind;
const PUBLISHERS = process.env.PUBLISHERS ?? 'child';
const PER_PUB = Number(process.env.PER_PUB ?? 1);
const BATCH = Number(process.env.BATCH ?? 8);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (...a: unknown[]) => console.error('[gap-probe]', ...a);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'te-gap-probe-'));
  log(`N=${N} SECONDS=${SECONDS} SINK=${SINK} PUBLISHERS=${PUBLISHERS} PER_PUB=${PER_PUB}`);
  const load = PUBLISHERS === 'inproc' ? await publishLoad(N, PER_PUB) : await spawnLoad(N, PER_PUB);
  log(`${load.tracks.length} tracks published`);
  // Stalls and gaps are watched from the first subscription on: the set-up of later subscriptions
  // is when the first ones are most at risk (reported apart as the "setup" phase).
  const watch = watchStalls();
  const stalls = watch.stalls;
  const gcs = watch.gcs;
  const setupHist = monitorEventLoopDelay({ resolution: 10 });
  setupHist.enable();
  const setupT0 = Date.now();
  const recs: LoadRecording[] = [];
  for (let i = 0; i < load.tracks.length; i += BATCH) {
    recs.push(...(await Promise.all(load.tracks.slice(i, i + BATCH).map((t) => startRecording(load.server, t, { dir, sink: SINK })))));
  }
  const setupS = (Date.now() - setupT0) / 1000;
  log(`${recs.length} recordings running after ${setupS.toFixed(1)} s (${recs[0]?.sinkLabel}); warm-up ${WARMUP} s`);
  await sleep(WARMUP * 1000);
  setupHist.disable();
  const setupGaps = recs.flatMap((r) => r.gaps);
  const setupStalls = stalls.splice(0);
  const setup = {
    seconds: +setupS.toFixed(1),
    loopDelayMaxMs: Math.round(setupHist.max / 1e6),
    stalls: setupStalls.length,
    stallMaxMs: Math.round(Math.max(0, ...setupStalls.map((s) => s.ms))),
    stallCpuShare: meanCpuShare(setupStalls),
    gapsOver300: setupGaps.length,
    tracksWithGap: recs.filter((r) => r.gaps.length).length,
    maxGapMs: Math.round(Math.max(0, ...setupGaps.map((g) => g.ms))),
  };
  for (const r of recs) r.gaps.length = 0;
  const hist = monitorEventLoopDelay({ resolution: 10 });
  hist.enable();
  const packets0 = recs.map((r) => r.recording.stats().packets);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const cpu = process.cpuUsage(cpu0);
  const wallS = (performance.now() - t0) / 1000;
  watch.stop();
  hist.disable();
  const rss = process.memoryUsage().rss / 2 ** 20;
  const packets = recs.reduce((n, r, i) => n + r.recording.stats().packets - packets0[i]!, 0);

  // Group gaps of all tracks into events: a gap's end within 1 s of the previous one's.
  const all = recs.flatMap((r, i) => r.gaps.map((g) => ({ ...g, track: i }))).sort((a, b) => a.atMs - b.atMs);
  const events: { atMs: number; tracks: Set<number>; maxMs: number }[] = [];
  for (const g of all) {
    const e = events.at(-1);
    if (e && g.atMs - e.atMs < 1000) {
      e.tracks.add(g.track);
      e.maxMs = Math.max(e.maxMs, g.ms);
    } else events.push({ atMs: g.atMs, tracks: new Set([g.track]), maxMs: g.ms });
  }
  const overlapping = events.filter((e) => causedByUs({ atMs: e.atMs, ms: e.maxMs }, stalls));
  const finals = await Promise.all(recs.map((r) => r.stop()));
  const loadStats = await load.stop();

  const summary = {
    setup,
    n: recs.length, sink: recs[0]?.sinkLabel, publishers: PUBLISHERS, seconds: Math.round(wallS),
    cpuPerSec: +((cpu.user + cpu.system) / 1e6 / wallS).toFixed(4),
    cpuPerTrack: +((cpu.user + cpu.system) / 1e6 / wallS / recs.length).toFixed(5),
    rssMiB: +rss.toFixed(1),
    packetsPerSec: Math.round(packets / wallS),
    loopDelayMs: { p50: +(hist.percentile(50) / 1e6).toFixed(1), p99: +(hist.percentile(99) / 1e6).toFixed(1), max: +(hist.max / 1e6).toFixed(1) },
    stalls: { count: stalls.length, maxMs: Math.round(Math.max(0, ...stalls.map((s) => s.ms))), cpuShare: meanCpuShare(stalls) },
    gcsOver50ms: gcs.length,
    gapsOver300: all.length,
    maxGapMs: Math.round(Math.max(0, ...all.map((g) => g.ms))),
    gapEvents: events.map((e) => ({ at: new Date(e.atMs).toISOString().slice(11, 23), tracks: e.tracks.size, maxMs: Math.round(e.maxMs) })),
    gapEventsCausedByUs: overlapping.length,
    lost: finals.reduce((n, s) => n + s.lost, 0),
    loadProcess: loadStats ?? null,
  };
  console.log(JSON.stringify(summary, null, 1));
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

main().catch((err) => {
  console.error(`[gap-probe] ${String(err?.stack ?? err)}`);
  process.exit(1);
});
