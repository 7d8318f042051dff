#!/usr/bin/env node
// track-egress throughput benchmark against JS/wasm peers and GStreamer. See docs/benchmarks.md.
//
//   npm run bench                      # from the repo root (node --expose-gc bench/run.mjs)
//   BENCH_SECONDS=60 BENCH_ROUNDS=5 npm run bench
//   BENCH_ONLY=h264,pcm npm run bench  # scenarios: h264, vp8, ogg, pcm, gst, service, websocket (+ track-cpu when named)
//   BENCH_ONLY=service npm run bench   # CPU/RSS per concurrent Opus track egress (bench/lib/service.mjs)
//   BENCH_ONLY=websocket npm run bench # WebSocket PCM latency vs LiveKit's path in GStreamer (bench/lib/websocket.mjs;
//                                      # BENCH_WS_SECONDS=60 BENCH_WS_CLICK_MS=250 BENCH_WS_PEERS=fast,livekit)
//   BENCH_ONLY=track-cpu npm run bench # CPU s per egress-second and RSS per egress for Opus→Ogg, H.264→MP4, VP8→WebM,
//                                      # Opus→WebSocket vs LiveKit's 0.5 CPU (bench/lib/track-cpu.mjs; not in the default set:
//                                      # ≈ 17 min; BENCH_TRACK_STAGES=1,8 BENCH_TRACK_REPEATS=3 BENCH_TRACK_SECONDS=20)
//   BENCH_TE=tsx npm run bench         # import src/ through tsx instead of the compiled dist/
//
// Self-contained: installs bench/node_modules (npm ci --prefix bench) and compiles the root
// dist/ (npx tsc -p tsconfig.json) when they are missing. Progress goes to stderr; the Markdown
// table goes to stdout and to bench/results/latest.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = join(benchDir, '..');
const log = (...a) => console.error('[bench]', ...a);

const SECONDS = Math.max(60, Number(process.env.BENCH_SECONDS ?? 300));
const ROUNDS = Math.max(5, Number(process.env.BENCH_ROUNDS ?? 7));
const ONLY = new Set((process.env.BENCH_ONLY ?? 'h264,vp8,ogg,pcm,gst,service,websocket').split(',').map((s) => s.trim()));
const corpusDir = process.env.TE_CORPUS_DIR ?? join(rootDir, 'test', 'fixtures', 'generated');

// --- bootstrap ----------------------------------------------------------------------------------

function ensureBenchDeps() {
  const pkg = JSON.parse(readFileSync(join(benchDir, 'package.json'), 'utf8'));
  const missing = Object.keys(pkg.dependencies).filter((d) => !existsSync(join(benchDir, 'node_modules', d, 'package.json')));
  if (missing.length === 0) return;
  log(`installing bench dependencies (${missing.join(', ')} missing): npm ci --prefix bench`);
  const r = spawnSync('npm', ['ci', '--prefix', benchDir, '--no-audit', '--no-fund'], { cwd: rootDir, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new Error('npm ci --prefix bench failed');
}

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

async function loadTrackEgress() {
  const distIndex = join(rootDir, 'dist', 'index.js');
  if (process.env.BENCH_TE !== 'tsx') {
    const stale = !existsSync(distIndex) || newestMtime(join(rootDir, 'src')) > statSync(distIndex).mtimeMs;
    if (stale) {
      log(`${existsSync(distIndex) ? 'dist/ is older than src/' : 'dist/ is missing'}: npx tsc -p tsconfig.json`);
      const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: rootDir, stdio: ['ignore', 2, 2] });
      if (r.status !== 0) log(existsSync(distIndex) ? 'tsc failed: using the existing dist/' : 'tsc failed: falling back to tsx');
    }
    if (existsSync(distIndex)) return { te: await import(pathToFileURL(distIndex).href), via: 'dist/index.js' };
  }
  const { tsImport } = await import('tsx/esm/api'); // resolved from the root node_modules
  return { te: await tsImport(pathToFileURL(join(rootDir, 'src', 'index.ts')).href, import.meta.url), via: 'src/ via tsx' };
}

