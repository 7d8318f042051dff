/**
 * Sends an egress service's status changes as LiveKit webhooks (`egress_started`,
 * `egress_updated`, `egress_ended`) to the configured URLs and to each request's own `webhooks`,
 * signed as LiveKit's server signs them, so livekit-server-sdk's `WebhookReceiver` accepts them.
 * Delivery runs in per-URL queues (`webhook-queue.ts`): retried, ordered per egress, bounded,
 * never blocking the service.
 */
import { type EgressInfo, EgressStatus, type WebhookConfig } from '@livekit/protocol';
import { pino, type Logger } from 'pino';

import type { EgressServiceLike } from '../egress/service-types.js';
import { egressWebhookEvent, webhookNameFor } from './webhook-event.js';
import { DEFAULT_WEBHOOK_RETRY, WebhookQueue, type WebhookQueueStats, type WebhookRetryPolicy } from './webhook-queue.js';

/** Options of {@link WebhookNotifier}. */
export type WebhookNotifierOptions = {
  /** Key and secret events are signed with (the receiver verifies with the same pair). */
  apiKey: string;
  apiSecret: string;
  /** Server-wide URLs (LiveKit server's `webhook.urls`); every event goes to each. */
  urls: readonly string[];
  /**
   * Other API keys a request's `WebhookConfig.signing_key` may name (LiveKit's key provider).
   * `signing_key` empty or equal to `apiKey` signs with `apiKey`/`apiSecret`.
   */
  keys?: Readonly<Record<string, string>>;
  /** Retry and queue policy; defaults in `DEFAULT_WEBHOOK_RETRY`. */
  retry?: Partial<WebhookRetryPolicy>;
  /** Default: silent. */
  logger?: Logger;
};

const TERMINAL = new Set([
  EgressStatus.EGRESS_COMPLETE,
  EgressStatus.EGRESS_FAILED,
  EgressStatus.EGRESS_ABORTED,
  EgressStatus.EGRESS_LIMIT_REACHED,
]);

/**
 * @example
 * const notifier = new WebhookNotifier({ apiKey, apiSecret, urls: ['https://example.com/lk'] });
 * notifier.attach(service);
 * // … on shutdown, after the service closed:
 * await notifier.close();
 */
export class WebhookNotifier {
  readonly #apiKey: string;
  readonly #apiSecret: string;
  readonly #urls: readonly string[];
  readonly #keys: Readonly<Record<string, string>>;
  readonly #policy: WebhookRetryPolicy;
  readonly #logger: Logger;
  readonly #queues = new Map<string, WebhookQueue>();
  /** Egresses whose `egress_started` went out (LiveKit sends it once); forgotten at the end. */
  readonly #started = new Set<string>();
  readonly #detach: (() => void)[] = [];

  constructor(options: WebhookNotifierOptions) {
    this.#apiKey = options.apiKey;
    this.#apiSecret = options.apiSecret;
    this.#urls = [...options.urls];
    this.#keys = options.keys ?? {};
    this.#policy = { ...DEFAULT_WEBHOOK_RETRY, ...options.retry };
    this.#logger = options.logger ?? pino({ level: 'silent' });
  }

  /** Sends an event for every `update` the service emits from now on. */
  attach(service: EgressServiceLike): void {
    const listener = (info: EgressInfo, webhooks: readonly WebhookConfig[]) => this.notify(info, webhooks);
    service.on('update', listener);
    this.#detach.push(() => service.off('update', listener));
  }

  /**
   * Queues the event for one EgressInfo update (already redacted by the service) to the
   * configured URLs and to `webhooks`. Returns at once. A repeated STARTING is not sent twice.
   */
  notify(info: EgressInfo, webhooks: readonly WebhookConfig[] = []): void {
    const name = webhookNameFor(info.status);
    if (name === 'egress_started') {
      if (this.#started.has(info.egressId)) return;
      this.#started.add(info.egressId);
    }
    if (TERMINAL.has(info.status)) this.#started.delete(info.egressId);

    const event = egressWebhookEvent(name, info);
    const targets: { url: string; apiKey: string; apiSecret: string }[] = this.#urls.map((url) => ({
      url,
      apiKey: this.#apiKey,
      apiSecret: this.#apiSecret,
    }));
    for (const webhook of webhooks) {
      const filter = webhook.filterParams;
      if (filter?.includeEvents.length ? !filter.includeEvents.includes(name) : filter?.excludeEvents.includes(name)) continue;
      const apiKey = webhook.signingKey || this.#apiKey;
      const apiSecret = apiKey === this.#apiKey ? this.#apiSecret : this.#keys[apiKey];
      if (apiSecret === undefined) {
        // LiveKit refuses such a webhook too ("no secret for provided signing key").
        this.#logger.warn({ event: name, egressId: info.egressId, signingKey: apiKey }, 'no secret for the webhook signing key; not sent');
        continue;
      }
      targets.push({ url: webhook.url, apiKey, apiSecret });
    }
    for (const { url, apiKey, apiSecret } of targets) {
      this.#queue(url).push({
        key: info.egressId,
        event: name,
        id: event.id,
        apiKey,
        apiSecret,
        encode: (numDropped) => {
          const copy = event.clone();
          copy.numDropped = numDropped;
          return copy.toJsonString();
        },
      });
    }
  }

  /** Delivery counters per URL. */
  stats(): Map<string, WebhookQueueStats> {
    return new Map([...this.#queues].map(([url, queue]) => [url, queue.stats()]));
  }

  /**
   * Stops listening, then waits for queued events (retries included) up to `deadlineMs`
   * (default 5000); what is still undelivered then is dropped and logged.
   */
  async close({ deadlineMs = 5000 }: { deadlineMs?: number } = {}): Promise<void> {
    for (const detach of this.#detach.splice(0)) detach();
    await Promise.all([...this.#queues.values()].map((queue) => queue.drain(deadlineMs)));
  }

  #queue(url: string): WebhookQueue {
    let queue = this.#queues.get(url);
    if (!queue) {
      queue = new WebhookQueue(url, this.#policy, this.#logger);
      this.#queues.set(url, queue);
    }
    return queue;
  }
}
