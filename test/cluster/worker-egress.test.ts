// Issue 10's acceptance path for one worker, real components only: a real livekit-server on a real
// Redis (and with webhooks configured), MinIO, @livekit/rtc-node publishers, and LiveKit's official
// `EgressClient` pointed at the **livekit-server**: the server hands StartTrackEgress to our
// EgressWorker (in this process) over psrpc, the worker's EgressService records, every update goes
// back through IOInfo, and the server answers ListEgress and sends the webhooks itself (checked with
// the official `WebhookReceiver`). ffmpeg decodes every output.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { DirectFileOutput, EgressInfo, EgressStatus, EncodedFileOutput, TrackEgressRequest } from '@livekit/protocol';
import { Redis } from 'ioredis';
import { EgressClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { requestChannel } from '../../src/cluster/channels.js';
import { PsrpcClient } from '../../src/cluster/client.js';
import { decodeEnvelope } from '../../src/cluster/envelope.js';
import type { PsrpcError } from '../../src/cluster/errors.js';
import { ClaimRequest } from '../../src/cluster/gen/internal_pb.js';
import { ListActiveEgressRequest, StartEgressRequest } from '../../src/cluster/gen/rpc/egress_pb.js';
import { RedisBus } from '../../src/cluster/redis-bus.js';
import { EgressInternal } from '../../src/cluster/services.js';
import { CapacityMonitor } from '../../src/cluster/worker/capacity.js';
import { EgressWorker } from '../../src/cluster/worker/egress-worker.js';
import { InfoReporter } from '../../src/cluster/worker/info-reporter.js';
import { EgressService } from '../../src/egress/egress-service.js';
import { decoderErrors } from '../support/ffmpeg.js';
import { connectPublisher, disposeRtc, type Publisher } from '../support/livekit-publisher.js';
import { startLiveKitServer, type LiveKitTestServer } from '../support/livekit-server.js';
import { startMinio, type TestMinio } from '../support/minio.js';
import { startRedisServer, type TestRedisServer } from '../support/redis-server.js';
import { startWebhookSink, type WebhookSink } from '../support/webhook-sink.js';

const BUCKET = 'worker-e2e';
const API_KEY = 'devkey'; // startLiveKitServer's key
const API_SECRET = `secret-${randomBytes(16).toString('hex')}`;

let redis: TestRedisServer;
let lk: LiveKitTestServer;
let minio: TestMinio;
let hooks: WebhookSink;
let dir: string;
let service: EgressService;
let bus: RedisBus;
let client: PsrpcClient;
let reporter: InfoReporter;
let capacity: CapacityMonitor;
let worker: EgressWorker;
let observer: Redis;
/** Every ClaimRequest published on an EgressInternal CLAIM channel (any client). */
const claims: ClaimRequest[] = [];
const publishers: Publisher[] = [];
let roomNo = 0;

const recordings = () => join(dir, 'recordings');
const egress = (timeoutSec = 10) => new EgressClient(lk.httpUrl, API_KEY, API_SECRET, { requestTimeout: timeoutSec });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function publisher(identity: string): Promise<Publisher> {
  const p = await connectPublisher(lk, `worker-e2e-${process.pid}-${++roomNo}`, identity);
  publishers.push(p);
  return p;
}

/** Polls the **server's** ListEgress until the egress has `status` (or ended). */
async function serverStatus(id: string, status: EgressStatus, timeoutMs = 30_000): Promise<EgressInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Not stored yet: the server answers "egress does not exist" (not_found) for an unknown id.
    const [info] = await egress().listEgress({ egressId: id }).catch((e: { status?: number }) => {
      if (e.status === 404) return [];
      throw e;
    });
    if (info && (info.status === status || info.status >= EgressStatus.EGRESS_COMPLETE)) return info;
    if (Date.now() > deadline) throw new Error(`egress ${id} still ${info ? EgressStatus[info.status] : 'unknown to the server'} after ${timeoutMs} ms`);
    await sleep(200);
  }
}

function s3Output(filepath: string): DirectFileOutput {
  return new DirectFileOutput({ filepath, output: { case: 's3', value: minio.upload(BUCKET) } });
}

async function s3Decodes(key: string, ext: string): Promise<{ size: number; errors: string }> {
  const o = await minio.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  const bytes = await o.Body!.transformToByteArray();
  const file = join(dir, `s3-copy-${roomNo}-${Math.random().toString(36).slice(2)}${ext}`);
  writeFileSync(file, bytes);
  return { size: bytes.byteLength, errors: decoderErrors(file, { variableFrameRate: true }) };
}

