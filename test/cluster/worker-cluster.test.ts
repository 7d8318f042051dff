/**
 * Two track-egress worker PROCESSES (`track-egress serve` with `redis:`) on one Redis next to one
 * real livekit-server; every egress is asked of the SERVER with the official EgressClient, the
 * server hands it to a worker over psrpc. What a deployment relies on:
 *  1. 10 track egresses are spread over both workers (packing, then the other when one is full)
 *     and each is claimed exactly once: one job per egress id across both workers (their own
 *     Twirp API, psrpc ListActiveEgress, their logs), one file each;
 *  2. kill -9 of one worker mid-recording: its files decode (ffprobe/ffmpeg, no message) up to
 *     about 1 s before the kill; the other worker's jobs go on (COMPLETE, full length, no gap);
 *     new requests go to the survivor;
 *  3. the killed worker restarted: it reports the jobs it had as FAILED to the server (ListEgress
 *     from the server shows them ended, with the files);
 *  4. SIGTERM to a worker: it stops claiming at once (its StartEgress subscription is gone, no
 *     claim of its id, new egresses land on the other), its jobs end COMPLETE (one stopped through
 *     the server while draining, the rest at its drain_timeout), it exits 0.
 * One Redis, one livekit-server, one room of publishers for the whole file; recordings of 3–5 s.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DirectFileOutput, EgressInfo, EgressStatus } from '@livekit/protocol';
import { Redis } from 'ioredis';
import { EgressClient } from 'livekit-server-sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { requestChannel } from '../../src/cluster/channels.js';
import { PsrpcClient } from '../../src/cluster/client.js';
import { decodeEnvelope } from '../../src/cluster/envelope.js';
import { ClaimRequest } from '../../src/cluster/gen/internal_pb.js';
import { ListActiveEgressRequest } from '../../src/cluster/gen/rpc/egress_pb.js';
import { RedisBus } from '../../src/cluster/redis-bus.js';
import { EgressInternal } from '../../src/cluster/services.js';
import { decodedFrameTimes, decodedSeconds, hasEndIndex, KILL_LOSS_BOUND_SEC, probedDuration } from '../support/crash-check.js';
import { decoderErrors } from '../support/ffmpeg.js';
import { connectPublisher, disposeRtc, type Publisher, type PublishVideoCodec } from '../support/livekit-publisher.js';
import { startLiveKitServer, type LiveKitTestServer } from '../support/livekit-server.js';
import { startRedisServer, type TestRedisServer } from '../support/redis-server.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

/** Jobs one worker takes before it refuses (the capacity config below): 10 are spread as 7 + 3. */
const PER_WORKER = 7;
/**
 * Capacity: LiveKit's memory admission (RSS + `memory_cost` × (jobs younger than 15 s + 1) ≤
 * `max_memory`, in GB) with a 2 GB cost per job and 1 GB of room for the process's own RSS, so
 * that each worker takes exactly PER_WORKER whatever the machine does; the CPU admission out of
 * the way (`cpus: 64`: the 2-core test machine is shared by the server, the publishers and other
 * test files, and its busy cores would make a busy worker refuse).
 */
const CAPACITY_YAML = ['cpus: 64', `max_memory: ${2 * PER_WORKER + 1}`, 'memory_cost: 2'].join('\n');
const DRAIN_TIMEOUT_S = 4;
const START_EGRESS = requestChannel('EgressInternal', 'StartEgress', ['']);

/** Prints how long the steps of a test took (runtime budget of this file). */
const stepper = (name: string) => {
  const t0 = performance.now();
  const steps: string[] = [];
  return {
    step: (what: string) => steps.push(`${what} ${((performance.now() - t0) / 1000).toFixed(1)} s`),
    print: () => console.log(`${name}: ${steps.join(', ')}`),
  };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 15_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
};

