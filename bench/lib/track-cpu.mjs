// Scenario "track-cpu": what one track egress costs this process — CPU seconds per egress-second
// and RSS per egress — for N concurrent egresses of each kind, through the EgressService, against
// a real livekit-server with @livekit/rtc-node publishers; compared with LiveKit egress, which
// reserves `cpu_cost.track_cpu_cost` = 0.5 CPU per track egress (2 per core). Gives the number
// for the worker's DEFAULT_TRACK_CPU_COST (src/cluster/worker/capacity.ts).
//
//   load process       bench/lib/track-cpu-publisher.ts: livekit-server, one Opus + one H.264 +
//                      one VP8 track, a `ws` receiver (not counted)
//   measured process   bench/lib/track-cpu-egress.ts, one per (kind, repeat): the idle service,
//                      then the stages (N egresses of the kind, all recording the same track)
//
// Kinds: ogg (Opus → .ogg), mp4 (H.264 → .mp4), webm (VP8 → .webm), ws (Opus → WebSocket PCM).
// CPU is CPU time (process.cpuUsage in the measured process, every thread), not wall time: the
// machine may be shared. Each (kind, repeat) is a fresh process; kinds rotate order each repeat.
//
// Env: BENCH_TRACK_KINDS (default ogg,mp4,webm,ws), BENCH_TRACK_STAGES (default 1,8),
// BENCH_TRACK_REPEATS (default 3), BENCH_TRACK_WARMUP (s, default 5), BENCH_TRACK_SECONDS (s,
// default 20), BENCH_TRACK_VIDEO (see track-cpu-publisher.ts; default 640x360@24:1000000).
// The raw numbers go to bench/results/track-cpu.json; BENCH_TRACK_FROM=<such a file> only formats them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

import { jsonChild, tsImport } from './json-child.mjs';
import { LIVEKIT_TRACK_CPU } from './service.mjs';

/**
 * Headroom of the recommended DEFAULT_TRACK_CPU_COST over the worst measured cost of one more
 * egress on a worker that already runs some (the case admission decides; an idle worker always
 * takes one, LiveKit's rule). The result is rounded up to a multiple of {@link STEP}.
 */
export const HEADROOM = 2;
export const STEP = 0.05;

export const KINDS = {
  ogg: { label: 'Opus → Ogg file', track: 'opus' },
  mp4: { label: 'H.264 → MP4 file', track: 'h264' },
  webm: { label: 'VP8 → WebM file', track: 'vp8' },
  ws: { label: 'Opus → WebSocket PCM', track: 'opus' },
};

const f = (x, d) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const spread = (xs, d) => {
  const s = xs.filter(Number.isFinite);
  return s.length ? `${f(median(s), d)} (${f(Math.min(...s), d)}–${f(Math.max(...s), d)})` : 'n/a';
};

/** One measured process: idle, then the stages. */
async function runOne(rootDir, loadLine, kind, opts, log) {
  const args = ['--expose-gc', '--import', 'tsx', join(rootDir, 'bench', 'lib', 'track-cpu-egress.ts')];
  const env = { LOAD_JSON: loadLine, KIND: kind, STAGES: opts.stages.join(','), WARMUP: String(opts.warmup), SECONDS: String(opts.seconds) };
  const p = jsonChild(rootDir, args, env, `track-cpu ${kind}`);
  try {
    const { idle } = await p.next('idle', 60_000);
    const stages = [];
    for (const n of opts.stages) {
      const { stage: s } = await p.next('stage', 120_000 + (opts.warmup + opts.seconds) * 1000);
      stages.push(s);
      log(`track-cpu: ${kind} N=${n}: ${f(s.cpuPerSec, 4)} CPU s/s (idle ${f(idle.cpuPerSec, 4)}), RSS ${f(s.rssMiB, 1)} MiB (idle ${f(idle.rssMiB, 1)}), ${f(s.packetsPerSec, 0)} packets/s`);
    }
    const { done } = await p.next('done', 60_000);
    return { idle, stages, done };
  } finally {
    await p.stop();
  }
}

