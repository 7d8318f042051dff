// Our psrpc server and client against each other on a real redis-server: claim selection,
// affinity, queue methods across processes, multi, expiry, error codes and timeouts
// (psrpc@v0.7.2: pkg/client/rpc.go, pkg/server/rpc.go). The wire itself is checked against the
// real livekit-server in livekit-psrpc.test.ts.
import { Empty } from '@bufbuild/protobuf';
import { EgressInfo, EgressStatus, StopEgressRequest, WebEgressRequest } from '@livekit/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { requestChannel } from '../../src/cluster/channels.js';
import { PsrpcClient } from '../../src/cluster/client.js';
import { encodeEnvelope } from '../../src/cluster/envelope.js';
import { PsrpcError } from '../../src/cluster/errors.js';
import { Request } from '../../src/cluster/gen/internal_pb.js';
import { ListActiveEgressRequest, ListActiveEgressResponse, StartEgressRequest } from '../../src/cluster/gen/rpc/egress_pb.js';
import { probeLiveKitServer } from '../../src/cluster/probe.js';
import { RedisBus } from '../../src/cluster/redis-bus.js';
import { PsrpcServer } from '../../src/cluster/server.js';
import { EgressHandler, EgressInternal, IOInfo } from '../../src/cluster/services.js';
import { startRedisServer, type TestRedisServer } from '../support/redis-server.js';

let redis: TestRedisServer;
const buses: RedisBus[] = [];
const closers: (() => Promise<void>)[] = [];
const bus = async () => {
  const b = await RedisBus.connect({ address: redis.address });
  buses.push(b);
  return b;
};
const server = async () => {
  const s = new PsrpcServer(await bus());
  closers.push(() => s.close(true));
  return s;
};
const client = async (opts?: ConstructorParameters<typeof PsrpcClient>[1]) => {
  const c = new PsrpcClient(await bus(), opts);
  closers.push(() => c.close());
  return c;
};
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('resolved');
    },
    (e: unknown) => e as PsrpcError,
  );
const start = (egressId: string) => new StartEgressRequest({ egressId, request: { case: 'web', value: new WebEgressRequest({ url: 'https://example.com' }) } });

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  for (const c of closers) await c().catch(() => {});
  await Promise.allSettled(buses.map((b) => b.close()));
  await redis?.close();
});