type TrackKind = 'opus' | PublishVideoCodec;
const EXT: Record<TrackKind, string> = { opus: '.ogg', h264: '.mp4', vp8: '.webm', vp9: '.webm', av1: '.mp4' };
/** One egress of this file: its name (its filepath), its track, and where it ran. */
type Job = { label: string; kind: TrackKind; trackSid: string; id: string; worker: Worker; activeAt: number };
/** A worker: its current process, the ones before a restart, its recordings dir. */
type Worker = { name: 'a' | 'b'; proc: WorkerProcess; before: WorkerProcess[]; rec: string };

let redis: TestRedisServer;
let lk: LiveKitTestServer;
let dir: string;
let observer: Redis;
let bus: RedisBus;
let psrpc: PsrpcClient;
let egress: EgressClient;
const room = `worker-cluster-${process.pid}`;
const pubs: Publisher[] = [];
/** The 10 published tracks: 8 Opus, 1 H.264, 1 VP8. */
const tracks: { sid: string; kind: TrackKind }[] = [];
const workers = {} as Record<'a' | 'b', Worker>;
/** Every StartEgress claim published on Redis: which server, when (performance.now()). */
const claims: { serverId: string; affinity: number; at: number }[] = [];
const jobs: Job[] = [];

const fileOf = (j: Job) => join(j.worker.rec, 'wc', `${j.label}${EXT[j.kind]}`);
const numsub = async () => ((await bus.commands.pubsub('NUMSUB', START_EGRESS)) as [string, number])[1];
const serverInfos = async (): Promise<Map<string, EgressInfo>> => new Map((await egress.listEgress({ roomName: room })).map((i) => [i.egressId, i]));
/** The workers whose logs (this process and those before a restart) say they started the egress (its STARTING line). */
const startedBy = (id: string) =>
  (['a', 'b'] as const).filter((n) =>
    [...workers[n].before, workers[n].proc].some((p) => p.lines().some((t) => t.line.egressId === id && t.line.msg === 'egress STARTING')));
const workerConfig = (name: string) =>
  [
    `api_key: ${lk.apiKey}`,
    `api_secret: ${lk.apiSecret}`,
    `ws_url: ${lk.url}`,
    'api_port: 0',
    `recordings_dir: ${join(dir, name, 'rec')}`,
    `redis:\n  address: ${redis.address}\n  db: 0`,
    `drain_timeout: ${DRAIN_TIMEOUT_S}s`,
    CAPACITY_YAML,
  ].join('\n');
const startWorker = async (name: 'a' | 'b') => {
  const proc = await startWorkerProcess({ name, dir, config: workerConfig(name) });
  expect(proc.nodeId).toMatch(/^SRV_/);
  // Every key of the config understood (no "unknown key" / "ignored" warning).
  expect(proc.lines().filter((t) => t.line.level === 'warn').map((t) => t.line.msg)).toEqual([]);
  workers[name] = { name, proc, before: [], rec: join(dir, name, 'rec') };
};

/**
 * Starts an egress of track `t` through the server; resolves once one worker logged its STARTING
 * (the job is then counted by that worker's claims), with `active` resolving at its ACTIVE line.
 */
async function startJob(label: string, t: number): Promise<Job & { active: Promise<Job> }> {
  const track = tracks[t]!;
  const info = await egress.startTrackEgress(room, new DirectFileOutput({ filepath: `wc/${label}` }), track.sid);
  expect(info.status).toBe(EgressStatus.EGRESS_STARTING);
  const by = await until(`a worker starting ${info.egressId}`, () => (startedBy(info.egressId).length ? startedBy(info.egressId) : undefined), 5000);
  expect(by, `${info.egressId} started by ${by.join(' and ')}`).toHaveLength(1);
  const worker = workers[by[0]!];
  const job: Job = { label, kind: track.kind, trackSid: track.sid, id: info.egressId, worker, activeAt: NaN };
  jobs.push(job);
  const active = worker.proc.waitForLog((l) => l.egressId === info.egressId && l.msg === 'egress ACTIVE', 20_000).then((l) => {
    job.activeAt = l.at;
    return job;
  });
  active.catch(() => {}); // awaited by the caller
  return Object.assign(job, { active });
}

