// Scenario "service": CPU seconds per second and RSS per concurrent Opus track egress in one
// process, against a real livekit-server with @livekit/rtc-node publishers in ANOTHER process
// (scripts/load/publisher-process.ts), so that their cost is not counted. The measured process
// (scripts/load/ramp.ts) adds egresses in stages (BENCH_SERVICE_STAGES, default 1,10,20,40) and
// reports its CPU and RSS per stage; the cost of one egress is the slope between N=1 and each N.
// Which code records is decided in scripts/load/egress-driver.ts (EgressService when it exists,
// else TrackRecording + an async file sink); the table says which one ran.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { tsImport } from './json-child.mjs';

/** LiveKit egress reserves this much CPU per track egress (its `cpu_cost.track_cpu_cost` default). */
export const LIVEKIT_TRACK_CPU = 0.5;
/** Targets of issue 8 per audio egress. */
export const TARGET_CPU = 0.005;
export const TARGET_MB = 2;

const MIB_PER_MB = 1e6 / 2 ** 20;

/** Runs the ramp child with the load; resolves with its stage lines. */
function runRamp(rootDir, load, env, log) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(rootDir, 'scripts', 'load', 'ramp.ts')], {
      cwd: rootDir,
      env: { ...process.env, ...env, LOAD_JSON: JSON.stringify({ server: load.server, tracks: load.tracks }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const out = { driver: '?', stages: [] };
    createInterface({ input: child.stdout }).on('line', (line) => {
      let m;
      try { m = JSON.parse(line); } catch { return; }
      if (m.driver) { out.driver = m.driver; log(`service: driver ${m.driver}`); }
      if (m.stage) {
        out.stages.push(m.stage);
        log(`service: N=${m.stage.n}: ${m.stage.cpuPerSec.toFixed(3)} CPU s/s, RSS ${m.stage.rssMiB.toFixed(1)} MiB, ${m.stage.packetsPerSec.toFixed(0)} packets/s`);
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`scripts/load/ramp.ts exited with ${code}`))));
  });
}

const f = (x, d) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

/** Runs the scenario; returns its Markdown section (header lines and tables). */
export async function runServiceBench({ rootDir, log }) {
  const stages = (process.env.BENCH_SERVICE_STAGES ?? '1,10,20,40').split(',').map(Number).sort((a, b) => a - b);
  const warmup = Number(process.env.BENCH_SERVICE_WARMUP ?? 10);
  const seconds = Number(process.env.BENCH_SERVICE_SECONDS ?? 30);
  const title = '## Service: CPU and RSS per concurrent Opus track egress (one process)';
  const { liveKitServerBinary } = await tsImport(rootDir, 'test/support/livekit-server.ts');
  if (!existsSync(liveKitServerBinary())) {
    return `${title}\n\n⚠ WARNING: livekit-server not installed (bash scripts/livekit-server.sh install): scenario skipped\n`;
  }
  const { spawnLoad } = await tsImport(rootDir, 'scripts/load/spawn-load.ts');
  const max = stages.at(-1);
  log(`service: publishing ${max} Opus tracks in a separate process`);
  const load = await spawnLoad(max, 4);
  let ramp;
  let loadStats;
  try {
    ramp = await runRamp(rootDir, load, { RAMP_STAGES: stages.join(','), RAMP_WARMUP: String(warmup), RAMP_SECONDS: String(seconds) }, log);
  } finally {
    loadStats = await load.stop();
  }
  const base = ramp.stages.find((s) => s.n === stages[0]);
  const rows = ramp.stages.map((s) => {
    const dn = s.n - base.n;
    const cpu = dn > 0 ? (s.cpuPerSec - base.cpuPerSec) / dn : NaN;
    const mib = dn > 0 ? (s.rssMiB - base.rssMiB) / dn : NaN;
    const heap = dn > 0 ? (s.heapMiB - base.heapMiB) / dn : NaN;
    return { ...s, cpu, mib, heap };
  });
  // The targets are checked against the worst of the per-N slopes.
  const worst = rows.filter((r) => r.n > base.n);
  const cpuMax = Math.max(...worst.map((r) => r.cpu));
  const mibMax = Math.max(...worst.map((r) => r.mib));
  const lines = [
    title,
    '',
    `- driver: ${ramp.driver}`,
    `- load: livekit-server + ${max} rtc-node Opus publishers (mono 48 kHz, 4 tracks per publisher) in a separate process: ` +
      (loadStats ? `${f(loadStats.cpuPerSec, 2)} CPU s/s, event loop p99 ${f(loadStats.loopP99Ms, 0)} ms there (not counted)` : 'its numbers were not reported'),
    `- per stage: ${warmup} s warm-up after the last egress started, RSS (and JS heap + external) after two forced GCs 1 s apart, then CPU (process.cpuUsage, user+system) over ${seconds} s`,
    `- per egress = (stage − N=${base.n}) ÷ (N − ${base.n}); LiveKit reserves ${LIVEKIT_TRACK_CPU} CPU per track egress; targets ≤ ${TARGET_CPU} CPU and ≤ ${TARGET_MB} MB (${f(TARGET_MB * MIB_PER_MB, 2)} MiB)`,
    '',
    '| N egresses | CPU s/s | RSS MiB | heap+ext MiB | RTP packets/s | event loop p99 / max ms | CPU per added egress | RSS MiB per added egress | heap+ext MiB per added egress | LiveKit reservation ÷ ours |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) =>
      `| ${r.n} | ${f(r.cpuPerSec, 3)} | ${f(r.rssMiB, 1)} | ${f(r.heapMiB, 1)} | ${f(r.packetsPerSec, 0)} | ${f(r.loopP99Ms, 0)} / ${f(r.loopMaxMs, 0)} | ${f(r.cpu, 4)} | ${f(r.mib, 2)} | ${f(r.heap, 2)} | ${Number.isFinite(r.cpu) && r.cpu > 0 ? `${f(LIVEKIT_TRACK_CPU / r.cpu, 0)}×` : 'n/a'} |`),
    '',
    `Worst slope: ${f(cpuMax, 4)} CPU and ${f(mibMax, 2)} MiB per egress → CPU target ${cpuMax <= TARGET_CPU ? 'met' : 'NOT met'}, ` +
      `memory target ${mibMax <= TARGET_MB * MIB_PER_MB ? 'met' : 'NOT met'}; LiveKit's reservation is ${f(LIVEKIT_TRACK_CPU / cpuMax, 0)}× ours.`,
  ];
  const expected = 50; // Opus at 20 ms per packet
  for (const r of rows) {
    if (r.packetsPerSec < r.n * expected * 0.9) lines.push(`\n⚠ WARNING: N=${r.n} received ${f(r.packetsPerSec, 0)} packets/s, expected ≈ ${r.n * expected}`);
  }
  return `${lines.join('\n')}\n`;
}

