// Worker-mode keys of `serve` (src/config/cluster-config.ts) through loadConfig: LiveKit egress's
// key names (redis.*, cluster_id, cpu_cost.*), track-egress's (drain_timeout, redis_self_test),
// errors naming the key and never the Redis password.
import { describe, expect, it } from 'vitest';

import { BYTES_PER_GB } from '../../../src/config/cluster-config.js';
import { loadConfig } from '../../../src/config/load-config.js';

const BASE = 'api_key: k\napi_secret: s\nws_url: ws://h\n';
const PASSWORD = 'redis-pass-0123456789abcdef';
const load = (yaml: string) => loadConfig({ body: BASE + yaml, env: {} });
const failure = async (yaml: string): Promise<Error & { code?: string; key?: string }> => {
  try {
    await load(yaml);
  } catch (err) {
    return err as Error & { code?: string; key?: string };
  }
  throw new Error('loadConfig resolved');
};

describe('cluster config: worker mode', () => {
  it('no redis section → standalone (no cluster), worker keys warned as unused', async () => {
    expect((await load('')).cluster).toBeUndefined();
    const c = await load('cluster_id: c1\ndrain_timeout: 30s\n');
    expect(c.cluster).toBeUndefined();
    expect(c.warnings).toEqual([expect.stringMatching(/^cluster_id, drain_timeout: worker-mode keys without a redis section/)]);
  });

  it('a LiveKit egress config (redis.*, cluster_id, cpu_cost.*) maps to ClusterConfig', async () => {
    const c = await load(`
redis:
  address: redis.internal:6380
  username: egress
  password: ${PASSWORD}
  db: 3
  use_tls: true
cluster_id: eu-1
cpu_cost:
  max_cpu_utilization: 0.7
  track_cpu_cost: 0.1
  room_composite_cpu_cost: 4
  web_cpu_cost: 4
  max_memory: 2
  memory_cost: 0.25
drain_timeout: 1m30s
redis_self_test: false
`);
    expect(c.cluster).toEqual({
      redis: { address: 'redis.internal:6380', username: 'egress', password: PASSWORD, db: 3, tls: true },
      clusterId: 'eu-1',
      capacity: { maxCpuUtilization: 0.7, trackCpuCost: 0.1, maxMemoryBytes: 2 * BYTES_PER_GB, memoryCostBytes: 0.25 * BYTES_PER_GB },
      drainTimeoutMs: 90_000,
      selfTest: false,
    });
    expect(c.warnings).toEqual([]);
  });

  it('defaults: cluster_id "", drain_timeout 0 (wait for jobs), self-test on, capacity defaults left to the monitor', async () => {
    const c = await load('redis: { address: 127.0.0.1:6379 }\n');
    expect(c.cluster).toEqual({ redis: { address: '127.0.0.1:6379', db: 0 }, clusterId: '', capacity: {}, drainTimeoutMs: 0, selfTest: true });
  });

  it('top-level max_cpu_utilization / max_memory / memory_cost are read too, and cpus; 0 = default', async () => {
    const c = await load('redis: { address: h:1 }\nmax_cpu_utilization: 0.5\nmax_memory: 1.5\nmemory_cost: 0\ncpu_cost: { track_cpu_cost: 0 }\ncpus: 4\n');
    expect(c.cluster!.capacity).toEqual({ maxCpuUtilization: 0.5, maxMemoryBytes: 1.5 * BYTES_PER_GB, cpus: 4 });
  });

  it('in worker mode a webhook section is ignored with a warning (the LiveKit server sends them); the old "redis ignored" warning is gone', async () => {
    const c = await load("redis: { address: h:1 }\nwebhook: { api_key: k, urls: ['http://hooks/x'] }\n");
    expect(c.warnings).toEqual(['webhook: ignored in worker mode: the LiveKit server sends egress webhooks']);
  });

  it('unused LiveKit redis keys and unknown keys are warned about', async () => {
    const c = await load('redis: { address: h:1, pool_size: 10, colour: red }\n');
    expect(c.warnings).toEqual([
      'redis.pool_size: a LiveKit key track-egress does not use; ignored',
      expect.stringMatching(/^redis\.colour: unknown key/),
    ]);
  });

  it.each([
    ['redis: { db: 1 }\n', 'redis.address'],
    ['redis: { address: "h:1/x" }\n', 'redis.address'],
    ['redis: { address: h:1, db: -1 }\n', 'redis.db'],
    ['redis: { address: h:1, db: one }\n', 'redis.db'],
    ['redis: { address: h:1, use_tls: yes please }\n', 'redis.use_tls'],
    ['redis: { address: h:1, sentinel_addresses: [a:1] }\n', 'redis.sentinel_addresses'],
    ['redis: { address: h:1, cluster_addresses: [a:1] }\n', 'redis.cluster_addresses'],
    ['redis: { address: h:1 }\ncpu_cost: { max_cpu_utilization: 1.5 }\n', 'cpu_cost.max_cpu_utilization'],
    ['redis: { address: h:1 }\nmax_cpu_utilization: high\n', 'max_cpu_utilization'],
    ['redis: { address: h:1 }\ncpu_cost: { track_cpu_cost: -0.1 }\n', 'cpu_cost.track_cpu_cost'],
    ['redis: { address: h:1 }\nmax_memory: -1\n', 'max_memory'],
    ['redis: { address: h:1 }\ncpus: -2\n', 'cpus'],
    ['redis: { address: h:1 }\ndrain_timeout: 30\n', 'drain_timeout'],
    ['redis: { address: h:1 }\ncluster_id: [a]\n', 'cluster_id'],
    ['redis: h:1\n', 'redis'],
  ])('%j → ConfigError naming %s', async (yaml, key) => {
    const err = await failure(yaml);
    expect(err.code).toBe('ERR_TE_INVALID_ARG');
    expect(err.key).toBe(key);
    expect(err.message).toContain(key);
  });

  it('a bad redis.password never appears in the error', async () => {
    const err = await failure(`redis: { address: h:1, password: [${PASSWORD}] }\n`);
    expect(err.key).toBe('redis.password');
    expect(err.message).not.toContain(PASSWORD);
  });
});
