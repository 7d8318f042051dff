/**
 * Worker mode of `track-egress serve` (config with `redis:`): connects the cluster's Redis,
 * self-tests against the livekit-server, and puts the EgressService on the bus as a LiveKit egress
 * worker ({@link EgressWorker}). Loaded only in worker mode.
 */
import type { Logger } from 'pino';

import { PsrpcClient } from '../cluster/client.js';
import { RedisBus } from '../cluster/redis-bus.js';
import { CapacityMonitor } from '../cluster/worker/capacity.js';
import { EgressWorker } from '../cluster/worker/egress-worker.js';
import { InfoReporter } from '../cluster/worker/info-reporter.js';
import type { ClusterConfig } from '../config/cluster-config.js';
import type { EgressService } from '../egress/egress-service.js';

/** A running worker and what it runs on. */
export type WorkerMode = {
  worker: EgressWorker;
  capacity: CapacityMonitor;
  reporter: InfoReporter;
  /** Where Redis is, for logs: `host:port`, db, TLS, never the password. */
  redis: { address: string; db: number; tls: boolean };
  /** Closes what {@link EgressWorker.drain} does not: the reporter's client, the monitor, the bus. */
  close(): Promise<void>;
};

/**
 * Connects Redis and starts the worker (self-test first unless `cluster.selfTest` is false).
 * Call before `service.start()` so the leftovers of a killed process are reported to the server.
 * @throws Error "redis: cannot connect to <address> …" when Redis refuses or fails auth/TLS;
 *   the self-test's Error (names the channel and the pinned versions) when no livekit-server answers.
 */
export async function startWorkerMode(cluster: ClusterConfig, service: EgressService, logger: Logger): Promise<WorkerMode> {
  const redis = { address: cluster.redis.address ?? '127.0.0.1:6379', db: cluster.redis.db ?? 0, tls: Boolean(cluster.redis.tls) };
  let bus: RedisBus;
  try {
    bus = await RedisBus.connect({ ...cluster.redis, logger });
  } catch (err) {
    throw new Error(`redis: cannot connect to ${redis.address} (db ${redis.db}${redis.tls ? ', TLS' : ''}): ${(err as Error).message}`, { cause: err });
  }
  const client = new PsrpcClient(bus);
  const capacity = new CapacityMonitor(cluster.capacity);
  const reporter = new InfoReporter({ client, logger });
  const close = async () => {
    reporter.close();
    capacity.close();
    await client.close();
    await bus.close();
  };
  capacity.start();
  try {
    const worker = await EgressWorker.start({ bus, service, clusterId: cluster.clusterId, capacity, reporter, logger, selfTest: cluster.selfTest });
    return { worker, capacity, reporter, redis, close };
  } catch (err) {
    await close();
    throw err;
  }
}
