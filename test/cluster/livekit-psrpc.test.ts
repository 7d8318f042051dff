// The compatibility proof of src/cluster against the REAL pinned livekit-server (v1.13.5, psrpc
// v0.7.2) on a real Redis: LiveKit's official EgressClient talks to the livekit-server, the server
// talks psrpc over Redis, and our psrpc server/client are the other side. A raw Redis observer
// (PSUBSCRIBE) records what the Go server publishes, so its channel names, type URLs and bytes are
// checked against ours directly.
import { DirectFileOutput, EgressInfo, EgressStatus, StopEgressRequest, TrackEgressRequest } from '@livekit/protocol';
import { Redis } from 'ioredis';
import { EgressClient, RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { claimRequestChannel, claimResponseChannel, requestChannel, responseChannel } from '../../src/cluster/channels.js';
import { PsrpcClient } from '../../src/cluster/client.js';
import { decodeEnvelope, typeUrlOf } from '../../src/cluster/envelope.js';
import { ClaimRequest, ClaimResponse, Msg, Request, Response } from '../../src/cluster/gen/internal_pb.js';
import { StartEgressRequest } from '../../src/cluster/gen/rpc/egress_pb.js';
import { RedisBus } from '../../src/cluster/redis-bus.js';
import { probeLiveKitServer } from '../../src/cluster/probe.js';
import { PsrpcServer } from '../../src/cluster/server.js';
import { EgressHandler, EgressInternal, IOInfo } from '../../src/cluster/services.js';
import { startLiveKitServer, type LiveKitTestServer } from '../support/livekit-server.js';
import { startRedisServer, type TestRedisServer } from '../support/redis-server.js';

let redis: TestRedisServer;
let lk: LiveKitTestServer;
let observer: Redis;
/** Every message published on an EgressInternal|…, EgressHandler|… or IOInfo|… channel. */
const seen: { channel: string; payload: Buffer }[] = [];
const buses: RedisBus[] = [];
let egress: EgressClient;
let rooms: RoomServiceClient;

const nowNs = () => BigInt(Date.now()) * 1_000_000n;
const until = async (what: string, cond: () => boolean | Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};
const bus = async () => {
  const b = await RedisBus.connect({ address: redis.address });
  buses.push(b);
  return b;
};
/** What livekit-server's StartEgress client published (its Request), decoded with our types. */
const goRequests = (channel: string) =>
  seen.filter((m) => m.channel === channel).map((m) => ({ payload: m.payload, decoded: decodeEnvelope(m.payload, Request) }));

beforeAll(async () => {
  redis = await startRedisServer();
  lk = await startLiveKitServer({ redis: { address: redis.address } });
  observer = new Redis({ host: redis.host, port: redis.port, lazyConnect: true });
  await observer.connect();
  observer.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, payload: Buffer) => seen.push({ channel: channel.toString(), payload }));
  await observer.psubscribe('EgressInternal|*', 'EgressHandler|*', 'IOInfo|*');
  egress = new EgressClient(lk.httpUrl, lk.apiKey, lk.apiSecret);
  rooms = new RoomServiceClient(lk.httpUrl, lk.apiKey, lk.apiSecret);
});

afterAll(async () => {
  await Promise.allSettled(buses.map((b) => b.close()));
  observer?.disconnect();
  await lk?.stop();
  await redis?.close();
});