// --- harness ------------------------------------------------------------------------------------

const gc = globalThis.gc ?? (() => {});

async function measure(fn) {
  gc();
  const m0 = process.memoryUsage();
  const t0 = performance.now();
  const r = await fn();
  const ms = performance.now() - t0;
  const m1 = process.memoryUsage();
  return {
    ms, outBytes: r.outBytes, detail: r.detail,
    rss: m1.rss - m0.rss,
    heap: m1.heapUsed - m0.heapUsed + (m1.arrayBuffers - m0.arrayBuffers),
  };
}

/** Warm-up round, then ROUNDS rounds; the implementation order rotates every round. */
async function runScenario(sc, input) {
  log(`${sc.title}: ${input.packets.length} packets, ${(input.bytes / 1e6).toFixed(1)} MB, ${input.mediaSeconds.toFixed(0)} s of media`);
  const res = new Map(sc.impls.map((i) => [i.name, { times: [], rss: [], heap: [], out: new Set(), detail: '', error: undefined }]));
  for (let round = 0; round <= ROUNDS; round++) {
    const order = sc.impls.map((_, k) => sc.impls[(k + round) % sc.impls.length]);
    for (const impl of order) {
      const r = res.get(impl.name);
      if (r.error) continue;
      try {
        const m = await measure(impl.run);
        r.out.add(m.outBytes);
        r.detail = m.detail;
        if (round > 0) { r.times.push(m.ms); r.rss.push(m.rss); r.heap.push(m.heap); }
      } catch (err) {
        r.error = String(err?.message ?? err).split('\n')[0];
        log(`  ${impl.name} failed: ${r.error}`);
      }
    }
    log(`  round ${round === 0 ? 'warm-up' : round}/${ROUNDS} done`);
  }
  const rows = [];
  const warnings = [];
  const nativeRes = res.get('track-egress native');
  const nativeMs = nativeRes && !nativeRes.error && nativeRes.times.length ? median(nativeRes.times) : undefined;
  for (const impl of sc.impls) {
    const r = res.get(impl.name);
    if (r.error) { warnings.push(`${impl.name} failed: ${r.error}`); continue; }
    const outBytes = [...r.out][0];
    if (r.out.size !== 1) warnings.push(`${impl.name}: output size differs between rounds (${[...r.out].join(', ')})`);
    if (!(outBytes > 0)) warnings.push(`${impl.name}: empty output`);
    rows.push({
      scenario: sc.short, impl: impl.name, times: r.times, rss: r.rss, heap: r.heap, outBytes,
      packets: input.packets.length, bytes: input.bytes, mediaSeconds: input.mediaSeconds, nativeMs, detail: r.detail,
    });
  }
  // Correctness guard: the same C++ core behind both backends must write the same bytes.
  const ours = sc.impls.filter((i) => i.ours).map((i) => res.get(i.name)).filter((r) => !r.error);
  if (ours.length === 2) {
    const [a, b] = ours.map((r) => [...r.out][0]);
    if (a !== b) warnings.push(`native and wasm output sizes differ (${a} vs ${b} bytes)`);
  } else {
    warnings.push('only one of our backends ran: native/wasm output comparison skipped');
  }
  for (const w of warnings) rows.push({ scenario: sc.short, warn: w });
  return { rows, nativeMs };
}

