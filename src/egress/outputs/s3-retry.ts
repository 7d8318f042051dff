/**
 * Retrying S3 requests through an outage: each failing request is retried with exponential
 * backoff (minRetryDelayMs doubling up to maxRetryDelayMs); the storage may stay unreachable for
 * maxOutageMs in total (counted from the first failure, reset by any success) before the upload
 * gives up. Errors the storage answers with a client status (403 AccessDenied, 404 NoSuchBucket,
 * 400 …, except 408/409/429) will not heal by waiting and fail at once.
 *
 * A give-up becomes an EgressError whose message starts, as LiveKit's, with `S3 upload failed: `:
 * `unavailable` (503) for an outage (network errors, timeouts, 5xx), `invalid_argument` (400,
 * LiveKit's code for every upload failure) when the storage refused the request.
 */
import type { Logger } from 'pino';

import { EgressError } from '../egress-error.js';
import { scrubSecrets } from '../redact.js';
import type { UploadPolicy } from '../service-types.js';

export const DEFAULT_UPLOAD_POLICY: Required<UploadPolicy> = { minRetryDelayMs: 100, maxRetryDelayMs: 5000, maxOutageMs: 300_000 };

type AwsLikeError = Error & { $metadata?: { httpStatusCode?: number }; Code?: string; code?: string };

/** HTTP status of an SDK error, if the storage answered. */
export function httpStatusOf(err: unknown): number | undefined {
  return (err as AwsLikeError)?.$metadata?.httpStatusCode;
}

/** True when waiting may help: no answer at all (network, timeout), 5xx, 408, 409, 429. */
export function isTransient(err: unknown): boolean {
  const status = httpStatusOf(err);
  return status === undefined || status >= 500 || status === 408 || status === 409 || status === 429;
}

/** Short description of an SDK/network error, with the given secrets replaced by `{redacted}`. */
export function describeS3Error(err: unknown, secrets: readonly string[]): string {
  const e = err as AwsLikeError;
  const status = httpStatusOf(err);
  const text = `${e?.name ?? 'Error'}${e?.code && e.code !== e.name ? ` (${e.code})` : ''}: ${e?.message ?? String(err)}${status ? ` [HTTP ${status}]` : ''}`;
  return scrubSecrets(text, secrets);
}

/** Runs S3 requests with the outage policy; one per sink or recovery (its outage clock is shared). */
export class S3Retrier {
  readonly policy: Required<UploadPolicy>;
  /** Failed requests that were retried. */
  retries = 0;
  /** Since when the storage has been failing (undefined while it answers). */
  outageSince: number | undefined;

  constructor(
    policy: UploadPolicy | undefined,
    private readonly opts: { secrets: readonly string[]; signal: AbortSignal; logger?: Logger; context: string },
  ) {
    this.policy = { ...DEFAULT_UPLOAD_POLICY, ...Object.fromEntries(Object.entries(policy ?? {}).filter(([, v]) => v !== undefined)) };
  }

  /**
   * Runs `request` (given an AbortSignal for the SDK call) until it succeeds.
   * @throws EgressError (see the top of this file), or the abort reason when the signal aborts.
   */
  async run<T>(what: string, request: (signal: AbortSignal) => Promise<T>): Promise<T> {
    let delay = this.policy.minRetryDelayMs;
    for (;;) {
      this.opts.signal.throwIfAborted();
      try {
        const result = await request(this.opts.signal);
        this.outageSince = undefined;
        return result;
      } catch (err) {
        this.opts.signal.throwIfAborted();
        const reason = describeS3Error(err, this.opts.secrets);
        if (!isTransient(err)) throw new EgressError('invalid_argument', `S3 upload failed: ${what}: ${reason}`, { cause: err });
        const now = Date.now();
        this.outageSince ??= now;
        if (now - this.outageSince + delay > this.policy.maxOutageMs) {
          throw new EgressError('unavailable', `S3 upload failed: storage unreachable for ${Math.round((now - this.outageSince) / 1000)} s (limit ${Math.round(this.policy.maxOutageMs / 1000)} s); last error: ${what}: ${reason}`, { cause: err });
        }
        this.retries++;
        this.opts.logger?.warn({ context: this.opts.context, what, error: reason, retryInMs: delay }, 'S3 request failed; retrying');
        await sleep(delay, this.opts.signal);
        delay = Math.min(delay * 2, this.policy.maxRetryDelayMs);
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