describe('psrpc unary requests with claims', () => {
  it('a claim method without affinity: the server claims with 1, runs the handler, answers', async () => {
    const s = await server();
    const seen: string[] = [];
    await s.register(IOInfo.UpdateEgress, undefined, (info, ctx) => {
      seen.push(`${info.egressId}:${ctx.clientId}`);
      return new Empty();
    });
    const c = await client();
    const res = await c.request(IOInfo.UpdateEgress, undefined, new EgressInfo({ egressId: 'EG_1', status: EgressStatus.EGRESS_ACTIVE }));
    expect(res).toBeInstanceOf(Empty);
    expect(seen).toEqual([`EG_1:${c.id}`]);
  });

  it("handler errors reach the client with psrpc's code; plain errors are unknown", async () => {
    const s = await server();
    await s.register(EgressHandler.StopEgress, 'EG_err', (req) => {
      if (req.egressId === 'dup') throw new PsrpcError('already_exists', 'egress already exists');
      throw new Error('plain failure');
    });
    const c = await client();
    expect(await rejection(c.request(EgressHandler.StopEgress, 'EG_err', new StopEgressRequest({ egressId: 'dup' })))).toMatchObject({
      code: 'already_exists',
      message: 'egress already exists',
    });
    expect(await rejection(c.request(EgressHandler.StopEgress, 'EG_err', new StopEgressRequest({ egressId: 'x' })))).toMatchObject({
      code: 'unknown',
      message: 'plain failure',
    });
  });

  it('no server → unavailable "no response from servers"; a slow handler → deadline_exceeded, its signal aborted at expiry', async () => {
    const c = await client({ selectionTimeoutMs: 200 });
    expect(await rejection(c.request(EgressHandler.StopEgress, 'EG_nobody', new StopEgressRequest()))).toMatchObject({
      code: 'unavailable',
      message: 'no response from servers',
    });
    const s = await server();
    let aborted: Promise<unknown> | undefined;
    await s.register(EgressHandler.StopEgress, 'EG_slow', (_req, ctx) => {
      aborted = new Promise((r) => ctx.signal.addEventListener('abort', () => r(ctx.signal.reason)));
      // Answers only well after its expiry: the server's abort and the client's timeout both fire
      // at `expiry`, and an answer right at the abort could beat the client's timer (seen in CI).
      return aborted.then(() => new Promise((r) => setTimeout(r, 1000))).then(() => new EgressInfo());
    });
    expect(await rejection(c.request(EgressHandler.StopEgress, 'EG_slow', new StopEgressRequest(), { timeoutMs: 400 }))).toMatchObject({
      code: 'deadline_exceeded',
      message: 'request timed out',
    });
    expect(await aborted).toMatchObject({ code: 'deadline_exceeded' });
  });

  it('affinity: the highest claim wins after the short circuit; −1 never claims; a claim under the minimum is "no servers available"', async () => {
    const handled: string[] = [];
    const servers: PsrpcServer[] = [];
    for (const [name, affinity] of [
      ['a', 0.3],
      ['b', 0.6],
      ['c', -1],
    ] as const) {
      const s = await server();
      servers.push(s);
      await s.register(
        EgressInternal.StartEgress,
        'cluster-x',
        (req) => {
          handled.push(name);
          return new EgressInfo({ egressId: req.egressId });
        },
        { affinity: () => affinity },
      );
    }
    const c = await client();
    const info = await c.request(EgressInternal.StartEgress, 'cluster-x', start('EG_aff'));
    expect(info.egressId).toBe('EG_aff');
    expect(handled).toEqual(['b']);

    // Only "a" (0.3) and "c" (−1) remain.
    await servers[1]!.deregister(EgressInternal.StartEgress, 'cluster-x');
    expect(await rejection(c.request(EgressInternal.StartEgress, 'cluster-x', start('EG_min'), { selection: { minimumAffinity: 0.5, affinityTimeoutMs: 300 } }))).toMatchObject({
      code: 'unavailable',
      message: 'no servers available (received 1 responses)',
    });
    await servers[0]!.deregister(EgressInternal.StartEgress, 'cluster-x');
    expect(await rejection(c.request(EgressInternal.StartEgress, 'cluster-x', start('EG_none'), { selection: { affinityTimeoutMs: 300 } }))).toMatchObject({
      code: 'unavailable',
      message: 'no response from servers',
    });
    expect(handled).toEqual(['b']);
  });

  it('queue + claim across processes: each request handled by exactly one of two workers', async () => {
    const counts = new Map<string, number>();
    for (const name of ['w1', 'w2']) {
      const s = await server();
      await s.register(EgressHandler.StopEgress, 'EG_shared', (req) => {
        counts.set(req.egressId, (counts.get(req.egressId) ?? 0) + 1);
        return new EgressInfo({ egressId: req.egressId, details: name });
      });
    }
    const c = await client();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => c.request(EgressHandler.StopEgress, 'EG_shared', new StopEgressRequest({ egressId: `EG_q${i}` }))),
    );
    expect(answers.map((a) => a.egressId)).toEqual(Array.from({ length: 10 }, (_, i) => `EG_q${i}`));
    expect([...counts.values()]).toEqual(Array(10).fill(1));
  });

  it('a malformed request is answered malformed_request (decoded before the claim, pkg/server/rpc.go:172-178)', async () => {
    const s = await server();
    await s.register(EgressHandler.StopEgress, 'EG_bad', () => new EgressInfo());
    // A request whose bytes are truncated protobuf (field 1, length 5, 1 byte present).
    const truncated = Object.assign(new StopEgressRequest(), { toBinary: () => new Uint8Array([0x0a, 0x05, 0x45]) });
    const c = await client();
    const err = await rejection(c.request(EgressHandler.StopEgress, 'EG_bad', truncated, { selection: { affinityTimeoutMs: 300 } }));
    expect(err).toMatchObject({ code: 'malformed_request' });
  });

  it('an expired request is dropped unanswered (pkg/server/rpc.go:133)', async () => {
    // A multi method, so that nothing but the expiry check stands between request and handler.
    const s = await server();
    const handled: string[] = [];
    await s.register(EgressInternal.ListActiveEgress, 'expiry', (_req, ctx) => {
      handled.push(ctx.requestId);
      return new ListActiveEgressResponse();
    });
    const b = await bus();
    const past = BigInt(Date.now() - 1000) * 1_000_000n;
    const expired = new Request({
      requestId: 'REQ_expired00001',
      clientId: 'CLI_nobody000000',
      sentAt: past - 3_000_000_000n,
      expiry: past,
      multi: true,
      rawRequest: new ListActiveEgressRequest().toBinary() as Uint8Array<ArrayBuffer>,
    });
    await b.publish(requestChannel('EgressInternal', 'ListActiveEgress', ['expiry']), encodeEnvelope(expired));
    // A live request after it on the same channel: once it is answered, the expired one
    // (delivered first on the same subscription, handled synchronously) has been dropped.
    const c = await client();
    const results = await c.requestMulti(EgressInternal.ListActiveEgress, 'expiry', new ListActiveEgressRequest(), { timeoutMs: 1500 });
    expect(results).toHaveLength(1);
    expect(handled).toHaveLength(1);
    expect(handled[0]).not.toBe('REQ_expired00001');
  });
});

