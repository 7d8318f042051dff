/**
 * track-egress/egress — the egress service, embeddable in a Node server: {@link EgressService}
 * (LiveKit's Track Egress: `startTrackEgress` → EgressInfo STARTING → ACTIVE → ENDING → COMPLETE,
 * local files under one root or S3 uploaded while recording, or an audio track streamed as PCM to a
 * WebSocket with `websocket_url`, format set by {@link PcmStreamOptions}), its Twirp HTTP API for
 * `livekit-server-sdk`'s `EgressClient` ({@link startApiServer}), signed webhooks
 * ({@link WebhookNotifier}), Prometheus metrics ({@link egressMetrics}) and the YAML config of
 * `track-egress serve` ({@link loadConfig}). See docs/egress-service.md.
 *
 * @example
 * const service = new EgressService({ apiKey, apiSecret, wsUrl: 'ws://127.0.0.1:7880' });
 * await service.start(); // reports what a killed process left
 * const api = await startApiServer({ service, apiKey, apiSecret, port: 7980 });
 * new WebhookNotifier({ apiKey, apiSecret, urls: ['https://example.com/hook'] }).attach(service);
 *
 * This list is the public surface: everything else under src/ is internal and may change.
 * test/unit/package-entry.test.ts pins it, so adding or removing an export is a deliberate change.
 */
export { EgressService } from './egress-service.js';
export { EgressError, TWIRP_HTTP_STATUS } from './egress-error.js';
export type { TwirpCode } from './egress-error.js';
export type {
  EgressJobStats,
  EgressServiceConfig,
  EgressServiceEvents,
  EgressServiceLike,
  ListEgressFilter,
  SessionLimits,
  UploadPolicy,
} from './service-types.js';
export type { SinkStats, UploadState } from './outputs/output-sink.js';
export type { PcmStreamOptions } from './websocket/pcm-stream-options.js';
export { startApiServer } from '../api/api-server.js';
export type { ApiServer, ApiServerOptions } from '../api/api-server.js';
export { WebhookNotifier } from '../api/webhook-notifier.js';
export type { WebhookNotifierOptions } from '../api/webhook-notifier.js';
export { egressMetrics } from '../api/metrics.js';
export { loadConfig } from '../config/load-config.js';
export type { LoadConfigOptions, ServeConfig } from '../config/load-config.js';
export { ConfigError } from '../config/config-error.js';
export { createLogger } from '../config/logger.js';