async function runGst(gst, codec, entry, input, nativeMs) {
  const short = `gst ${codec}`;
  log(`GStreamer ${codec}: ${input.packets.length} packets`);
  let g;
  try {
    g = gst.prepareGst(codec, entry.payloadType, input, entry.clockRate);
  } catch (err) {
    return [{ scenario: short, warn: `GStreamer ${codec} could not run: ${String(err.message).split('\n')[0]}` }];
  }
  try {
    if (!g.check.ok) return [{ scenario: short, warn: `GStreamer ${codec} pipeline failed: ${g.check.error}` }];
    const full = [];
    const tiny = [];
    for (let round = 0; round <= ROUNDS; round++) {
      const f = g.runFull();
      const t = g.runTiny();
      if (round > 0) { full.push(f); tiny.push(t); }
    }
    const startMs = median(tiny);
    const rssText = g.check.peakRssMb ? `${g.check.peakRssMb.toFixed(0)} (peak)` : 'n/a';
    const rows = [
      { scenario: short, impl: 'gst-launch-1.0 (incl. start-up)', times: full, packets: input.packets.length, bytes: input.bytes, mediaSeconds: input.mediaSeconds, outBytes: g.check.outBytes, nativeMs, rssText },
      {
        scenario: short, impl: `gst-launch-1.0 (excl. start-up ≈ ${startMs.toFixed(0)} ms)`,
        times: full.map((x, i) => Math.max(0.001, x - tiny[i])),
        packets: input.packets.length - g.tinyPackets, bytes: input.bytes - g.tinyBytes, mediaSeconds: input.mediaSeconds - g.tinySeconds,
        outBytes: g.check.outBytes, nativeMs: nativeMs, rssText,
      },
    ];
    if (!(g.check.outBytes > 0)) rows.push({ scenario: short, warn: `GStreamer ${codec}: empty output` });
    return rows;
  } catch (err) {
    return [{ scenario: short, warn: `GStreamer ${codec}: ${String(err.message).split('\n')[0]}` }];
  } finally {
    g.cleanup();
  }
}

function versionOf(dep) {
  try { return JSON.parse(readFileSync(join(benchDir, 'node_modules', dep, 'package.json'), 'utf8')).version; } catch { return '?'; }
}

let median;