describe('probeLiveKitServer without a livekit-server', () => {
  it('fails with a clear error naming the channel and the pinned versions', async () => {
    const c = await client({ selectionTimeoutMs: 200 });
    await expect(probeLiveKitServer(c, 500)).rejects.toThrow(
      /no livekit-server answered on Redis channel IOInfo\|ListEgress\|REQ within 500 ms \(no response from servers\).*psrpc v0\.7\.2 as livekit-server v1\.13\.5/,
    );
  });
});

describe('psrpc multi requests', () => {
  it('EgressInternal.ListActiveEgress: every worker answers', async () => {
    for (const ids of [['EG_a1', 'EG_a2'], ['EG_b1']]) {
      const s = await server();
      await s.register(EgressInternal.ListActiveEgress, '', () => new ListActiveEgressResponse({ egressIds: ids }));
    }
    const c = await client();
    const results = await c.requestMulti(EgressInternal.ListActiveEgress, '', new ListActiveEgressRequest(), { timeoutMs: 1500 });
    expect(results.flatMap((r) => r.result?.egressIds ?? []).sort()).toEqual(['EG_a1', 'EG_a2', 'EG_b1']);
    expect(new Set(results.map((r) => r.serverId)).size).toBe(2);
  });
});

describe('after a Redis restart', () => {
  it('registered handlers and clients work again without re-registering', async () => {
    const s = await server();
    await s.register(EgressHandler.StopEgress, 'EG_restart', (req) => new EgressInfo({ egressId: req.egressId }));
    const c = await client({ selectionTimeoutMs: 300 });
    expect((await c.request(EgressHandler.StopEgress, 'EG_restart', new StopEgressRequest({ egressId: 'before' }))).egressId).toBe('before');
    await redis.restart();
    // Requests fail while the connections come back, then succeed (bounded retries).
    let answer: EgressInfo | undefined;
    for (let i = 0; i < 50 && !answer; i++) {
      answer = await c.request(EgressHandler.StopEgress, 'EG_restart', new StopEgressRequest({ egressId: 'after' }), { timeoutMs: 600 }).catch(() => undefined);
    }
    expect(answer?.egressId).toBe('after');
  });
});

describe('PsrpcServer registration', () => {
  it('one handler per (method, topic); closed servers refuse registrations', async () => {
    const s = await server();
    await s.register(EgressHandler.StopEgress, 'EG_one', () => new EgressInfo());
    await expect(s.register(EgressHandler.StopEgress, 'EG_one', () => new EgressInfo())).rejects.toThrow('handler already exists');
    expect(s.isRegistered(EgressHandler.StopEgress, 'EG_one')).toBe(true);
    await s.close();
    await expect(s.register(EgressHandler.StopEgress, 'EG_two', () => new EgressInfo())).rejects.toMatchObject({ code: 'canceled', message: 'server is closed' });
  });
});