/** Per-egress numbers of one run. */
function derive(run) {
  const first = run.stages[0];
  const last = run.stages.at(-1);
  const dn = last.n - first.n;
  return {
    /** CPU of the first egress over the idle service. */
    firstCpu: (first.cpuPerSec - run.idle.cpuPerSec) / first.n,
    /** Average CPU per egress at the largest N, over the idle service. */
    avgCpu: (last.cpuPerSec - run.idle.cpuPerSec) / last.n,
    /** Marginal CPU per added egress between the first and the last stage. */
    slopeCpu: dn > 0 ? (last.cpuPerSec - first.cpuPerSec) / dn : NaN,
    /** CPU per egress over the first 15 s after its start (join, ICE/DTLS, first keyframe), first stage. */
    startupFirst: first.startupPerEgress,
    /** The same for the egresses of the last stage, started together. */
    startupBurst: last.startupPerEgress,
    activeMs: first.activeAfterMs,
    avgRss: (last.rssMiB - run.idle.rssMiB) / last.n,
    slopeRss: dn > 0 ? (last.rssMiB - first.rssMiB) / dn : NaN,
    slopeHeap: dn > 0 ? (last.heapMiB - first.heapMiB) / dn : NaN,
    packetsPerEgress: last.packetsPerSec / last.n,
    kbitPerEgress: (last.bytesPerSec * 8) / 1000 / last.n,
    running: last.running,
    lost: last.lost,
    idleCpu: run.idle.cpuPerSec,
    idleRss: run.idle.rssMiB,
    lastCpu: last.cpuPerSec,
    lastRss: last.rssMiB,
  };
}

/** Runs the scenario; returns its Markdown section. */
export async function runTrackCpuBench({ rootDir, log }) {
  const kinds = (process.env.BENCH_TRACK_KINDS ?? 'ogg,mp4,webm,ws').split(',').map((s) => s.trim()).filter((k) => k in KINDS);
  const stages = (process.env.BENCH_TRACK_STAGES ?? '1,8').split(',').map(Number).filter((n) => n > 0).sort((a, b) => a - b);
  const repeats = Math.max(1, Number(process.env.BENCH_TRACK_REPEATS ?? 3));
  const warmup = Number(process.env.BENCH_TRACK_WARMUP ?? 5);
  const seconds = Number(process.env.BENCH_TRACK_SECONDS ?? 20);
  const title = '## Track egress cost: CPU and RSS per egress, by kind (EgressService, one process)';
  if (process.env.BENCH_TRACK_FROM) return format({ warnings: [], ...JSON.parse(readFileSync(process.env.BENCH_TRACK_FROM, 'utf8')) });
  const { liveKitServerBinary } = await tsImport(rootDir, 'test/support/livekit-server.ts');
  if (!existsSync(liveKitServerBinary())) return `${title}\n\n⚠ WARNING: livekit-server not installed (bash scripts/livekit-server.sh install): scenario skipped\n`;

  log('track-cpu: starting livekit-server and the publishers (Opus, H.264, VP8) in a separate process');
  const pub = jsonChild(rootDir, ['--import', 'tsx', join(rootDir, 'bench', 'lib', 'track-cpu-publisher.ts')], {}, 'track-cpu publisher');
  const results = Object.fromEntries(kinds.map((k) => [k, []]));
  const warnings = [];
  let load;
  let loadDone;
  try {
    load = await pub.next('server', 180_000);
    log(`track-cpu: tracks published (video ${load.video.width}x${load.video.height}@${load.video.fps}, ≤ ${load.video.maxBitrate / 1000} kbit/s, ${load.video.noise ? 'random pictures' : 'test pattern'})`);
    const loadLine = JSON.stringify(load);
    for (let r = 0; r < repeats; r++) {
      const order = kinds.map((_, k) => kinds[(k + r) % kinds.length]);
      for (const kind of order) {
        try {
          const run = await runOne(rootDir, loadLine, kind, { stages, warmup, seconds }, log);
          results[kind].push(run);
          const bad = Object.entries(run.done.statuses).filter(([s]) => s !== 'EGRESS_COMPLETE');
          if (bad.length || run.done.errors.length) warnings.push(`${kind} repeat ${r + 1}: ended ${JSON.stringify(run.done.statuses)} ${run.done.errors.join('; ')}`);
        } catch (err) {
          warnings.push(`${kind} repeat ${r + 1} failed: ${String(err?.message ?? err).split('\n')[0]}`);
          log(warnings.at(-1));
        }
      }
      log(`track-cpu: repeat ${r + 1}/${repeats} done`);
    }
  } catch (err) {
    warnings.push(`the load process failed: ${String(err?.message ?? err).split('\n')[0]}`);
  } finally {
    await pub.stop().catch(() => {});
    try { ({ done: loadDone } = await pub.next('done', 1)); } catch { /* gone */ }
  }
  const raw = { date: new Date().toISOString(), kinds, stages, repeats, warmup, seconds, load: load && { video: load.video }, loadDone, results, warnings };
  mkdirSync(join(rootDir, 'bench', 'results'), { recursive: true });
  writeFileSync(join(rootDir, 'bench', 'results', 'track-cpu.json'), `${JSON.stringify(raw, null, 1)}\n`);
  log('track-cpu: raw numbers in bench/results/track-cpu.json (BENCH_TRACK_FROM=<that file> re-formats them without running)');
  return format(raw);
}

