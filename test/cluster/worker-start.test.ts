// Start-up failures of the worker, with a real Redis and no livekit-server on it: the self-test
// names the channel and the pinned versions (serve exits 1 with it); an unreachable Redis is named.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startWorkerMode } from '../../src/cli/worker-mode.js';
import { requestChannel } from '../../src/cluster/channels.js';
import { UPSTREAM_VERSIONS } from '../../src/cluster/gen/versions.js';
import { RedisBus } from '../../src/cluster/redis-bus.js';
import { EgressWorker } from '../../src/cluster/worker/egress-worker.js';
import { EgressService } from '../../src/egress/egress-service.js';
import { freeTcpPort } from '../support/free-port.js';
import { startRedisServer, type TestRedisServer } from '../support/redis-server.js';

let redis: TestRedisServer;
let dir: string;
let service: EgressService;
const silent = pino({ level: 'silent' });

beforeAll(async () => {
  redis = await startRedisServer();
  dir = mkdtempSync(join(tmpdir(), 'te-worker-start-'));
  service = new EgressService({ apiKey: 'k', apiSecret: 's'.repeat(32), wsUrl: 'ws://127.0.0.1:1', recordingsDir: dir });
});
afterAll(async () => {
  await redis?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('worker start-up', () => {
  it('no livekit-server on the Redis: the self-test fails naming the channel and the pinned versions, and leaves nothing subscribed', async () => {
    const bus = await RedisBus.connect({ address: redis.address });
    try {
      const err = await EgressWorker.start({ bus, service, selfTestRetryMs: 0 }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(/^egress worker self-test failed: no livekit-server answered on Redis channel IOInfo\|ListEgress\|REQ/);
      expect(err?.message).toContain(UPSTREAM_VERSIONS.livekitServer);
      expect(err?.message).toContain(UPSTREAM_VERSIONS.psrpc);
      const channels = (await bus.commands.pubsub('CHANNELS', 'EgressInternal*')) as string[];
      expect(channels).toEqual([]);
    } finally {
      await bus.close();
    }
  }, 30_000);

  it('selfTest: false registers StartEgress on the cluster id without a server', async () => {
    const bus = await RedisBus.connect({ address: redis.address });
    try {
      const worker = await EgressWorker.start({ bus, service, selfTest: false, clusterId: 'eu-1' });
      const [, n] = (await bus.commands.pubsub('NUMSUB', requestChannel('EgressInternal', 'StartEgress', ['eu-1']))) as [string, number];
      expect(n).toBe(1);
      expect(worker.nodeId).toMatch(/^SRV_[0-9A-Za-z]{12}$/);
      await worker.drain();
      const [, after] = (await bus.commands.pubsub('NUMSUB', requestChannel('EgressInternal', 'StartEgress', ['eu-1']))) as [string, number];
      expect(after).toBe(0);
    } finally {
      await bus.close();
    }
  });

  it('an unreachable Redis is named in the error (no password in it)', async () => {
    const port = await freeTcpPort();
    const err = await startWorkerMode(
      { redis: { address: `127.0.0.1:${port}`, password: 'pw-secret-123' }, clusterId: '', capacity: {}, drainTimeoutMs: 0, selfTest: true },
      service,
      silent,
    ).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(new RegExp(`^redis: cannot connect to 127\\.0\\.0\\.1:${port} \\(db 0\\)`));
    expect(err?.message).not.toContain('pw-secret-123');
  });
});
