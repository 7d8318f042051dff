// The measured process of the websocket latency benchmark (bench/lib/websocket.mjs): an
// EgressService streaming one track to a WebSocket (TrackEgressRequest.websocket_url), nothing else,
// so that its CPU and RSS are the stream's (plus the service's idle baseline, measured first).
// WS_STREAMS=N starts N egresses of the same track to the same URL (cost per stream with N in one
// process); the first one is the measured stream.
//
//   LOAD_JSON='{"server":…,"track":{"room","sid"}}' WS_URL=ws://127.0.0.1:PORT/ \
//     node --expose-gc --import tsx scripts/load/ws-egress-process.ts
//
// WS_DRIVER=library runs the same pieces the job runs, without the service: subscribeTrack →
// PcmWebSocket.connect → TrackPcmStream.create (its stats() are then the stream's own).
//
// JSON lines on stdout: `{ idle: { rssMiB, heapMiB, cpuPerSec } }` (service started, no egress;
// RSS after GC, CPU over 3 s),
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
import { PcmWebSocket } from '../../src/egress/websocket/pcm-websocket.js';
import { frameBytes, resolvePcmStreamOptions } from '../../src/egress/websocket/pcm-stream-options.js';
import { TrackPcmStream } from '../../src/egress/websocket/track-pcm-stream.js';
import { subscribeTrack } from '../../src/livekit/subscribe-track.js';
import { memoryAfterGc } from './measured-child.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const emit = (m: unknown) => process.stdout.write(`${JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))}\n`);

/** CPU s/s over `ms` of doing nothing but what is already running. */
async function idleCpu(ms: number): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(ms);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6 / ((performance.now() - t0) / 1000);
}

/** The process before the stream: CPU over 3 s, then memory (start-up garbage collected). */
async function idle(): Promise<{ cpuPerSec: number; rssMiB: number; heapMiB: number }> {
  const cpuPerSec = await idleCpu(3000);
  return { cpuPerSec, ...(await memoryAfterGc()) };
}


type LoadJson = { server: { url: string; apiKey: string; apiSecret: string }; track: { room: string; sid: string } };

/** Measurement window and commands, shared by both drivers. */
async function serve(report: () => unknown, stop: () => Promise<unknown>): Promise<void> {
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  for await (const line of createInterface({ input: process.stdin })) {
    const cmd = line.trim();
    if (cmd === 'mark') {
      cpu0 = process.cpuUsage();
      t0 = performance.now();
    } else if (cmd === 'report') {
      const cpu = process.cpuUsage(cpu0);
      const seconds = (performance.now() - t0) / 1000;
      emit({ report: { cpuPerSec: (cpu.user + cpu.system) / 1e6 / seconds, seconds, ...(await memoryAfterGc()), stats: report() } });
    } else if (cmd === 'stop') {
      emit({ ended: await stop() });
      return;
    }
  }
}

async function library(load: LoadJson, wsUrl: string): Promise<void> {
  emit({ idle: await idle() });
  const options = resolvePcmStreamOptions({});
  const source = await subscribeTrack({ ...load.server, roomName: load.track.room, identity: `EG_bench_${process.pid}`, trackSid: load.track.sid, bindAddress: '127.0.0.1' });
  const socket = await PcmWebSocket.connect(wsUrl, { frameBytes: frameBytes(options), maxQueuedFrames: options.maxQueueMs / options.frameDurationMs });
  const stream = await TrackPcmStream.create(source, socket, options);
  let failure: string | undefined;
  stream.once('failed', (err) => (failure = err.message));
  emit({ started: { egressId: 'library' } });
  source.once('rtp', () => emit({ active: true }));
  await serve(
    () => stream.stats(),
    async () => {
      const final = await stream.stop('egress stopped');
      await source.close();
      return { status: failure ? 'FAILED' : 'COMPLETE', error: failure ?? '', details: '', streamResults: [], final };
    },
  );
  process.exit(0);
}

async function main(): Promise<void> {
  const load = JSON.parse(process.env.LOAD_JSON ?? '') as LoadJson;
  const wsUrl = process.env.WS_URL ?? '';
  if (process.env.WS_DRIVER === 'library') return library(load, wsUrl);
  const dir = mkdtempSync(join(tmpdir(), 'te-bench-ws-'));
  const service = new EgressService({ apiKey: load.server.apiKey, apiSecret: load.server.apiSecret, wsUrl: load.server.url, recordingsDir: dir });
  await service.start();
  emit({ idle: await idle() });

  const final = new Set([EgressStatus.EGRESS_COMPLETE, EgressStatus.EGRESS_FAILED, EgressStatus.EGRESS_ABORTED, EgressStatus.EGRESS_LIMIT_REACHED]);
  // WS_STREAMS egresses of the same track to the same URL; the first is the measured one.
  const count = Math.max(1, Number(process.env.WS_STREAMS ?? 1));
  const ended = new Map<string, (info: EgressInfo) => void>();
  const active = new Set<string>();
  service.on('update', (info) => {
    if (info.status === EgressStatus.EGRESS_ACTIVE && !active.has(info.egressId)) {
      active.add(info.egressId);
      if (active.size === count) emit({ active: true });
    }
    if (final.has(info.status)) ended.get(info.egressId)?.(info);
  });
  const ids: string[] = [];
  const endings: Promise<EgressInfo>[] = [];
  for (let i = 0; i < count; i++) {
    const request = new TrackEgressRequest({ roomName: load.track.room, trackId: load.track.sid, output: { case: 'websocketUrl', value: wsUrl } });
    const id = (await service.startTrackEgress(request)).egressId;
    ids.push(id);
    endings.push(new Promise<EgressInfo>((r) => ended.set(id, r)));
  }
  const egressId = ids[0]!;
  emit({ started: { egressId, count } });
  void endings[0]!.then((info) => {
    if (info.status !== EgressStatus.EGRESS_COMPLETE) emit({ ended: summary(info) });
  });

  await serve(
    () => service.jobStats().find((j) => j.egressId === egressId),
    async () => {
      await Promise.all(ids.map((id) => service.stopEgress(id).catch(() => {})));
      const infos = await Promise.all(endings);
      return { ...summary(infos[0]!), others: infos.slice(1).map((i) => EgressStatus[i.status]) };
    },
  );
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
