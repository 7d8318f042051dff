/**
 * `track-egress serve`: loads the config, starts the EgressService (reporting leftovers of a
 * killed process), the Twirp API (+ /healthz, /metrics) and the webhook notifier; SIGINT/SIGTERM
 * close everything gracefully (running jobs end COMPLETE), a second signal exits at once.
 */
import { startApiServer } from '../api/api-server.js';
import { WebhookNotifier } from '../api/webhook-notifier.js';
import { loadConfig } from '../config/load-config.js';
import { resolvePcmStreamOptions } from '../egress/websocket/pcm-stream-options.js';
import { createLogger } from '../config/logger.js';
import type { ServeArgs } from './service-args.js';
import { statusName } from './progress-line.js';
import { createEgressService } from './service-modules.js';

/** How long a graceful shutdown waits for running jobs to finish their files, ms. */
export const SHUTDOWN_DEADLINE_MS = 30_000;

/**
 * Runs the service until SIGINT/SIGTERM. Resolves with the exit code (0 after a clean shutdown).
 * @throws ConfigError (`ERR_TE_INVALID_ARG`, exit 2) for a bad config; the listen error
 *   (`EADDRINUSE`, …) when a port is taken.
 */
export async function runServe(args: ServeArgs): Promise<number> {
  const config = await loadConfig({ file: args.config, flags: args.flags });
  const logger = createLogger(config.logLevel);
  config.logger = logger;
  for (const w of config.warnings) logger.warn(w);

  const service = await createEgressService(config);
  const notifier = new WebhookNotifier({ apiKey: config.apiKey, apiSecret: config.apiSecret, urls: config.webhookUrls ?? [], logger });
  notifier.attach(service);
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
  logger.info(
    { host: config.apiHost, port: api.port, wsUrl: config.wsUrl, recordingsDir: config.recordingsDir, s3Bucket: config.s3?.bucket,
      websocketPcm: resolvePcmStreamOptions(config.websocket) },
    `track-egress serving LiveKit's Egress API on http://${config.apiHost.includes(':') ? `[${config.apiHost}]` : config.apiHost}:${api.port}`,
  );

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  logger.info({ signal }, 'shutting down: ending running egresses');
  process.once(signal, () => process.exit(128 + (signal === 'SIGINT' ? 2 : 15))); // a second signal: now
  await api.close();
  await service.close({ deadlineMs: SHUTDOWN_DEADLINE_MS });
  await notifier.close();
  logger.info('stopped');
  logger.flush();
  return 0;
}
