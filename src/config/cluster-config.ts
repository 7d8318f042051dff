/**
 * The worker-mode keys of `track-egress serve` (issue 10): with a `redis:` section the service
 * also joins a LiveKit cluster as an egress worker (docs/cluster.md). Key names are LiveKit
 * egress's (`egress: pkg/config/base.go`, `pkg/config/service.go`; `protocol: redis/redis.go`):
 *
 * ```yaml
 * redis: { address: 127.0.0.1:6379, username: "", password: "", db: 0, use_tls: false }
 * cluster_id: ""             # the StartEgress topic; the OSS livekit-server always uses ""
 * cpu_cost:
 *   max_cpu_utilization: 0.8 # LiveKit's place for it; a top-level max_cpu_utilization is read too
 *   track_cpu_cost: 0.05     # cores one track egress is counted at (LiveKit's: 0.5)
 * max_memory: 0              # GB (float), 0 = no memory admission; also read from cpu_cost.max_memory
 * memory_cost: 0             # GB one egress is counted at; also read from cpu_cost.memory_cost
 * cpus: 0                    # track-egress's: cores admission counts (0 = os.availableParallelism(); set a container's CPU limit)
 * drain_timeout: 0           # track-egress's: SIGTERM waits this long for running jobs (0 = until they end)
 * redis_self_test: true      # track-egress's: probe the livekit-server over Redis at start
 * ```
 */
import type { CapacityOptions } from '../cluster/worker/capacity.js';
import type { RedisBusOptions } from '../cluster/redis-bus.js';
import { ConfigError } from './config-error.js';
import type { ConfigReader } from './config-reader.js';

/** Bytes per GB as LiveKit egress counts `max_memory` / `memory_cost` (`1024³`, `pkg/stats/monitor.go`). */
export const BYTES_PER_GB = 1024 ** 3;

/** Worker mode of `serve`: where the cluster's Redis is and how the worker claims requests. */
export type ClusterConfig = {
  /** (`redis.*`) The bus; the same Redis and `db` as the livekit-server's. */
  redis: RedisBusOptions;
  /** (`cluster_id`) Topic `EgressInternal.StartEgress` is served on. Default `''` (what the OSS server calls). */
  clusterId: string;
  /** (`max_cpu_utilization`, `cpu_cost.track_cpu_cost`, `max_memory`, `memory_cost`, `cpus`) Admission (LiveKit §7). */
  capacity: CapacityOptions;
  /**
   * (`drain_timeout`) On SIGTERM/SIGINT: how long running jobs may go on before they are ended
   * (ENDING → COMPLETE), ms. Default 0 = wait until they end by themselves (LiveKit egress's behaviour).
   */
  drainTimeoutMs: number;
  /** (`redis_self_test`) Probe the livekit-server over Redis at start (exit 1 if none answers). Default true. */
  selfTest: boolean;
};

/** LiveKit's redis keys track-egress reads; the others (pool and timeout tuning) are accepted and ignored. */
const REDIS_IGNORED = ['dial_timeout', 'read_timeout', 'write_timeout', 'pool_size', 'pool_timeout', 'idle_timeout', 'max_retries', 'tls'];
/** LiveKit's cost keys of the egress types track-egress does not serve (accepted, unused). */
const OTHER_COSTS = [
  'max_concurrent_web', 'room_composite_cpu_cost', 'audio_room_composite_cpu_cost', 'web_cpu_cost', 'audio_web_cpu_cost',
  'participant_cpu_cost', 'track_composite_cpu_cost', 'memory_source',
];

/**
 * Reads the worker-mode keys of the top-level config. `undefined` when there is no `redis:`
 * section (standalone mode); the other worker keys are then reported in `warnings` as unused.
 * @throws ConfigError (`ERR_TE_INVALID_ARG`) naming the key: a wrong type, `redis.address` not
 *   `host:port`, `redis.db` not an integer ≥ 0, `max_cpu_utilization` outside [0, 1], a negative
 *   cost, Redis Sentinel / Cluster addresses (not supported).
 *   Never quotes `redis.password`.
 */