/** The egress webhooks of `id` (the server also sends room and participant events, without egress info). */
const hookTrail = (id: string) => hooks.events.filter((e) => e.info?.egressId === id).map((e) => `${e.event}:${EgressStatus[e.info.status]}`);
const stopSubscribers = async (id: string) =>
  ((await bus.commands.pubsub('NUMSUB', requestChannel('EgressHandler', 'StopEgress', [id]))) as [string, number])[1];

beforeAll(async () => {
  redis = await startRedisServer();
  hooks = await startWebhookSink(API_KEY, API_SECRET);
  lk = await startLiveKitServer({ redis: { address: redis.address }, apiSecret: API_SECRET, webhookUrls: [hooks.url] });
  minio = await startMinio();
  await minio.bucket(BUCKET);
  dir = mkdtempSync(join(tmpdir(), 'te-worker-e2e-'));

  observer = new Redis({ host: redis.host, port: redis.port, lazyConnect: true });
  await observer.connect();
  observer.on('pmessageBuffer', (_p: Buffer, channel: Buffer, payload: Buffer) => {
    if (!channel.toString().endsWith('|CLAIM')) return;
    const d = decodeEnvelope(payload, ClaimRequest);
    if (d.ok) claims.push(d.message);
  });
  await observer.psubscribe('EgressInternal|*|CLAIM');

  service = new EgressService({ apiKey: API_KEY, apiSecret: API_SECRET, wsUrl: lk.url, recordingsDir: recordings(), trackTimeoutMs: 10_000 });
  bus = await RedisBus.connect({ address: redis.address });
  client = new PsrpcClient(bus);
  // Capacity is not under test here: LiveKit's rule counts the whole machine's busy cores, and this
  // shared 2-core test machine is busy with other processes, so count 64 cores (config `cpus`).
  capacity = new CapacityMonitor({ cpus: 64 });
  capacity.start();
  reporter = new InfoReporter({ client });
  worker = await EgressWorker.start({ bus, service, capacity, reporter });
  await service.start();
}, 120_000);

