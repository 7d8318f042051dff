// The measured process of the websocket latency benchmark (bench/lib/websocket.mjs): an
// EgressService streaming one track to a WebSocket (TrackEgressRequest.websocket_url), nothing else,
// so that its CPU and RSS are the stream's (plus the service's idle baseline, measured first).
//
//   LOAD_JSON='{"server":…,"track":{"room","sid"}}' WS_URL=ws://127.0.0.1:PORT/ \
//     node --expose-gc --import tsx scripts/load/ws-egress-process.ts
//
// JSON lines on stdout: `{ idle: { rssMiB, heapMiB } }` (service started, no egress, after GC),
// `{ started: { egressId } }`, `{ active: true }` when the egress is ACTIVE. Commands on stdin:
// `mark` starts the measurement window; `report` prints `{ report: { cpuPerSec, seconds, rssMiB,
// heapMiB, stats } }` (stats: the job's EgressJobStats, with the stream's latency summary when
// the job exposes it); `stop` stops the egress and prints `{ ended: { status, error, details,
// streamResults } }`, then the process exits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { EgressStatus, TrackEgressRequest, type EgressInfo } from '@livekit/protocol';

import { EgressService } from '../../src/egress/egress-service.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const emit = (m: unknown) => process.stdout.write(`${JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))}\n`);

async function memory(): Promise<{ rssMiB: number; heapMiB: number }> {
  // Two full GCs a second apart, as scripts/load/ramp.ts: the allocator returns what the first freed.
  gc();
  await sleep(1000);
  gc();
  const m = process.memoryUsage();
  return { rssMiB: m.rss / 2 ** 20, heapMiB: (m.heapUsed + m.external + m.arrayBuffers) / 2 ** 20 };
}

async function main(): Promise<void> {
  const load = JSON.parse(process.env.LOAD_JSON ?? '') as { server: { url: string; apiKey: string; apiSecret: string }; track: { room: string; sid: string } };
  const wsUrl = process.env.WS_URL ?? '';
  const dir = mkdtempSync(join(tmpdir(), 'te-bench-ws-'));
  const service = new EgressService({ apiKey: load.server.apiKey, apiSecret: load.server.apiSecret, wsUrl: load.server.url, recordingsDir: dir });
  await service.start();
  emit({ idle: await memory() });

  const final = new Set([EgressStatus.EGRESS_COMPLETE, EgressStatus.EGRESS_FAILED, EgressStatus.EGRESS_ABORTED, EgressStatus.EGRESS_LIMIT_REACHED]);
  let egressId = '';
  let resolveEnded: (info: EgressInfo) => void = () => {};
  const ended = new Promise<EgressInfo>((r) => (resolveEnded = r));
  service.on('update', (info) => {
    if (info.egressId !== egressId) return;
    if (info.status === EgressStatus.EGRESS_ACTIVE) emit({ active: true });
    if (final.has(info.status)) resolveEnded(info);
  });
  const request = new TrackEgressRequest({ roomName: load.track.room, trackId: load.track.sid, output: { case: 'websocketUrl', value: wsUrl } });
  egressId = (await service.startTrackEgress(request)).egressId;
  emit({ started: { egressId } });
  void ended.then((info) => {
    if (info.status !== EgressStatus.EGRESS_COMPLETE) emit({ ended: summary(info) });
  });

  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const cmd = line.trim();
    if (cmd === 'mark') {
      cpu0 = process.cpuUsage();
      t0 = performance.now();
    } else if (cmd === 'report') {
      const cpu = process.cpuUsage(cpu0);
      const seconds = (performance.now() - t0) / 1000;
      const stats = service.jobStats().find((j) => j.egressId === egressId);
      emit({ report: { cpuPerSec: (cpu.user + cpu.system) / 1e6 / seconds, seconds, ...(await memory()), stats } });
    } else if (cmd === 'stop') {
      await service.stopEgress(egressId).catch(() => {});
      emit({ ended: summary(await ended) });
      break;
    }
  }
  await service.close({ deadlineMs: 5000 });
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

function summary(info: EgressInfo) {
  return {
    status: EgressStatus[info.status],
    error: info.error,
    errorCode: info.errorCode,
    details: info.details,
    streamResults: info.streamResults.map((s) => ({ url: s.url, status: s.status, durationNs: Number(s.duration), error: s.error })),
  };
}

main().catch((err) => {
  console.error(`[ws-egress] ${String(err?.stack ?? err)}`);
  process.exit(1);
});