export function clusterConfigFromYaml(top: ConfigReader, warnings: string[]): ClusterConfig | undefined {
  const costs = top.section('cpu_cost');
  const maxCpu = fraction(costs, 'max_cpu_utilization') ?? fraction(top, 'max_cpu_utilization');
  const trackCpuCost = nonNegative(costs, 'track_cpu_cost');
  const maxMemoryGb = nonNegative(costs, 'max_memory') ?? nonNegative(top, 'max_memory');
  const memoryCostGb = nonNegative(costs, 'memory_cost') ?? nonNegative(top, 'memory_cost');
  for (const k of OTHER_COSTS) costs?.has(k);
  const cpus = nonNegative(top, 'cpus');
  const clusterId = top.string('cluster_id') ?? '';
  const drainTimeoutMs = top.durationMs('drain_timeout') ?? 0;
  const selfTest = top.bool('redis_self_test') ?? true;
  const redis = top.section('redis');
  costs?.reportUnread(warnings);
  if (!redis) {
    const set = ['cluster_id', 'cpu_cost', 'max_cpu_utilization', 'cpus', 'max_memory', 'memory_cost', 'drain_timeout', 'redis_self_test']
      .filter((k) => top.has(k));
    if (set.length) warnings.push(`${set.join(', ')}: worker-mode keys without a redis section (standalone mode); ignored`);
    return undefined;
  }
  const address = redis.string('address') ?? '';
  if (!address || !/^(\[[0-9A-Fa-f:.]+\]|[^\s:/[\]]+)(:\d{1,5})?$/.test(address)) {
    throw new ConfigError('redis.address', 'host:port of the Redis the livekit-server uses', address);
  }
  for (const k of ['sentinel_addresses', 'cluster_addresses']) {
    const list = redis.stringList(k);
    if (list?.length) throw new ConfigError(`redis.${k}`, 'empty: Redis Sentinel and Cluster are not supported by track-egress yet (use address)');
  }
  for (const k of ['sentinel_master_name', 'sentinel_username', 'sentinel_password', 'max_redirects', ...REDIS_IGNORED]) {
    if (redis.has(k)) warnings.push(`redis.${k}: a LiveKit key track-egress does not use; ignored`);
  }
  const useTls = redis.bool('use_tls') ?? false;
  const username = redis.string('username') || undefined;
  const password = redis.string('password', true) || undefined;
  const options: RedisBusOptions = { address, db: redis.int('db', 0, 1 << 30) ?? 0, ...(username ? { username } : {}), ...(password ? { password } : {}), ...(useTls ? { tls: true } : {}) };
  redis.reportUnread(warnings);
  const capacity: CapacityOptions = {
    ...(maxCpu ? { maxCpuUtilization: maxCpu } : {}),
    ...(trackCpuCost ? { trackCpuCost } : {}),
    ...(maxMemoryGb ? { maxMemoryBytes: Math.round(maxMemoryGb * BYTES_PER_GB) } : {}),
    ...(memoryCostGb ? { memoryCostBytes: Math.round(memoryCostGb * BYTES_PER_GB) } : {}),
    ...(cpus ? { cpus } : {}),
  };
  return { redis: options, clusterId, capacity, drainTimeoutMs, selfTest };
}

/** A number; `0` = the default (as LiveKit egress treats ≤ 0). */
function number(r: ConfigReader | undefined, key: string): number | undefined {
  if (!r) return undefined;
  const v = r.value(key);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(r.path(key), 'a number', v);
  return v;
}

function fraction(r: ConfigReader | undefined, key: string): number | undefined {
  const v = number(r, key);
  if (v !== undefined && (v < 0 || v > 1)) throw new ConfigError(r!.path(key), 'a fraction of the machine\'s CPU, 0 < x ≤ 1 (0 = default 0.8)', v);
  return v;
}

function nonNegative(r: ConfigReader | undefined, key: string): number | undefined {
  const v = number(r, key);
  if (v !== undefined && v < 0) throw new ConfigError(r!.path(key), 'a number ≥ 0 (0 = default)', v);
  return v;
}