/** ffprobe/ffmpeg of a file: decoder messages, decoded seconds, the longest gap between decoded frames, the end index. */
function inspect(file: string, kind: TrackKind) {
  const times = decodedFrameTimes(file);
  const gaps = times.slice(1).map((v, i) => v - times[i]!);
  return {
    errors: decoderErrors(file, { variableFrameRate: true }),
    decoded: decodedSeconds(file),
    maxGap: gaps.length ? Math.max(...gaps) : Infinity,
    endIndex: hasEndIndex(readFileSync(file), EXT[kind]),
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'te-worker-cluster-'));
  redis = await startRedisServer();
  lk = await startLiveKitServer({ redis: { address: redis.address } });
  egress = new EgressClient(lk.httpUrl, lk.apiKey, lk.apiSecret, { requestTimeout: 60 });
  bus = await RedisBus.connect({ address: redis.address });
  psrpc = new PsrpcClient(bus);
  observer = new Redis({ host: redis.host, port: redis.port, lazyConnect: true });
  await observer.connect();
  observer.on('pmessageBuffer', (_p: Buffer, channel: Buffer, payload: Buffer) => {
    if (!/^EgressInternal\|CLI_[^|]+\|CLAIM$/.test(channel.toString())) return;
    const c = decodeEnvelope(payload, ClaimRequest);
    if (c.ok) claims.push({ serverId: c.message.serverId, affinity: c.message.affinity, at: performance.now() });
  });
  await observer.psubscribe('EgressInternal|*');

  // The workers start (tsx, self-test) while the publishers connect and publish.
  const started = Promise.all([startWorker('a'), startWorker('b')]);
  // The first PER_WORKER go to one worker (H.264 among them), the rest to the other (VP8 among them).
  const plan: TrackKind[] = ['h264', 'opus', 'opus', 'opus', 'opus', 'opus', 'opus', 'vp8', 'opus', 'opus'];
  pubs.push(...(await Promise.all(['p0', 'p1'].map((id) => connectPublisher(lk, room, id)))));
  const sids: string[] = new Array(plan.length);
  await Promise.all(pubs.map(async (pub, p) => {
    for (const [i, kind] of plan.entries()) {
      if (i % 2 !== p) continue;
      const t = kind === 'opus' ? await pub.publishAudio({ frequency: 300 + 40 * i, name: `sine-${i}` }) : await pub.publishVideo(kind, { name: `video-${i}` });
      sids[i] = t.sid;
    }
  }));
  tracks.push(...plan.map((kind, i) => ({ sid: sids[i]!, kind })));
  await started;
  // Both claim StartEgress: two subscribers of its request channel.
  await until('both workers subscribed to StartEgress', async () => (await numsub()) === 2, 10_000);
}, 120_000);

// A failed test shows what the workers said (and what they claimed).
afterEach((ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  for (const w of Object.values(workers)) console.log(`--- worker ${w.name} (${w.proc.nodeId}):\n${w.proc.output(60)}`);
  console.log(`--- claims: ${JSON.stringify(claims.slice(-30))}`);
});

