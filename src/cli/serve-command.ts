/**
 * `track-egress serve`: loads the config, starts the EgressService (reporting leftovers of a
 * killed process), the Twirp API (+ /healthz, /metrics) and, in standalone mode, the webhook
 * notifier; SIGINT/SIGTERM close everything gracefully (running jobs end COMPLETE), a second
 * signal exits at once.
 *
 * Worker mode (a `redis:` section, docs/cluster.md): the service also joins the LiveKit cluster as
 * an egress worker ({@link startWorkerMode}); the LiveKit server sends the webhooks (our notifier is
 * not attached). SIGINT/SIGTERM then follow LiveKit egress: stop claiming at once, let running jobs
 * finish for up to `drain_timeout` (0 = until they end), then end the rest ENDING → COMPLETE,
 * deliver the last updates to the server, exit 0; a second signal ends the jobs at once (COMPLETE
 * files), a third exits immediately.
 */
import type { Logger } from 'pino';

import { startApiServer } from '../api/api-server.js';
import { WebhookNotifier } from '../api/webhook-notifier.js';
import { loadConfig, type ServeConfig } from '../config/load-config.js';
import { resolvePcmStreamOptions } from '../egress/websocket/pcm-stream-options.js';
import { createLogger } from '../config/logger.js';
import type { ServeArgs } from './service-args.js';
import { statusName } from './progress-line.js';
import { createEgressService } from './service-modules.js';
import type { WorkerMode } from './worker-mode.js';

/** How long a graceful shutdown waits for running jobs to finish their files, ms. */
export const SHUTDOWN_DEADLINE_MS = 30_000;

/**
 * Runs the service until SIGINT/SIGTERM. Resolves with the exit code (0 after a clean shutdown).
 * @throws ConfigError (`ERR_TE_INVALID_ARG`, exit 2) for a bad config; the listen error
 *   (`EADDRINUSE`, …) when a port is taken; in worker mode the Redis connection error or the
 *   self-test's error (exit 1).
 */
export async function runServe(args: ServeArgs): Promise<number> {
  const config = await loadConfig({ file: args.config, flags: args.flags });
  const logger = createLogger(config.logLevel);
  config.logger = logger;
  for (const w of config.warnings) logger.warn(w);

  const service = await createEgressService(config);
  let notifier: WebhookNotifier | undefined;
  let cluster: WorkerMode | undefined;
  if (config.cluster) {
    const { startWorkerMode } = await import('./worker-mode.js');
    try {
      cluster = await startWorkerMode(config.cluster, service, logger);
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'egress worker could not start');
      logger.flush();
      throw err;
    }
  } else {
    notifier = new WebhookNotifier({ apiKey: config.apiKey, apiSecret: config.apiSecret, urls: config.webhookUrls ?? [], logger });
    notifier.attach(service);
  }
  for (const info of await service.start()) {
    logger.warn(
      { egressId: info.egressId, status: statusName(info.status), error: info.error, files: info.fileResults.map((f) => ({ location: f.location, size: Number(f.size) })) },
      'a recording left by a killed process (reported as ended; see the egress_ended webhook and ListEgress)',
    );
  }
  const api = await startApiServer({
    service,
    apiKey: config.apiKey,
    apiSecret: config.apiSecret,
    host: config.apiHost,
    port: config.apiPort,
    healthPort: config.healthPort,
    prometheusPort: config.prometheusPort,
    logger,
  });
  const url = `http://${config.apiHost.includes(':') ? `[${config.apiHost}]` : config.apiHost}:${api.port}`;
  const details = { host: config.apiHost, port: api.port, wsUrl: config.wsUrl, recordingsDir: config.recordingsDir, s3Bucket: config.s3?.bucket,
    websocketPcm: resolvePcmStreamOptions(config.websocket) };
  if (cluster) {
    logger.info(
      { ...details, nodeId: cluster.worker.nodeId, clusterId: config.cluster!.clusterId, redis: cluster.redis, capacity: cluster.capacity.snapshot() },
      `track-egress egress worker ready: node ${cluster.worker.nodeId} takes track egress from the LiveKit server over Redis ${cluster.redis.address}; API on ${url}`,
    );
  } else {
    logger.info(details, `track-egress serving LiveKit's Egress API on ${url}`);
  }

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  if (cluster) await drainWorker(cluster, config, logger, signal);
  else {
    logger.info({ signal }, 'shutting down: ending running egresses');
    process.once(signal, () => process.exit(128 + (signal === 'SIGINT' ? 2 : 15))); // a second signal: now
  }
  await api.close();
  await service.close({ deadlineMs: SHUTDOWN_DEADLINE_MS });
  await notifier?.close();
  await cluster?.close();
  logger.info('stopped');
  logger.flush();
  return 0;
}

/** Worker-mode shutdown (see the file comment): drain, a second signal cuts the wait, a third exits. */
async function drainWorker(cluster: WorkerMode, config: ServeConfig, logger: Logger, signal: NodeJS.Signals): Promise<void> {
  const drainTimeoutMs = config.cluster!.drainTimeoutMs;
  logger.info({ signal, nodeId: cluster.worker.nodeId, running: cluster.worker.activeEgressIds().length, drainTimeoutMs },
    drainTimeoutMs > 0 ? `draining: no new egress; running ones may go on for up to ${drainTimeoutMs} ms` : 'draining: no new egress; waiting for the running ones to end');
  let signals = 1;
  const again = (s: NodeJS.Signals) => {
    signals++;
    if (signals >= 3) process.exit(128 + (s === 'SIGINT' ? 2 : 15));
    logger.info({ signal: s }, 'second signal: ending the running egresses now');
    void cluster.worker.drain({ now: true });
  };
  process.on('SIGINT', again);
  process.on('SIGTERM', again);
  await cluster.worker.drain({ deadlineMs: drainTimeoutMs });
}
