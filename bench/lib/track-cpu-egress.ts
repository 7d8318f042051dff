// The measured process of the track-cpu benchmark (bench/lib/track-cpu.mjs): one EgressService
// and nothing else, running N concurrent track egresses of ONE kind, in stages, so that the CPU
// and RSS of this process are the egresses' plus the idle service's (measured first).
//
//   LOAD_JSON='<the publisher's first line>' KIND=ogg|mp4|webm|ws STAGES=1,6 WARMUP=5 SECONDS=20 \
//     node --expose-gc --import tsx bench/lib/track-cpu-egress.ts
//
// Kinds: ogg = the Opus track → DirectFileOutput .ogg, mp4 = H.264 → .mp4, webm = VP8 → .webm,
// ws = the Opus track → websocket_url (PCM s16le 48 kHz stereo). All N egresses of a stage record
// the same published track (each is its own subscription, as N egresses of N tracks would be).
//
// CPU: process.cpuUsage() (user + system of every thread of this process: JS, libuv pool,
// libdatachannel) over SECONDS, started WARMUP s after the stage's egresses were all ACTIVE.
// RSS and JS heap + external + ArrayBuffers: after two forced GCs 1 s apart, before the window.
// Start-up: CPU s/s over the first 15 s of the stage (from its first startTrackEgress: join,
// ICE/DTLS, first keyframe), minus the level before the stage, per added egress — what the
// worker's reservation of a new job (reserveMs 15 s) has to cover. The window starts after that.
//
// JSON lines on stdout: `{ idle: { cpuPerSec, rssMiB, heapMiB } }`, one `{ stage: { n, cpuPerSec,
// rssMiB, heapMiB, packetsPerSec, bytesPerSec, lost, seconds, activeAfterMs, startupCpuPerSec,
// startupPerEgress } }` per stage, `{ done: { statuses } }`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DirectFileOutput, EgressStatus, TrackEgressRequest, type EgressInfo } from '@livekit/protocol';

import { DEFAULT_RESERVE_MS } from '../../src/cluster/worker/capacity.js';
import { EgressService } from '../../src/egress/egress-service.js';
import { memoryAfterGc } from '../../scripts/load/measured-child.js';