describe('livekit-server ↔ our psrpc over Redis', () => {
  it('the server subscribes the channels our naming gives (PUBSUB CHANNELS)', async () => {
    const channels = new Set((await (await bus()).commands.pubsub('CHANNELS', '*')) as string[]);
    for (const method of ['CreateEgress', 'UpdateEgress']) {
      expect(channels.has(requestChannel('IOInfo', method, []))).toBe(true);
      expect(channels.has(claimResponseChannel('IOInfo', method, []))).toBe(true);
    }
    // Its EgressInternal / EgressHandler clients: CLI_ ids with their CLAIM and RES channels.
    for (const service of ['EgressInternal', 'EgressHandler']) {
      const ids = [...channels].filter((c) => c.startsWith(`${service}|CLI_`) && c.endsWith('|RES')).map((c) => c.split('|')[1]!);
      expect(ids).toHaveLength(1);
      expect(channels.has(claimRequestChannel(service, ids[0]!))).toBe(true);
      expect(channels.has(responseChannel(service, ids[0]!))).toBe(true);
    }
    // Nobody serves StartEgress yet.
    expect(channels.has(requestChannel('EgressInternal', 'StartEgress', ['']))).toBe(false);
  });

  it('startTrackEgress → our StartEgress (topic ""), claimed, STARTING; our IOInfo.UpdateEgress → ListEgress; stopEgress → our StopEgress', async () => {
    const roomName = 'psrpc-room-1';
    const room = await rooms.createRoom({ name: roomName });
    const b = await bus();
    const server = new PsrpcServer(b);
    const client = new PsrpcClient(b);
    const starts: { req: StartEgressRequest; clientId: string }[] = [];
    const stops: StopEgressRequest[] = [];
    const infos = new Map<string, EgressInfo>();

    await server.register(
      EgressInternal.StartEgress,
      '',
      async (req, ctx) => {
        starts.push({ req, clientId: ctx.clientId });
        const track = req.request.value as TrackEgressRequest;
        const now = nowNs();
        const info = new EgressInfo({
          egressId: req.egressId,
          roomId: req.roomId,
          roomName: track.roomName,
          status: EgressStatus.EGRESS_STARTING,
          startedAt: now,
          updatedAt: now,
          request: { case: 'track', value: track },
        });
        infos.set(req.egressId, info);
        await server.register(EgressHandler.StopEgress, req.egressId, (stop) => {
          stops.push(stop);
          const cur = infos.get(stop.egressId)!.clone();
          cur.status = EgressStatus.EGRESS_ENDING;
          cur.updatedAt = nowNs();
          return cur;
        });
        return info;
      },
      { affinity: (req) => (req.request.case === 'track' ? 0.5 : -1) },
    );

    // 1. The official SDK → livekit-server → psrpc → us.
    let t0 = performance.now();
    const info = await egress.startTrackEgress(roomName, new DirectFileOutput({ filepath: 'out/{track_id}.mp4' }), 'TR_psrpc1');
    const startMs = performance.now() - t0;
    expect(starts).toHaveLength(1);
    const start = starts[0]!;
    expect(info.egressId).toBe(start.req.egressId);
    expect(info.egressId).toMatch(/^EG_[0-9A-Za-z]{12}$/);
    expect(info.status).toBe(EgressStatus.EGRESS_STARTING);
    expect(info.roomName).toBe(roomName);
    expect(info.roomId).toBe(room.sid); // the server filled room_id from its store
    expect(start.req.request.case).toBe('track');
    const track = start.req.request.value as TrackEgressRequest;
    expect(track.trackId).toBe('TR_psrpc1');
    expect(track.output.case).toBe('file');

    // What the Go client published: the request on topic "" is EgressInternal|StartEgress|REQ,
    // an internal.Msg with our type URL, decoding with our types to the request we handled, and
    // our generated types re-encode Go's bytes identically.
    const reqs = goRequests(requestChannel('EgressInternal', 'StartEgress', ['']));
    expect(reqs).toHaveLength(1);
    const r = reqs[0]!;
    expect(Msg.fromBinary(r.payload).typeUrl).toBe('type.googleapis.com/internal.Request');
    expect(r.decoded.ok).toBe(true);
    if (!r.decoded.ok) return;
    expect(r.decoded.message.clientId).toBe(start.clientId);
    expect(r.decoded.message.clientId).toMatch(/^CLI_[a-zA-Z0-9]{12}$/);
    expect(r.decoded.message.requestId).toMatch(/^REQ_[a-zA-Z0-9]{12}$/);
    expect(r.decoded.message.expiry).toBeGreaterThan(r.decoded.message.sentAt);
    expect(Buffer.from(Msg.fromBinary(r.payload).toBinary()).equals(r.payload)).toBe(true);
    expect(Buffer.from(r.decoded.message.toBinary()).equals(Buffer.from(Msg.fromBinary(r.payload).value))).toBe(true);
    const goStart = StartEgressRequest.fromBinary(r.decoded.message.rawRequest);
    expect(goStart.egressId).toBe(info.egressId);
    expect(Buffer.from(goStart.toBinary()).equals(Buffer.from(r.decoded.message.rawRequest))).toBe(true);
    // Our claim went to the Go client's CLAIM channel, our response to its RES channel.
    const claims = seen.filter((m) => m.channel === claimRequestChannel('EgressInternal', start.clientId));
    expect(claims.map((c) => decodeEnvelope(c.payload, ClaimRequest)).map((d) => d.ok && [d.message.serverId, d.message.affinity])).toEqual([[server.id, 0.5]]);
    expect(seen.some((m) => m.channel === responseChannel('EgressInternal', start.clientId))).toBe(true);

    // 2. The server stored it (its own IOInfo.CreateEgress after our answer).
    const listed = await egress.listEgress({ egressId: info.egressId });
    expect(listed.map((i) => [i.egressId, i.status])).toEqual([[info.egressId, EgressStatus.EGRESS_STARTING]]);

    // 3. Our client → livekit-server's IOInfo.UpdateEgress (claim + queue, no topic) → ListEgress.
    const active = infos.get(info.egressId)!.clone();
    active.status = EgressStatus.EGRESS_ACTIVE;
    active.updatedAt = nowNs();
    t0 = performance.now();
    const empty = await client.request(IOInfo.UpdateEgress, undefined, active);
    const updateMs = performance.now() - t0;
    expect(empty.getType().typeName).toBe('google.protobuf.Empty');
    const afterUpdate = await egress.listEgress({ egressId: info.egressId });
    expect(afterUpdate.map((i) => i.status)).toEqual([EgressStatus.EGRESS_ACTIVE]);
    // The Go server answered on our RES channel, with an envelope our types decode.
    const ours = seen.filter((m) => m.channel === responseChannel('IOInfo', client.id));
    expect(ours.length).toBeGreaterThanOrEqual(1);
    const goRes = decodeEnvelope(ours.at(-1)!.payload, Response);
    expect(goRes.ok && goRes.message.serverId).toMatch(/^SRV_[a-zA-Z0-9]{12}$/);
    expect(goRes.ok && [goRes.message.code, goRes.message.error]).toEqual(['', '']);
    expect(Msg.fromBinary(ours.at(-1)!.payload).typeUrl).toBe(typeUrlOf(Response));
    // The Go server's claim on our CLAIM channel: no affinity function → 1 (pkg/server/rpc.go:207).
    const goClaims = seen.filter((m) => m.channel === claimRequestChannel('IOInfo', client.id)).map((m) => decodeEnvelope(m.payload, ClaimRequest));
    expect(goClaims.length).toBeGreaterThanOrEqual(1);
    for (const c of goClaims) expect(c.ok && c.message.affinity).toBe(1);
    // Every envelope the Go side published re-encodes to the same bytes with our generated types.
    for (const m of seen) {
      const msg = Msg.fromBinary(m.payload);
      expect(Buffer.from(msg.toBinary()).equals(m.payload)).toBe(true);
      const types = { 'internal.Request': Request, 'internal.Response': Response, 'internal.ClaimRequest': ClaimRequest, 'internal.ClaimResponse': ClaimResponse };
      const type = types[msg.typeUrl.slice('type.googleapis.com/'.length) as keyof typeof types];
      expect(type, msg.typeUrl).toBeDefined();
      expect(Buffer.from(type!.fromBinary(msg.value).toBinary()).equals(Buffer.from(msg.value))).toBe(true);
    }

    // 4. StopEgress through the server → EgressHandler.StopEgress on topic = egress id → us.
    t0 = performance.now();
    const stopped = await egress.stopEgress(info.egressId);
    const stopMs = performance.now() - t0;
    // (affinity 0.5 < the server's MaximumAffinity 1: it waits its 500 ms short circuit first)
    console.log(`round trips: startTrackEgress ${startMs.toFixed(0)} ms, IOInfo.UpdateEgress ${updateMs.toFixed(1)} ms, stopEgress ${stopMs.toFixed(1)} ms`);
    expect(stops.map((s) => s.egressId)).toEqual([info.egressId]);
    expect(stopped.egressId).toBe(info.egressId);
    expect(stopped.status).toBe(EgressStatus.EGRESS_ENDING);
    expect(seen.some((m) => m.channel === `EgressHandler|StopEgress|${info.egressId}|REQ`)).toBe(true);

    await server.close(true);
    await client.close();
  });

  it('probeLiveKitServer: one IOInfo.ListEgress round trip with the real server', async () => {
    const client = new PsrpcClient(await bus());
    const ms = await probeLiveKitServer(client);
    console.log(`probeLiveKitServer: ${ms.toFixed(1)} ms`);
    expect(ms).toBeGreaterThan(0);
    await client.close();
  });

  it('IOInfo.CreateEgress from our client stores a new egress (ListEgress by room shows it)', async () => {
    const b = await bus();
    const client = new PsrpcClient(b);
    const now = nowNs();
    const info = new EgressInfo({
      egressId: 'EG_createdByUs1',
      roomName: 'psrpc-room-create',
      status: EgressStatus.EGRESS_STARTING,
      startedAt: now,
      updatedAt: now,
      request: { case: 'track', value: new TrackEgressRequest({ roomName: 'psrpc-room-create', trackId: 'TR_x' }) },
    });
    await client.request(IOInfo.CreateEgress, undefined, info);
    const listed = await egress.listEgress({ roomName: 'psrpc-room-create' });
    expect(listed.map((i) => [i.egressId, i.status, (i.request.value as TrackEgressRequest).trackId])).toEqual([
      ['EG_createdByUs1', EgressStatus.EGRESS_STARTING, 'TR_x'],
    ]);
    await client.close();
  });

  it('of three workers on the same Redis, the best affinity wins, the lower one loses its claim, −1 never claims', async () => {
    const roomName = 'psrpc-room-3';
    await rooms.createRoom({ name: roomName });
    const handled: string[] = [];
    const asked: string[] = [];
    const workers: PsrpcServer[] = [];
    for (const [name, affinity] of [
      ['low', 0.25],
      ['best', 0.5],
      ['never', -1],
    ] as const) {
      const server = new PsrpcServer(await bus()); // own connections, like separate processes
      workers.push(server);
      await server.register(
        EgressInternal.StartEgress,
        '',
        (req) => {
          handled.push(name);
          const track = req.request.value as TrackEgressRequest;
          return new EgressInfo({ egressId: req.egressId, roomName: track.roomName, status: EgressStatus.EGRESS_STARTING, updatedAt: nowNs() });
        },
        {
          affinity: () => {
            asked.push(name);
            return affinity;
          },
        },
      );
    }
    const before = seen.length;
    const info = await egress.startTrackEgress(roomName, 'ws://127.0.0.1:1/x', 'TR_psrpc3');
    expect(info.status).toBe(EgressStatus.EGRESS_STARTING);
    expect(handled).toEqual(['best']);
    expect(asked.sort()).toEqual(['best', 'low', 'never']);
    // On the wire: claims from "low" and "best" only, each with its affinity (float32).
    const claims = seen
      .slice(before)
      .filter((m) => m.channel.startsWith('EgressInternal|CLI_') && m.channel.endsWith('|CLAIM'))
      .map((m) => decodeEnvelope(m.payload, ClaimRequest))
      .map((d) => (d.ok ? [d.message.serverId, d.message.affinity] : ['?', 0]));
    expect(claims.sort()).toEqual([
      [workers[0]!.id, 0.25],
      [workers[1]!.id, 0.5],
    ].sort());
    // The Go client's ClaimResponse named the best one.
    const rclaims = seen.slice(before).filter((m) => m.channel === 'EgressInternal|StartEgress|RCLAIM');
    expect(rclaims.map((m) => decodeEnvelope(m.payload, ClaimResponse)).map((d) => d.ok && d.message.serverId)).toEqual([workers[1]!.id]);
    await Promise.all(workers.map((w) => w.close(true)));
  });

  it('with no worker claiming, the SDK gets psrpc’s "no response from servers" through the server', async () => {
    const roomName = 'psrpc-room-none';
    await rooms.createRoom({ name: roomName });
    const server = new PsrpcServer(await bus());
    let asked = 0;
    await server.register(EgressInternal.StartEgress, '', () => new EgressInfo(), {
      affinity: () => {
        asked++;
        return -1;
      },
    });
    // livekit-server v1.13.5 retries `unavailable` in two nested interceptors, both 3 attempts
    // (protocol: rpc/typed_api.go:40,82-87 DefaultPSRPCConfig + rpc/egress_client.go:30,66-81):
    // 3 × 3 = 9 requests, all with the same egress id; about 20 s with 1 s selection windows and
    // the backoffs — longer than the SDK's default 10 s fetch timeout.
    const before = goRequests('EgressInternal|StartEgress|REQ').length;
    const patient = new EgressClient(lk.httpUrl, lk.apiKey, lk.apiSecret, { requestTimeout: 55 });
    const t0 = Date.now();
    const err = await patient.startTrackEgress(roomName, 'ws://127.0.0.1:1/x', 'TR_none').then(
      () => undefined,
      (e: unknown) => e,
    );
    const reqs = goRequests('EgressInternal|StartEgress|REQ').slice(before);
    console.log(`startTrackEgress with no claimer: ${reqs.length} psrpc requests, failed after ${Date.now() - t0} ms: ${String(err)}`);
    expect(String(err)).toMatch(/no response from servers/);
    expect(reqs).toHaveLength(9);
    expect(asked).toBe(9);
    const ids = reqs.map((r) => (r.decoded.ok ? StartEgressRequest.fromBinary(r.decoded.message.rawRequest).egressId : ''));
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^EG_/);
    await server.close(true);
  }, 90_000);
});