afterAll(async () => {
  await worker?.drain({ now: true });
  reporter?.close();
  capacity?.close();
  await client?.close();
  await bus?.close();
  for (const p of publishers) await p.disconnect();
  observer?.disconnect();
  hooks?.close();
  await lk?.stop();
  await redis?.close();
  await minio?.close();
  await disposeRtc();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('EgressClient → livekit-server → our worker over Redis', () => {
  it('Opus and H.264 into the local dir and MinIO: STARTING → ACTIVE → (stopEgress via the server) ENDING → COMPLETE in the server\'s ListEgress, webhooks from the server in order', async () => {
    const pub = await publisher('alice');
    const audio = await pub.publishAudio({ frequency: 440 });
    const h264 = await pub.publishVideo('h264');
    const room = pub.roomName;
    const jobs = [
      { sid: audio.sid, out: new DirectFileOutput({ filepath: 'local/{track_id}' }), ext: '.ogg', s3: false },
      { sid: h264.sid, out: new DirectFileOutput({ filepath: 'local/{track_id}' }), ext: '.mp4', s3: false },
      { sid: audio.sid, out: s3Output('cluster/{room_name}/{track_id}'), ext: '.ogg', s3: true },
      { sid: h264.sid, out: s3Output('cluster/{room_name}/{track_id}'), ext: '.mp4', s3: true },
    ];

    // The official SDK talks to the livekit-server only.
    const started = await Promise.all(jobs.map((j) => egress().startTrackEgress(room, j.out, j.sid)));
    const roomSid = await pub.room.getSid();
    for (const info of started) {
      expect(info.status).toBe(EgressStatus.EGRESS_STARTING);
      expect(info.egressId).toMatch(/^EG_[0-9A-Za-z]{12}$/); // the server's id, used by our job
      expect(info.roomName).toBe(room);
      expect(info.roomId).toBe(roomSid); // the server filled it; the worker keeps it in every update
      expect(JSON.stringify(info.toJson())).not.toContain(minio.secretKey);
    }
    const ids = started.map((i) => i.egressId);
    expect(new Set(ids).size).toBe(4);
    expect(worker.activeEgressIds().sort(), 'the worker\'s running egresses').toEqual([...ids].sort());
    // Each job runs under the server's id in our service, once.
    for (const id of ids) expect(await service.listEgress({ egressId: id })).toHaveLength(1);
    // Every claim our worker published for them was ours and positive (no refusal shows up as a claim).
    for (const c of claims) expect(c.serverId === worker.nodeId && c.affinity > 0).toBe(true);

    for (const id of ids) expect((await serverStatus(id, EgressStatus.EGRESS_ACTIVE)).status).toBe(EgressStatus.EGRESS_ACTIVE);
    expect((await egress().listEgress({ roomName: room, active: true })).map((i) => i.egressId).sort(), 'the server\'s active egresses').toEqual([...ids].sort());
    for (const id of ids) expect(await stopSubscribers(id)).toBe(1); // its StopEgress handler is on the bus
    await sleep(4000);

    const stopping = await Promise.all(ids.map((id) => egress().stopEgress(id)));
    for (const s of stopping) expect(s.status).toBe(EgressStatus.EGRESS_ENDING);

    for (const [n, id] of ids.entries()) {
      const j = jobs[n]!;
      const done = await serverStatus(id, EgressStatus.EGRESS_COMPLETE, 60_000);
      expect(done.status, done.error).toBe(EgressStatus.EGRESS_COMPLETE);
      expect(done.details).toBe('End reason: StopEgress API');
      expect(done.roomId).toBe(roomSid);
      const file = done.fileResults[0]!; // the worker's file_results, as the server stored them
      expect(done.fileResults).toHaveLength(1);
      expect(file.filename.endsWith(j.ext)).toBe(true);
      expect(Number(file.duration) / 1e9).toBeGreaterThan(3);
      if (j.s3) {
        const head = await minio.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: file.filename }));
        expect(Number(file.size)).toBe(head.ContentLength);
        const { size, errors } = await s3Decodes(file.filename, j.ext);
        expect(size).toBe(Number(file.size));
        expect(errors).toBe('');
      } else {
        expect(file.location.startsWith(recordings())).toBe(true);
        expect(decoderErrors(file.location, { variableFrameRate: true })).toBe('');
      }
    }
    expect(worker.activeEgressIds()).toEqual([]);
    await expect.poll(async () => Promise.all(ids.map(stopSubscribers)), { timeout: 5000 }).toEqual([0, 0, 0, 0]);

    // The server's webhooks (our notifier is not attached), each accepted by WebhookReceiver.
    for (const id of ids) {
      await expect.poll(() => hookTrail(id).at(-1), { timeout: 15_000 }).toBe('egress_ended:EGRESS_COMPLETE');
      expect(hookTrail(id), `webhooks of ${id}`).toEqual([
        'egress_started:EGRESS_STARTING',
        'egress_updated:EGRESS_ACTIVE',
        'egress_updated:EGRESS_ENDING',
        'egress_ended:EGRESS_COMPLETE',
      ]);
    }
    expect(hooks.rejected).toEqual([]);
  }, 240_000);

  it('a room composite request is never claimed: the server answers an error, nothing is recorded', async () => {
    const pub = await publisher('bob');
    await pub.publishAudio({ frequency: 330 });
    const before = await service.listEgress();
    const claimsBefore = claims.length;
    // Nobody claims it: the server retries with the same id (~21 s), then answers 503.
    const err = (await egress(60)
      .startRoomCompositeEgress(pub.roomName, new EncodedFileOutput({ filepath: 'composite.mp4' }), { audioOnly: true })
      .then(() => new Error('room composite was started'), (e: unknown) => e)) as Error & { status?: number };
    expect(err).toBeInstanceOf(Error);
    expect(err.message).not.toBe('room composite was started');
    expect(err.status).toBe(503);
    expect(err.message).toMatch(/no response from servers/);
    expect(claims.slice(claimsBefore).filter((c) => c.serverId === worker.nodeId)).toEqual([]);
    expect(await service.listEgress()).toHaveLength(before.length);
    expect(readdirSync(recordings(), { recursive: true }).filter((f) => String(f).includes('composite'))).toEqual([]);
  }, 90_000);

  it('a StartEgress repeated with the same egress id (as the server retries) makes one job: concurrent or after it started', async () => {
    const pub = await publisher('carol');
    const audio = await pub.publishAudio({ frequency: 550 });
    const egressId = `EG_dup${randomBytes(4).toString('hex')}`;
    const request = new StartEgressRequest({
      egressId,
      roomName: pub.roomName,
      request: { case: 'track', value: new TrackEgressRequest({ roomName: pub.roomName, trackId: audio.sid, output: { case: 'file', value: new DirectFileOutput({ filepath: 'dup/{track_id}' }) } }) },
    });
    const start = () =>
      client.request(EgressInternal.StartEgress, '', request, { timeoutMs: 5000 }).then(
        (info) => ({ info, code: undefined }),
        (e: PsrpcError) => ({ info: undefined, code: e.code }),
      );
    // Two at once: exactly one gets the job.
    const both = await Promise.all([start(), start()]);
    expect(both.filter((r) => r.info?.status === EgressStatus.EGRESS_STARTING)).toHaveLength(1);
    expect(both.filter((r) => r.code !== undefined).map((r) => r.code)).toEqual([expect.stringMatching(/^(already_exists|unavailable)$/)]);
    // Later: not claimed at all (affinity −1 for a known id) → the caller sees "no response from servers".
    expect((await start()).code).toBe('unavailable');
    expect(await service.listEgress({ egressId })).toHaveLength(1);
    expect(worker.activeEgressIds().filter((id) => id === egressId)).toHaveLength(1);

    // Not dispatched by the server, so nobody sent CreateEgress; the worker's UpdateEgress (ACTIVE)
    // stores it at the server all the same, which can then stop it.
    await serverStatus(egressId, EgressStatus.EGRESS_ACTIVE);
    await sleep(1500);
    expect((await egress().stopEgress(egressId)).status).toBe(EgressStatus.EGRESS_ENDING);
    const done = await serverStatus(egressId, EgressStatus.EGRESS_COMPLETE);
    expect(done.status, done.error).toBe(EgressStatus.EGRESS_COMPLETE);
    expect(decoderErrors(done.fileResults[0]!.location)).toBe('');
  }, 90_000);

  it('ListActiveEgress (multi) lists this worker\'s running egresses', async () => {
    const results = await client.requestMulti(EgressInternal.ListActiveEgress, '', new ListActiveEgressRequest(), { timeoutMs: 2000 });
    const ours = results.find((r) => r.serverId === worker.nodeId);
    expect(ours?.result?.egressIds).toEqual(worker.activeEgressIds());
  });

  // Last: a drain ends this worker's life on the bus.
  it('drain (SIGTERM semantics): StartEgress deregistered at once, the running egress goes on until the deadline, then ENDING → COMPLETE, reported to the server', async () => {
    const pub = await publisher('dave');
    const audio = await pub.publishAudio({ frequency: 660 });
    const info = await egress().startTrackEgress(pub.roomName, new DirectFileOutput({ filepath: 'drain/{track_id}' }), audio.sid);
    await serverStatus(info.egressId, EgressStatus.EGRESS_ACTIVE);
    const startChannel = requestChannel('EgressInternal', 'StartEgress', ['']);
    const numsub = async (channel: string) => ((await bus.commands.pubsub('NUMSUB', channel)) as [string, number])[1];
    expect(await numsub(startChannel)).toBe(1);

    const drained = worker.drain({ deadlineMs: 3000 });
    await expect.poll(() => numsub(startChannel), { timeout: 5000 }).toBe(0);
    expect(worker.draining).toBe(true);
    // No claim any more: a StartEgress finds no worker.
    const pub2 = await publisher('erin');
    const audio2 = await pub2.publishAudio({ frequency: 770 });
    const late = new StartEgressRequest({
      egressId: `EG_late${randomBytes(4).toString('hex')}`,
      roomName: pub2.roomName,
      request: { case: 'track', value: new TrackEgressRequest({ roomName: pub2.roomName, trackId: audio2.sid, output: { case: 'file', value: new DirectFileOutput({ filepath: 'late/' }) } }) },
    });
    await expect(client.request(EgressInternal.StartEgress, '', late, { timeoutMs: 2000 })).rejects.toMatchObject({ code: 'unavailable' });
    // The other front end (the Twirp API calls the same service) refuses too.
    await expect(service.startTrackEgress(late.request.value as TrackEgressRequest)).rejects.toMatchObject({ twirpCode: 'unavailable' });
    // The running one is still recording (and stoppable: its StopEgress stays registered).
    expect((await egress().listEgress({ egressId: info.egressId }))[0]!.status).toBe(EgressStatus.EGRESS_ACTIVE);
    expect(await stopSubscribers(info.egressId)).toBe(1);

    await drained;
    const done = await serverStatus(info.egressId, EgressStatus.EGRESS_COMPLETE);
    expect(done.status, done.error).toBe(EgressStatus.EGRESS_COMPLETE);
    expect(done.details).toBe('End reason: Process killed');
    expect(Number(done.fileResults[0]!.duration) / 1e9).toBeGreaterThan(2);
    expect(decoderErrors(done.fileResults[0]!.location)).toBe('');
    expect(hookTrail(info.egressId).at(-1)).toBe('egress_ended:EGRESS_COMPLETE');
    expect(await service.listEgress({ egressId: late.egressId })).toEqual([]);
    expect(worker.activeEgressIds()).toEqual([]);
    expect(await stopSubscribers(info.egressId)).toBe(0);
    expect(await numsub(requestChannel('EgressInternal', 'ListActiveEgress', []))).toBe(0);
  }, 90_000);
});
