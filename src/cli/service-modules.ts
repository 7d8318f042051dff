/**
 * The service, API server and webhook notifier as the CLI uses them, loaded on demand (the
 * LiveKit and AWS stacks are large; `convert` needs neither). Typed by the names of
 * docs/egress-service.md (the issue-8 contract): `EgressService` (src/egress/egress-service.ts),
 * `startApiServer` (src/api/api-server.ts), `WebhookNotifier` (src/api/webhook-notifier.ts).
 */
import type { EgressInfo } from '@livekit/protocol';
import type { Logger } from 'pino';

import type { EgressServiceConfig, EgressServiceLike } from '../egress/service-types.js';

/** An EgressService as the CLI drives it. */
export type EgressServiceHandle = EgressServiceLike & {
  /** Recovers leftovers of a killed process; resolves with their EgressInfos. */
  start(): Promise<EgressInfo[]>;
  /** Ends running jobs cleanly (ENDING → COMPLETE), then releases everything. */
  close(opts?: { deadlineMs?: number }): Promise<void>;
};

/** What `startApiServer` takes (see src/api/api-server.ts). */
export type ApiServerOptions = {
  service: EgressServiceLike;
  apiKey: string;
  apiSecret: string;
  host?: string;
  port?: number;
  healthPort?: number;
  prometheusPort?: number;
  logger?: Logger;
};

/** A running API server. */
export type ApiServerHandle = { port: number; close(): Promise<void> };

/** A webhook notifier attached to a service. */
export type WebhookNotifierHandle = { attach(service: EgressServiceLike): void; close(): Promise<void> };

// Module paths in variables: loaded at run time only (`serve`/`record`), never by `convert`.
const SERVICE = '../egress/egress-service.js';
const API_SERVER = '../api/api-server.js';
const NOTIFIER = '../api/webhook-notifier.js';

/** `new EgressService(config)`. */
export async function createEgressService(config: EgressServiceConfig): Promise<EgressServiceHandle> {
  const { EgressService } = (await import(SERVICE)) as { EgressService: new (c: EgressServiceConfig) => EgressServiceHandle };
  return new EgressService(config);
}

/** `startApiServer(opts)`: the Twirp API, `/healthz` and `/metrics`. */
export async function startApi(opts: ApiServerOptions): Promise<ApiServerHandle> {
  const { startApiServer } = (await import(API_SERVER)) as { startApiServer: (o: ApiServerOptions) => Promise<ApiServerHandle> };
  return startApiServer(opts);
}

/** `new WebhookNotifier(opts)`. */
export async function createWebhookNotifier(opts: {
  apiKey: string;
  apiSecret: string;
  urls: string[];
  logger?: Logger;
}): Promise<WebhookNotifierHandle> {
  const { WebhookNotifier } = (await import(NOTIFIER)) as { WebhookNotifier: new (o: typeof opts) => WebhookNotifierHandle };
  return new WebhookNotifier(opts);
}