afterAll(async () => {
  for (const w of Object.values(workers)) w.proc.kill('SIGKILL');
  await Promise.all(Object.values(workers).map((w) => w.proc.exited));
  for (const p of pubs) await p.disconnect();
  observer?.disconnect();
  await psrpc?.close();
  await bus?.close();
  await lk?.stop();
  await redis?.close();
  await disposeRtc();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('two track-egress workers on one Redis + livekit-server', () => {
  let killed: Worker;
  let survivor: Worker;
  let tKill = 0;

  it('10 egresses through the server: spread over both workers, each claimed once, one file each', { timeout: 60_000 }, async () => {
    // One after another, as LiveKit packs: the busy worker (affinity 1) takes them until it is
    // full (−1), then the other.
    const started = [];
    for (let i = 0; i < 10; i++) started.push(await startJob(`e${i}`, i));
    await Promise.all(started.map((j) => j.active));
    const ids = jobs.map((j) => j.id);
    expect(new Set(ids).size).toBe(10);
    const counts = (['a', 'b'] as const).map((n) => jobs.filter((j) => j.worker.name === n).length);
    console.log(`10 egresses: worker a ${counts[0]}, worker b ${counts[1]}`);
    // Normally exactly PER_WORKER + the rest; each worker's capacity holds in any case.
    for (const n of counts) expect(n).toBeGreaterThanOrEqual(10 - PER_WORKER);
    for (const n of counts) expect(n).toBeLessThanOrEqual(PER_WORKER);
    // Each worker's own API lists exactly its jobs, ACTIVE; none lists another's.
    for (const w of Object.values(workers)) {
      const mine = await new EgressClient(w.proc.apiUrl, lk.apiKey, lk.apiSecret).listEgress({ active: true });
      expect(mine.map((i) => i.egressId).sort()).toEqual(jobs.filter((j) => j.worker === w).map((j) => j.id).sort());
      expect(mine.every((i) => i.status === EgressStatus.EGRESS_ACTIVE)).toBe(true);
    }
    // psrpc's ListActiveEgress (what the server asks every worker): two answers, disjoint, all 10.
    const active = await psrpc.requestMulti(EgressInternal.ListActiveEgress, '', new ListActiveEgressRequest(), { timeoutMs: 1000 });
    expect(active.map((r) => r.error)).toEqual([undefined, undefined]);
    for (const w of Object.values(workers)) {
      const answer = active.find((r) => r.serverId === w.proc.nodeId);
      expect(answer?.result?.egressIds.sort()).toEqual(jobs.filter((j) => j.worker === w).map((j) => j.id).sort());
    }
    // The server stores all 10 ACTIVE (the workers' IOInfo updates), and no other egress.
    const listed = await until('the server listing 10 ACTIVE', async () => {
      const infos = await serverInfos();
      return ids.every((id) => infos.get(id)?.status === EgressStatus.EGRESS_ACTIVE) ? infos : undefined;
    });
    expect([...listed.keys()].sort()).toEqual([...ids].sort());
    // One file per egress, in its worker's recordings dir only.
    await until('every file on disk', () => jobs.every((j) => existsSync(fileOf(j))) || undefined, 5000);
    for (const j of jobs) {
      const other = j.worker === workers.a ? workers.b : workers.a;
      expect(existsSync(join(other.rec, 'wc', `${j.label}${EXT[j.kind]}`))).toBe(false);
    }
  });

  it('kill -9 of a worker mid-recording: its files decode up to ~1 s before the kill; the other’s jobs go on; new requests go to the survivor', { timeout: 90_000 }, async () => {
    const t = stepper('kill -9 test');
    // The fuller worker dies: the survivor has room for new jobs.
    const full = jobs.filter((j) => j.worker === workers.a).length >= 5 ? workers.a : workers.b;
    killed = full;
    survivor = full === workers.a ? workers.b : workers.a;
    const dead = jobs.filter((j) => j.worker === killed);
    const alive = jobs.filter((j) => j.worker === survivor);
    // Every job of the victim has been receiving for 3–4 s.
    const lastActive = Math.max(...dead.map((j) => j.activeAt));
    await sleep(Math.max(0, lastActive + 3000 + Math.random() * 1000 - performance.now()));
    tKill = performance.now();
    killed.proc.kill('SIGKILL');
    expect((await killed.proc.exited).signal).toBe('SIGKILL');
    // The dead worker no longer subscribes; the survivor still does.
    await until('one StartEgress subscriber', async () => (await numsub()) === 1, 5000);
    t.step('killed');

    // New requests: claimed by the survivor only.
    const fresh = [await startJob('n0', 1), await startJob('n1', 2)];
    await Promise.all(fresh.map((j) => j.active));
    expect(fresh.map((j) => j.worker.name)).toEqual([survivor.name, survivor.name]);
    t.step('2 new ACTIVE');

    // The survivor's original jobs were untouched: stop them through the server → COMPLETE.
    const tStop = performance.now();
    const stopped = await Promise.all(alive.map((j) => egress.stopEgress(j.id)));
    expect(stopped.map((i) => i.status)).toEqual(alive.map(() => EgressStatus.EGRESS_ENDING));
    const done = await until('the survivor’s jobs COMPLETE on the server', async () => {
      const infos = await serverInfos();
      return alive.every((j) => infos.get(j.id)?.status === EgressStatus.EGRESS_COMPLETE) ? infos : undefined;
    });
    t.step('survivor’s COMPLETE');

    // The killed worker's files: decode without a message, hold what was received up to about
    // 1 s before the kill, and really were cut (no end index).
    const report: string[] = [];
    for (const j of dead) {
      const r = inspect(fileOf(j), j.kind);
      const receiving = (tKill - j.activeAt) / 1000;
      report.push(`${j.label} ${j.kind} killed: receiving ${receiving.toFixed(2)} s, decoded ${r.decoded.toFixed(2)} s, lost ${(receiving - r.decoded).toFixed(2)} s`);
      expect(r.errors, fileOf(j)).toBe('');
      expect(receiving).toBeGreaterThanOrEqual(3);
      expect(receiving - r.decoded, `${j.label}: lost`).toBeLessThanOrEqual(KILL_LOSS_BOUND_SEC);
      expect(r.decoded).toBeLessThanOrEqual(receiving + 0.25);
      expect(r.endIndex).toBe(false);
    }
    // The survivor's: complete files covering ACTIVE → stop without a gap across the kill.
    for (const j of alive) {
      const info = done.get(j.id)!;
      const file = fileOf(j);
      const r = inspect(file, j.kind);
      const recorded = (tStop - j.activeAt) / 1000;
      report.push(`${j.label} ${j.kind} survivor: recorded ${recorded.toFixed(2)} s, decoded ${r.decoded.toFixed(2)} s, largest gap ${r.maxGap.toFixed(3)} s`);
      expect(r.errors, file).toBe('');
      expect(r.endIndex).toBe(true);
      expect(r.decoded).toBeGreaterThan(recorded - 1.5);
      expect(r.maxGap).toBeLessThan(0.5);
      expect(Math.abs(probedDuration(file) - r.decoded)).toBeLessThanOrEqual(0.25);
      expect(info.fileResults.map((f) => [f.location, Number(f.size)])).toEqual([[file, readFileSync(file).length]]);
    }
    t.step('files checked');
    t.print();
    console.log(report.join('\n'));
  });

  it('the killed worker restarted reports its jobs FAILED to the server, with their files', { timeout: 60_000 }, async () => {
    const dead = jobs.filter((j) => j.worker === killed);
    // Before the restart nobody told the server: they are still listed as running.
    const before = await serverInfos();
    expect(dead.map((j) => before.get(j.id)?.status)).toEqual(dead.map(() => EgressStatus.EGRESS_ACTIVE));

    const proc = await killed.proc.restart();
    killed.before.push(killed.proc);
    killed.proc = proc;
    await until('two StartEgress subscribers', async () => (await numsub()) === 2, 10_000);
    const infos = await until('the server listing the killed jobs ended', async () => {
      const m = await serverInfos();
      return dead.every((j) => (m.get(j.id)?.status ?? 0) >= EgressStatus.EGRESS_COMPLETE) ? m : undefined;
    }, 20_000);
    for (const j of dead) {
      const info = infos.get(j.id)!;
      expect(info.status).toBe(EgressStatus.EGRESS_FAILED);
      expect(info.error).toBe('egress process ended while recording');
      expect(info.endedAt).toBeGreaterThan(0n);
      expect(info.fileResults.map((f) => [f.location, Number(f.size)])).toEqual([[fileOf(j), readFileSync(fileOf(j)).length]]);
    }
    // Its own API says the same; it runs nothing.
    const own = await new EgressClient(proc.apiUrl, lk.apiKey, lk.apiSecret).listEgress();
    expect(own.filter((i) => dead.some((j) => j.id === i.egressId)).map((i) => i.status)).toEqual(dead.map(() => EgressStatus.EGRESS_FAILED));
    expect(own.filter((i) => i.status < EgressStatus.EGRESS_COMPLETE)).toEqual([]);
  });

  it('SIGTERM: the worker stops claiming at once, its jobs end COMPLETE, new egresses land on the other, exit 0', { timeout: 60_000 }, async () => {
    // The survivor runs the two jobs started after the kill; the restarted worker runs none.
    const draining = survivor;
    const other = killed;
    const running = jobs.filter((j) => j.worker === draining && ['n0', 'n1'].includes(j.label));
    const tTerm = performance.now();
    draining.proc.kill('SIGTERM');
    await until('one StartEgress subscriber (the draining worker unsubscribed)', async () => (await numsub()) === 1, 5000);
    const tUnsubscribed = performance.now();
    expect(draining.proc.gone).toBe(false); // still running its jobs

    // New egresses while it drains: all on the other worker.
    const fresh = [await startJob('d0', 3), await startJob('d1', 4)];
    await Promise.all(fresh.map((j) => j.active));
    expect(fresh.map((j) => j.worker.name)).toEqual([other.name, other.name]);
    // Not one claim from the draining worker since it unsubscribed (it did claim before: its id is right).
    expect(claims.some((c) => c.serverId === draining.proc.nodeId && c.at < tTerm)).toBe(true);
    expect(claims.filter((c) => c.at > tUnsubscribed && c.serverId === draining.proc.nodeId)).toEqual([]);

    // One job stopped through the server during the drain (StopEgress still served) …
    const [first, second] = running as [Job, Job];
    const stopped = await egress.stopEgress(first.id);
    expect(stopped.status).toBe(EgressStatus.EGRESS_ENDING);
    // … the other ended by the drain deadline; then the process exits 0.
    const exit = await draining.proc.exited;
    const drainedSec = (performance.now() - tTerm) / 1000;
    expect(exit, draining.proc.output()).toEqual({ code: 0, signal: null });
    console.log(`SIGTERM → exit in ${drainedSec.toFixed(1)} s (drain_timeout ${DRAIN_TIMEOUT_S} s)`);
    expect(drainedSec).toBeGreaterThanOrEqual(DRAIN_TIMEOUT_S - 0.5);

    // Both COMPLETE on the server (reported before the exit), files complete and decoding.
    const infos = await serverInfos();
    for (const j of [first, second]) {
      expect(infos.get(j.id)?.status, j.label).toBe(EgressStatus.EGRESS_COMPLETE);
      const r = inspect(fileOf(j), j.kind);
      expect(r.errors, fileOf(j)).toBe('');
      expect(r.endIndex).toBe(true);
    }
    // The second one recorded until the drain deadline.
    expect(inspect(fileOf(second), second.kind).decoded).toBeGreaterThan((tTerm - second.activeAt) / 1000 + DRAIN_TIMEOUT_S - 1.5);

    // The other worker's drain-time jobs are fine: stop them, COMPLETE.
    await Promise.all(fresh.map((j) => egress.stopEgress(j.id)));
    await until('the new jobs COMPLETE on the server', async () => {
      const m = await serverInfos();
      return fresh.every((j) => m.get(j.id)?.status === EgressStatus.EGRESS_COMPLETE) || undefined;
    });
    for (const j of fresh) expect(inspect(fileOf(j), j.kind).errors).toBe('');

    // Over the whole file: every egress was started by exactly one worker process, once.
    for (const j of jobs) expect(startedBy(j.id), j.label).toEqual([j.worker.name]);
    const starts = Object.values(workers).flatMap((w) => [...w.before, w.proc]).flatMap((p) => p.lines())
      .filter((t) => t.line.msg === 'egress STARTING').map((t) => t.line.egressId);
    expect(starts.sort()).toEqual(jobs.map((j) => j.id).sort());
    // No worker ever logged the API secret.
    for (const p of Object.values(workers).flatMap((w) => [...w.before, w.proc])) expect(p.output(Infinity)).not.toContain(lk.apiSecret);
  });
});