/** The Markdown section. */
function format({ date, kinds, stages, repeats, warmup, seconds, load, loadDone, results, warnings }) {
  const title = '## Track egress cost: CPU and RSS per egress, by kind (EgressService, one process)';
  const nMax = stages.at(-1);
  const nMin = stages[0];
  const rows = [];
  let worstFirst = 0;
  let worstAvg = 0;
  let worstStartup = 0;
  let worstLoaded = 0;
  let worstFile = 0;
  for (const kind of kinds) {
    const d = results[kind].map(derive);
    if (!d.length) continue;
    for (const x of d) {
      worstFirst = Math.max(worstFirst, x.firstCpu);
      worstAvg = Math.max(worstAvg, x.avgCpu);
      // One more egress on a loaded worker: its first 15 s when started with others, its share at N max.
      const loaded = Math.max(x.avgCpu, Number.isFinite(x.startupBurst) ? x.startupBurst : 0, Number.isFinite(x.slopeCpu) ? x.slopeCpu : 0);
      worstLoaded = Math.max(worstLoaded, loaded);
      worstStartup = Math.max(worstStartup, x.startupFirst);
      if (kind !== 'ws') worstFile = Math.max(worstFile, loaded);
      if (x.running < nMax) warnings.push(`${kind}: only ${x.running} of ${nMax} egresses were running at the end of the last window`);
      if (x.lost > 0) warnings.push(`${kind}: ${x.lost} RTP packets lost for good`);
    }
    const avg = median(d.map((x) => x.avgCpu));
    rows.push(
      `| ${KINDS[kind].label} | ${d.length} | ${f(median(d.map((x) => x.packetsPerEgress)), 0)} / ${f(median(d.map((x) => x.kbitPerEgress)), 0)} | ` +
        `${f(median(d.map((x) => x.activeMs)), 0)} | ${spread(d.map((x) => x.startupFirst), 4)} | ${spread(d.map((x) => x.startupBurst), 4)} | ` +
        `${spread(d.map((x) => x.idleCpu), 4)} | ${spread(d.map((x) => x.lastCpu), 4)} | ${spread(d.map((x) => x.firstCpu), 4)} | ${spread(d.map((x) => x.avgCpu), 4)} | ${spread(d.map((x) => x.slopeCpu), 4)} | ` +
        `${spread(d.map((x) => x.avgRss), 2)} | ${spread(d.map((x) => x.slopeRss), 2)} / ${spread(d.map((x) => x.slopeHeap), 2)} | ` +
        `**${f(1 / avg, 0)}** (${f(1 / Math.max(...d.map((x) => x.avgCpu)), 0)}–${f(1 / Math.min(...d.map((x) => x.avgCpu)), 0)}) | ${f(LIVEKIT_TRACK_CPU / avg, 0)}× |`,
    );
  }
  const roundUp = (x) => Math.ceil((x * HEADROOM) / STEP - 1e-9) * STEP;
  const recommended = roundUp(worstLoaded);
  const recommendedFile = roundUp(worstFile);
  const lines = [
    title,
    '',
    `- run finished ${date}; ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, load average when formatted ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`,
    `- load: livekit-server + one @livekit/rtc-node publisher in a separate process (not counted${loadDone ? `: ${f(loadDone.cpuPerSec, 2)} CPU s/s there` : ''}): ` +
      `Opus mono 48 kHz sine (DTX off), H.264 and VP8 camera tracks ${load ? `${load.video.width}×${load.video.height} @ ${load.video.fps} fps, ${load.video.noise ? 'random pictures (the encoder runs at its ceiling' : 'moving test pattern (low bitrate'} of ${load.video.maxBitrate / 1000} kbit/s)` : ''}; the WebSocket receiver (a \`ws\` server reading and dropping PCM) lives there too`,
    `- measured: one process per kind and repeat (${repeats} repeats, kinds in rotating order) running only an EgressService (DirectFileOutput into a temp dir, or websocket_url); idle service first, then N = ${stages.join(', ')} concurrent egresses of the kind, all of the same published track (each its own subscription); per stage ${warmup} s after every egress was ACTIVE, RSS after two forced GCs 1 s apart, then CPU time (process.cpuUsage, user + system, every thread) over ${seconds} s — CPU time, not wall time: other work on the machine does not inflate it`,
    `- "first 15 s": CPU s/s over the 15 s from the stage's first startTrackEgress (join, ICE/DTLS, first keyframe; the worker's reservation window), minus the level before the stage, ÷ the egresses the stage added; "first egress" = (CPU at N=${nMin} − idle) ÷ ${nMin}; "per egress at N=${nMax}" = (CPU at N=${nMax} − idle) ÷ ${nMax}; "marginal" = (N=${nMax} − N=${nMin}) ÷ ${nMax - nMin}; CPU s/s per egress = CPU seconds per egress-second. Median over repeats (min–max). Egresses per core = 1 ÷ per egress at N=${nMax}; LiveKit reserves ${LIVEKIT_TRACK_CPU} CPU per track egress = ${f(1 / LIVEKIT_TRACK_CPU, 0)} per core`,
    '',
    `| kind | runs | packets/s / kbit/s per egress | start → ACTIVE ms (N=${nMin}) | CPU per egress, first 15 s (N=${nMin}) | CPU per egress, first 15 s (${nMax - nMin} started together) | idle service CPU s/s | CPU s/s at N=${nMax} | CPU per egress, first egress | CPU per egress at N=${nMax} | CPU per added egress (marginal) | RSS MiB per egress at N=${nMax} | RSS / heap+ext MiB per added egress | track egresses per core (ours) | vs LiveKit's 2 per core |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `Worst single measurements: one more egress on a loaded worker (its first 15 s when started with others, its share at N=${nMax}, or the marginal cost) ${f(worstLoaded, 4)} CPU; ` +
      `a first egress on an idle worker ${f(worstFirst, 4)} CPU steady, ${f(worstStartup, 4)} over its first 15 s (an idle worker always takes one). ` +
      `Recommended DEFAULT_TRACK_CPU_COST = **${f(recommended, 2)}** (${HEADROOM}× the loaded worst over every kind, ${f(worstLoaded * HEADROOM, 3)}, rounded up to a multiple of ${STEP}; file egresses alone: ${f(recommendedFile, 2)}): ` +
      'the reservation a new job holds for its first 15 s and the free CPU a claim needs; after 15 s the monitor counts the measured use.',
  ];
  for (const w of warnings) lines.push(`\n⚠ WARNING: ${w}`);
  return `${lines.join('\n')}\n`;
}