type Kind = 'ogg' | 'mp4' | 'webm' | 'ws';
type LoadJson = {
  server: { url: string; apiKey: string; apiSecret: string };
  room: string;
  tracks: { opus: string; h264: string; vp8: string };
  wsUrl: string;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const emit = (m: unknown) => process.stdout.write(`${JSON.stringify(m)}\n`);
const FINAL = new Set([EgressStatus.EGRESS_COMPLETE, EgressStatus.EGRESS_FAILED, EgressStatus.EGRESS_ABORTED, EgressStatus.EGRESS_LIMIT_REACHED]);


/** CPU seconds per wall second of this process over `ms`. */
async function cpuOver(ms: number): Promise<{ cpuPerSec: number; seconds: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(ms);
  const c = process.cpuUsage(c0);
  const seconds = (performance.now() - t0) / 1000;
  return { cpuPerSec: (c.user + c.system) / 1e6 / seconds, seconds };
}

function request(kind: Kind, load: LoadJson, i: number): TrackEgressRequest {
  const trackId = kind === 'mp4' ? load.tracks.h264 : kind === 'webm' ? load.tracks.vp8 : load.tracks.opus;
  const output =
    kind === 'ws'
      ? ({ case: 'websocketUrl', value: load.wsUrl } as const)
      : ({ case: 'file', value: new DirectFileOutput({ filepath: `${kind}-${i}.${kind}`, disableManifest: true }) } as const);
  return new TrackEgressRequest({ roomName: load.room, trackId, output });
}

async function main(): Promise<void> {
  const load = JSON.parse(process.env.LOAD_JSON ?? '') as LoadJson;
  const kind = (process.env.KIND ?? 'ogg') as Kind;
  if (!['ogg', 'mp4', 'webm', 'ws'].includes(kind)) throw new Error(`KIND: ogg, mp4, webm or ws, not ${kind}`);
  const stages = (process.env.STAGES ?? '1,6').split(',').map(Number);
  const warmupMs = Number(process.env.WARMUP ?? 5) * 1000;
  const measureMs = Number(process.env.SECONDS ?? 20) * 1000;
  const dir = mkdtempSync(join(tmpdir(), 'te-bench-track-cpu-'));
  const service = new EgressService({ apiKey: load.server.apiKey, apiSecret: load.server.apiSecret, wsUrl: load.server.url, recordingsDir: dir });
  await service.start();
  // The idle service: memory after start-up garbage is collected, then CPU.
  const idleMem = await memoryAfterGc();
  const idle = { ...(await cpuOver(Math.min(measureMs, 5000))), ...idleMem };
  emit({ idle });

  const active = new Map<string, () => void>();
  const ended = new Map<string, (info: EgressInfo) => void>();
  const seen = new Set<string>(); // ACTIVE or ended, in case that comes before the waiter is set
  const endInfo = new Map<string, EgressInfo>();
  service.on('update', (info) => {
    if (info.status === EgressStatus.EGRESS_ACTIVE || FINAL.has(info.status)) {
      seen.add(info.egressId); // a failed start must not hang the stage
      active.get(info.egressId)?.();
    }
    if (FINAL.has(info.status)) {
      endInfo.set(info.egressId, info);
      ended.get(info.egressId)?.(info);
    }
  });
  const ids: string[] = [];
  const endings: Promise<EgressInfo>[] = [];
  let previousCpuPerSec = idle.cpuPerSec; // idle, then each stage's steady state
  for (const n of stages) {
    // Start-up: CPU from the first startTrackEgress of the stage over DEFAULT_RESERVE_MS (the window in
    // which the worker's CapacityMonitor counts a new job at its reservation, not its measured use).
    const added = n - ids.length;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const starting: Promise<void>[] = [];
    while (ids.length < n) {
      const i = ids.length;
      const { egressId } = await service.startTrackEgress(request(kind, load, i));
      ids.push(egressId);
      starting.push(new Promise<void>((r) => (seen.has(egressId) ? r() : active.set(egressId, r))));
      endings.push(new Promise<EgressInfo>((r) => (endInfo.has(egressId) ? r(endInfo.get(egressId)!) : ended.set(egressId, r))));
    }
    const all = Promise.all(starting);
    if ((await Promise.race([all.then(() => true), sleep(60_000).then(() => false)])) === false) throw new Error(`stage ${n}: not every egress ACTIVE within 60 s`);
    const activeAfterMs = performance.now() - t0;
    await sleep(Math.max(0, DEFAULT_RESERVE_MS - activeAfterMs));
    const c = process.cpuUsage(c0);
    const startupSeconds = (performance.now() - t0) / 1000;
    const startupCpuPerSec = (c.user + c.system) / 1e6 / startupSeconds;
    // Start-up cost per added egress: what the stage's first DEFAULT_RESERVE_MS used beyond the level before it.
    const startupPerEgress = added > 0 ? (startupCpuPerSec - previousCpuPerSec) / added : NaN;
    await sleep(Math.max(0, warmupMs - (performance.now() - t0 - activeAfterMs)));
    const mem = await memoryAfterGc();
    const before = service.jobStats().filter((j) => ids.includes(j.egressId));
    const p0 = before.reduce((s, j) => s + j.packets, 0);
    const b0 = before.reduce((s, j) => s + j.bytesWritten, 0);
    const { cpuPerSec, seconds } = await cpuOver(measureMs);
    const after = service.jobStats().filter((j) => ids.includes(j.egressId));
    const running = after.filter((j) => !FINAL.has(j.status)).length;
    previousCpuPerSec = cpuPerSec;
    emit({
      stage: {
        n, running, cpuPerSec, seconds, ...mem, activeAfterMs, startupCpuPerSec, startupSeconds, startupPerEgress,
        packetsPerSec: (after.reduce((s, j) => s + j.packets, 0) - p0) / seconds,
        bytesPerSec: (after.reduce((s, j) => s + j.bytesWritten, 0) - b0) / seconds,
        lost: after.reduce((s, j) => s + j.lost, 0),
      },
    });
  }
  await Promise.all(ids.map((id) => service.stopEgress(id).catch(() => {})));
  const infos = await Promise.race([Promise.all(endings), sleep(30_000).then(() => [] as EgressInfo[])]);
  const statuses: Record<string, number> = {};
  for (const info of infos) statuses[EgressStatus[info.status]] = (statuses[EgressStatus[info.status]] ?? 0) + 1;
  const errors = [...new Set(infos.map((i) => i.error).filter(Boolean))];
  emit({ done: { statuses, errors } });
  await service.close({ deadlineMs: 5000 });
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

main().catch((err) => {
  console.error(`[track-cpu-egress] ${String(err?.stack ?? err)}`);
  process.exit(1);
});