/** Writes the results (stdout and bench/results/latest.md). */
function emit(md, started) {
  process.stdout.write(md);
  mkdirSync(join(benchDir, 'results'), { recursive: true });
  writeFileSync(join(benchDir, 'results', 'latest.md'), md);
  log(`wrote bench/results/latest.md (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

async function main() {
  const started = Date.now();
  const load0 = os.loadavg();
  // The service, websocket and track-cpu scenarios run first, on a machine not yet warmed by the others, in their own processes.
  let serviceMd = '';
  if (ONLY.has('service')) {
    const { runServiceBench } = await import('./lib/service.mjs');
    serviceMd = await runServiceBench({ rootDir, log });
  }
  if (ONLY.has('websocket')) {
    const { runWebsocketBench } = await import('./lib/websocket.mjs');
    serviceMd += `${serviceMd ? '\n' : ''}${await runWebsocketBench({ rootDir, log })}`;
  }
  if (ONLY.has('track-cpu')) {
    const { runTrackCpuBench } = await import('./lib/track-cpu.mjs');
    serviceMd += `${serviceMd ? '\n' : ''}${await runTrackCpuBench({ rootDir, log })}`;
  }
  {
    if ([...ONLY].every((id) => id === 'service' || id === 'websocket' || id === 'track-cpu')) {
      const load1 = os.loadavg();
      const head = `# track-egress benchmark results\n\n- date: ${new Date().toISOString()}, node ${process.version}, ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, load average ${load0.map((x) => x.toFixed(2)).join(' ')} → ${load1.map((x) => x.toFixed(2)).join(' ')}\n\n`;
      emit(`${head}${serviceMd}`, started);
      return;
    }
  }
  ensureBenchDeps();
  ({ median } = await import('./lib/report.mjs'));
  const { formatTable } = await import('./lib/report.mjs');
  const { loadCorpusStream, loopStream } = await import('./lib/input.mjs');
  const { recordWithOurs, pcmWithOurs } = await import('./lib/ours.mjs');
  const peers = await import('./lib/peers.mjs');
  const gst = await import('./lib/gst.mjs');
  const { te, via } = await loadTrackEgress();
  if (!existsSync(join(corpusDir, 'corpus.json'))) {
    log('corpus missing: bash scripts/make-corpus.sh');
    const r = spawnSync('bash', [join(rootDir, 'scripts', 'make-corpus.sh')], { cwd: rootDir, stdio: ['ignore', 2, 2] });
    if (r.status !== 0) throw new Error('scripts/make-corpus.sh failed');
  }
  if (!globalThis.gc) log('run with node --expose-gc for GC between runs (npm run bench does)');

  const backends = {};
  const notes = [];
  for (const kind of ['native', 'wasm']) {
    try { backends[kind] = await te.loadBackend(kind); } catch (err) {
      notes.push(`${kind} backend not available: ${String(err.message).split('\n')[0]}`);
      log(notes.at(-1));
    }
  }
  const anyBackend = backends.native ?? backends.wasm;
  if (!anyBackend) throw new Error('no track-egress backend could be loaded (npm run build:native / build:wasm)');

  const inputs = {};
  const prepare = (name) => {
    const { entry, packets } = loadCorpusStream(te, corpusDir, name);
    const looped = loopStream(packets, entry.clockRate, SECONDS);
    for (const p of looped.packets) p.buf = Buffer.from(p.data.buffer, p.data.byteOffset, p.data.length);
    // Frame size for the peers' decoder configs (ours reads it from the SPS / VP8 keyframe itself).
    const rec = te.Recorder.withBackend(anyBackend, { codec: entry.codec });
    for (const p of packets) rec.push(p.data, p.timeUs);
    rec.finish();
    const { width, height } = rec.stats();
    rec.close();
    return { entry, ...looped, video: { width, height } };
  };
  inputs.h264 = prepare('h264-baseline');
  inputs.vp8 = prepare('vp8');
  inputs.opus = prepare('opus-stereo');

  const ourImpls = (codec, input) =>
    ['native', 'wasm'].filter((k) => backends[k]).map((k) => ({
      name: `track-egress ${k}`, ours: true,
      run: () => recordWithOurs(te, backends[k], codec, 2, input.packets),
    }));
  const scenarios = [
    {
      id: 'h264', short: 'H.264→MP4', title: '1. H.264 RTP → fragmented MP4 (h264-baseline)', input: inputs.h264,
      impls: [
        ...ourImpls('h264', inputs.h264),
        { name: 'werift + mediabunny', run: () => peers.mediabunnyPeer('h264', inputs.h264.packets, inputs.h264.video) },
        { name: 'werift + mp4-muxer', run: () => peers.mp4MuxerPeer(inputs.h264.packets, inputs.h264.video) },
      ],
    },
    {
      id: 'vp8', short: 'VP8→WebM', title: '2. VP8 RTP → live WebM (vp8)', input: inputs.vp8,
      impls: [
        ...ourImpls('vp8', inputs.vp8),
        { name: 'werift + mediabunny', run: () => peers.mediabunnyPeer('vp8', inputs.vp8.packets, inputs.vp8.video) },
        { name: 'werift + webm-muxer', run: () => peers.webmMuxerPeer(inputs.vp8.packets, inputs.vp8.video) },
      ],
    },
    {
      id: 'ogg', short: 'Opus→Ogg', title: '3. Opus RTP → Ogg (opus-stereo)', input: inputs.opus,
      impls: [
        ...ourImpls('opus', inputs.opus),
        { name: 'werift + mediabunny', run: () => peers.mediabunnyPeer('opus', inputs.opus.packets, undefined) },
      ],
    },
  ];
  const opusscript = peers.makeOpusscript();
  const opusDecoder = ONLY.has('pcm') ? await peers.makeOpusDecoder() : undefined;
  scenarios.push({
    id: 'pcm', short: 'Opus→PCM', title: '4. Opus RTP → PCM s16le 48 kHz stereo (opus-stereo)', input: inputs.opus,
    impls: [
      ...['native', 'wasm'].filter((k) => backends[k]).map((k) => ({
        name: `track-egress ${k}`, ours: true, run: () => pcmWithOurs(te, backends[k], 2, inputs.opus.packets),
      })),
      { name: 'opusscript', run: () => opusscript(inputs.opus.packets) },
      { name: 'opus-decoder (+ f32→s16)', run: () => opusDecoder(inputs.opus.packets) },
    ],
  });

  const rows = [];
  const nativeMsOf = {};
  for (const sc of scenarios) {
    if (!ONLY.has(sc.id)) continue;
    const r = await runScenario(sc, sc.input);
    rows.push(...r.rows);
    nativeMsOf[sc.id] = r.nativeMs;
  }
  let gstVersion;
  if (ONLY.has('gst')) {
    gstVersion = gst.gstVersion();
    if (!gstVersion) rows.push({ scenario: 'gst', warn: 'gst-launch-1.0 not found (scripts/install-system-deps.sh installs it)' });
    else {
      rows.push(...(await runGst(gst, 'h264', inputs.h264.entry, inputs.h264, nativeMsOf.h264)));
      rows.push(...(await runGst(gst, 'vp8', inputs.vp8.entry, inputs.vp8, nativeMsOf.vp8)));
      rows.push(...(await runGst(gst, 'opus', inputs.opus.entry, inputs.opus, nativeMsOf.ogg)));
    }
  }

  const table = formatTable(rows);
  const cpu = os.cpus();
  const load1 = os.loadavg();
  const header = [
    '# track-egress benchmark results',
    '',
    `- date: ${new Date().toISOString()}, wall time ${((Date.now() - started) / 1000).toFixed(0)} s`,
    `- machine: ${cpu[0]?.model ?? '?'} × ${cpu.length} (os.availableParallelism ${os.availableParallelism()}), load average ${load0.map((x) => x.toFixed(2)).join(' ')} → ${load1.map((x) => x.toFixed(2)).join(' ')}`,
    `- node ${process.version}, track-egress from ${via}; peers: werift ${versionOf('werift')}, mediabunny ${versionOf('mediabunny')}, mp4-muxer ${versionOf('mp4-muxer')}, webm-muxer ${versionOf('webm-muxer')}, opusscript ${versionOf('opusscript')}, opus-decoder ${versionOf('opus-decoder')}${gstVersion ? `; GStreamer ${gstVersion}` : ''}`,
    `- input: corpus streams looped to ≥ ${SECONDS} s each — ` +
      ['h264', 'vp8', 'opus'].map((k) => `${inputs[k].entry.name} ${inputs[k].mediaSeconds.toFixed(0)} s, ${inputs[k].packets.length} packets, ${(inputs[k].bytes / 1e6).toFixed(2)} MB`).join('; '),
    `- median of ${ROUNDS} rounds after 1 warm-up round, implementations interleaved (order rotates each round); single thread, in memory, output counted not stored`,
    '- "time vs ours-native": this row\'s median time ÷ track-egress native\'s in the same scenario (GStreamer rows: the matching container scenario)',
    '- RSS Δ / heap Δ: change across one run, measured after a forced GC before the run and right after it (no GC), median; heap Δ includes ArrayBuffers. GStreamer: peak RSS of the process (/usr/bin/time)',
    ...notes.map((n) => `- note: ${n}`),
    '',
  ].join('\n');
  emit(`${header}\n${table}\n${serviceMd ? `\n${serviceMd}` : ''}`, started);
  for (const b of Object.values(backends)) b.close?.();
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(`[bench] failed: ${String(err?.stack ?? err).split('\n').slice(0, 4).join('\n')}`);
    process.exit(1);
  },
);
