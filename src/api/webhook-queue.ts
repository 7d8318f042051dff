/**
 * Delivery of webhook events to one URL, off the job path: events of one egress go out in order,
 * one at a time; different egresses do not wait for each other; a failed POST is retried with
 * exponential backoff and dropped (counted, logged) after the last attempt. The queue is bounded:
 * when full, new events are dropped rather than held. Nothing here ever blocks the caller.
 */
import type { Logger } from 'pino';

import { signWebhookBody } from './webhook-event.js';

/** Retry and size policy of a {@link WebhookQueue}. */
export type WebhookRetryPolicy = {
  /** POST attempts per event, first included. Default 5 (LiveKit: 1 + 4 retries). */
  attempts: number;
  /** Delay before the first retry, doubled each time, ms. Default 1000 (LiveKit's). */
  minDelayMs: number;
  /** Longest delay between attempts, ms. Default 30 000 (LiveKit's). */
  maxDelayMs: number;
  /** Time limit of one POST, ms. Default 10 000. */
  timeoutMs: number;
  /** Events waiting per URL, all egresses together; more are dropped. Default 1000. */
  maxQueued: number;
};

export const DEFAULT_WEBHOOK_RETRY: WebhookRetryPolicy = {
  attempts: 5,
  minDelayMs: 1000,
  maxDelayMs: 30_000,
  timeoutMs: 10_000,
  maxQueued: 1000,
};

/** One event for one URL. */
export type WebhookDelivery = {
  /** Ordering key: the egress id. */
  key: string;
  /** Event name and id, for logs. */
  event: string;
  id: string;
  /** The JSON body, given the number of events this URL dropped since its last success. */
  encode(numDropped: number): string;
  /** Credentials the body is signed with. */
  apiKey: string;
  apiSecret: string;
};

/** Counters of a queue. */
export type WebhookQueueStats = { sent: number; dropped: number; queued: number };

/** 4xx answers other than these are final: retrying the same body cannot help. */
const RETRYABLE_4XX = new Set([408, 425, 429]);

/** The delivery queue of one URL. */
export class WebhookQueue {
  readonly url: string;
  /** The URL without query or credentials, for logs (a query may carry a token). */
  readonly #logUrl: string;
  readonly #policy: WebhookRetryPolicy;
  readonly #logger: Logger;
  readonly #pending = new Map<string, WebhookDelivery[]>();
  readonly #chains = new Set<Promise<void>>();
  readonly #stop = new AbortController();
  #queued = 0;
  #sent = 0;
  #dropped = 0;
  #droppedSinceSent = 0;

  constructor(url: string, policy: WebhookRetryPolicy, logger: Logger) {
    this.url = url;
    this.#logUrl = urlForLogs(url);
    this.#policy = policy;
    this.#logger = logger;
  }

  /** Queues an event; returns false when it was dropped (queue full or stopped). */
  push(delivery: WebhookDelivery): boolean {
    if (this.#stop.signal.aborted || this.#queued >= this.#policy.maxQueued) {
      this.#drop(delivery, this.#stop.signal.aborted ? 'notifier closed' : 'queue full');
      return false;
    }
    this.#queued++;
    const list = this.#pending.get(delivery.key);
    if (list) {
      list.push(delivery);
      return true;
    }
    const fresh = [delivery];
    this.#pending.set(delivery.key, fresh);
    const chain = this.#run(delivery.key, fresh).finally(() => this.#chains.delete(chain));
    this.#chains.add(chain);
    return true;
  }

  stats(): WebhookQueueStats {
    return { sent: this.#sent, dropped: this.#dropped, queued: this.#queued };
  }

  /** Waits until everything queued is delivered or dropped, at most `deadlineMs`; then drops the rest. */
  async drain(deadlineMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    });
    const done = (async () => {
      while (this.#chains.size > 0) await Promise.all([...this.#chains]);
    })();
    await Promise.race([done, deadline]);
    clearTimeout(timer);
    this.#stop.abort();
    await done;
  }

  /** Sends one egress's events in order, then forgets the key. */
  async #run(key: string, list: WebhookDelivery[]): Promise<void> {
    while (list.length > 0) {
      const delivery = list[0]!;
      try {
        await this.#deliver(delivery);
      } catch (err) {
        this.#drop(delivery, err instanceof Error ? err.message : String(err));
      }
      list.shift();
      this.#queued--;
    }
    this.#pending.delete(key);
  }

  async #deliver(delivery: WebhookDelivery): Promise<void> {
    const body = delivery.encode(this.#droppedSinceSent);
    const { attempts, minDelayMs, maxDelayMs, timeoutMs } = this.#policy;
    let why = '';
    for (let attempt = 1; attempt <= attempts && !this.#stop.signal.aborted; attempt++) {
      if (attempt > 1) await sleep(Math.min(maxDelayMs, minDelayMs * 2 ** (attempt - 2)), this.#stop.signal);
      if (this.#stop.signal.aborted) break;
      try {
        const response = await fetch(this.url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/webhook+json',
            Authorization: await signWebhookBody(body, delivery.apiKey, delivery.apiSecret),
            'User-Agent': 'LiveKit',
          },
          body,
          signal: AbortSignal.any([this.#stop.signal, AbortSignal.timeout(timeoutMs)]),
        });
        await response.body?.cancel();
        if (response.ok) {
          this.#sent++;
          this.#droppedSinceSent = 0;
          this.#logger.debug({ url: this.#logUrl, event: delivery.event, id: delivery.id, attempt }, 'sent webhook');
          return;
        }
        why = `HTTP ${response.status}`;
        if (response.status < 500 && !RETRYABLE_4XX.has(response.status)) break;
      } catch (err) {
        why = err instanceof Error ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}` : String(err);
      }
      this.#logger.debug({ url: this.#logUrl, event: delivery.event, id: delivery.id, attempt, why }, 'webhook attempt failed');
    }
    this.#drop(delivery, this.#stop.signal.aborted ? `notifier closed (${why || 'not sent'})` : why);
  }

  #drop(delivery: WebhookDelivery, why: string): void {
    this.#dropped++;
    this.#droppedSinceSent++;
    this.#logger.warn({ url: this.#logUrl, event: delivery.event, id: delivery.id, egressId: delivery.key, why }, 'dropped webhook');
  }
}

function urlForLogs(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
