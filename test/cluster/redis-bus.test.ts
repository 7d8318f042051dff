// The psrpc Redis bus on a real redis-server: delivery, the queue lock as psrpc defines it
// (internal/bus/bus_redis.go:346-353), unsubscribe, and recovery from a killed subscriber
// connection and from a Redis restart.
import { createHash } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RedisBus } from '../../src/cluster/redis-bus.js';
import { startRedisServer, type TestRedisServer } from '../support/redis-server.js';

let redis: TestRedisServer;
const buses: RedisBus[] = [];
const bus = async () => {
  const b = await RedisBus.connect({ address: redis.address });
  buses.push(b);
  return b;
};
const until = async (what: string, cond: () => boolean | Promise<boolean>, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await Promise.allSettled(buses.map((b) => b.close()));
  await redis?.close();
});

describe('RedisBus', () => {
  it('delivers binary payloads unchanged to every plain subscriber, once subscribe() resolved', async () => {
    const [a, b, pub] = [await bus(), await bus(), await bus()];
    const got: Buffer[][] = [[], []];
    await a.subscribe('T|bin', (p) => got[0]!.push(p));
    await b.subscribe('T|bin', (p) => got[1]!.push(p));
    const payload = Buffer.from([0, 255, 10, 13, 0x7c, 0, 1]);
    expect(await pub.publish('T|bin', payload)).toBe(2);
    await until('delivery', () => got[0]!.length === 1 && got[1]!.length === 1);
    expect(got[0]![0]!.equals(payload)).toBe(true);
    expect(got[1]![0]!.equals(payload)).toBe(true);
  });

  it('queue subscribers in different processes: each message handled once, lock key = base64(SHA-256(payload)) with a 5 s expiry', async () => {
    const [q1, q2, plain, pub] = [await bus(), await bus(), await bus(), await bus()];
    const handled: string[] = [];
    const all: string[] = [];
    await q1.subscribeQueue('T|queue', (p) => handled.push(`q1:${p.toString()}`));
    await q2.subscribeQueue('T|queue', (p) => handled.push(`q2:${p.toString()}`));
    await plain.subscribe('T|queue', (p) => all.push(p.toString()));
    const payloads = Array.from({ length: 20 }, (_, i) => `msg-${i}`);
    for (const p of payloads) await pub.publish('T|queue', Buffer.from(p));
    await until('20 plain deliveries', () => all.length === 20);
    // Fence: a plain message after the 20 reaches each queue bus after them; a round trip on its
    // command connection then returns after every lock SET it sent for them (one connection, in
    // order), so every queue delivery that will ever happen has happened.
    const fenced = [false, false];
    await q1.subscribe('T|fence', () => (fenced[0] = true));
    await q2.subscribe('T|fence', () => (fenced[1] = true));
    await pub.publish('T|fence', Buffer.from('fence'));
    await until('the fence', () => fenced[0]! && fenced[1]!);
    await Promise.all([q1.commands.ping(), q2.commands.ping()]);
    expect(handled.map((h) => h.slice(3)).sort()).toEqual([...payloads].sort());
    // The lock of each message, as psrpc names it, exists and expires within 5 s.
    const key = createHash('sha256').update('msg-0').digest('base64');
    const ttl = await pub.commands.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5);
  });

  it('the same payload again within the lock expiry is dropped by queue subscribers (psrpc semantics)', async () => {
    const [q, pub] = [await bus(), await bus()];
    const handled: string[] = [];
    await q.subscribeQueue('T|dup', (p) => handled.push(p.toString()));
    await pub.publish('T|dup', Buffer.from('same'));
    await pub.publish('T|dup', Buffer.from('same'));
    await pub.publish('T|dup', Buffer.from('other'));
    await until('the distinct payload', () => handled.includes('other'));
    expect(handled).toEqual(['same', 'other']);
  });

  it('unsubscribes the Redis channel when its last local subscriber closes', async () => {
    const [a, pub] = [await bus(), await bus()];
    const s1 = await a.subscribe('T|unsub', () => {});
    const s2 = await a.subscribeQueue('T|unsub', () => {});
    const numsub = async () => ((await pub.commands.pubsub('NUMSUB', 'T|unsub')) as [string, number])[1];
    expect(await numsub()).toBe(1); // one Redis subscription for both
    await s1.close();
    expect(await numsub()).toBe(1);
    await s2.close();
    expect(await numsub()).toBe(0);
  });

  it('re-subscribes after its subscriber connection is killed', async () => {
    const [a, pub] = [await bus(), await bus()];
    const got: string[] = [];
    await a.subscribe('T|kill', (p) => got.push(p.toString()));
    await pub.commands.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await until('delivery after reconnect', async () => {
      await pub.publish('T|kill', Buffer.from('after'));
      return got.includes('after');
    });
  });

  it('recovers after a Redis restart on the same address: publish, subscribe and the queue lock work again', async () => {
    const [a, pub] = [await bus(), await bus()];
    const plain: string[] = [];
    const queued: string[] = [];
    await a.subscribe('T|restart', (p) => plain.push(p.toString()));
    await a.subscribeQueue('T|restart-q', (p) => queued.push(p.toString()));
    await redis.restart();
    let n = 0;
    await until('plain delivery after restart', async () => {
      await pub.publish('T|restart', Buffer.from(`p${n++}`)).catch(() => 0);
      return plain.length > 0;
    });
    await until('queue delivery after restart', async () => {
      await pub.publish('T|restart-q', Buffer.from(`q${n++}`)).catch(() => 0);
      return queued.length > 0;
    });
  });
});
