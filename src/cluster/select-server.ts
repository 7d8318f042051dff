/**
 * How a psrpc client picks the server for a request that needs a claim
 * (`psrpc@v0.7.2: pkg/client/rpc.go:165-231` `selectServer`, defaults from
 * `pkg/client/options.go:29-58` `getRequestOpts`, option fields from `request.go` `SelectionOpts`).
 */
import { noResponse, noServersAvailable, type PsrpcError } from './errors.js';

/** psrpc's `SelectionOpts` (times in ms). Zero / unset means "off". */
export interface SelectionOptions {
  /** A claim below this affinity is ignored (when > 0). */
  minimumAffinity?: number;
  /** A claim with at least this affinity (when > 0) is taken at once. */
  maximumAffinity?: number;
  /** Take the first acceptable claim at once (methods without affinity). */
  acceptFirstAvailable?: boolean;
  /** Selection ends this long after the request was sent, ms. */
  affinityTimeoutMs?: number;
  /** Selection ends this long after the first acceptable claim, ms. */
  shortCircuitTimeoutMs?: number;
}

/** `DefaultAffinityTimeout` (`psrpc@v0.7.2: client.go:26`), ms. */
export const DEFAULT_AFFINITY_TIMEOUT_MS = 1000;
/** `DefaultAffinityShortCircuit` (`client.go:27`), ms. */
export const DEFAULT_AFFINITY_SHORT_CIRCUIT_MS = 200;

/**
 * The selection a request gets when it names none (`options.go:41-51`): with affinity, the best
 * claim 200 ms after the first one (1 s at most); without, the first claim.
 * @param selectionTimeoutMs the client's `SelectionTimeout` (default 1 s).
 */
export function defaultSelection(affinityEnabled: boolean, selectionTimeoutMs = DEFAULT_AFFINITY_TIMEOUT_MS): SelectionOptions {
  return affinityEnabled
    ? { affinityTimeoutMs: selectionTimeoutMs, shortCircuitTimeoutMs: DEFAULT_AFFINITY_SHORT_CIRCUIT_MS }
    : { affinityTimeoutMs: selectionTimeoutMs, acceptFirstAvailable: true };
}

/**
 * One request's server selection. Feed it claims ({@link onClaim}) and error responses
 * ({@link onErrorResponse}); {@link result} settles with the chosen server id, or rejects with
 * psrpc's error when the selection window closes without one:
 * - a server was chosen → its id (the highest affinity seen; ties keep the first; an affinity of 0
 *   is never "higher" than none, `rpc.go:213`);
 * - an error response arrived → that error (`rpc.go:196-197`, 224-228);
 * - claims arrived but none acceptable → `unavailable` "no servers available (received N responses)";
 * - nothing → `unavailable` "no response from servers" (`ErrNoResponse`).
 * The window closes at `affinityTimeoutMs`, `shortCircuitTimeoutMs` after the first acceptable
 * claim, or {@link close} (the request's own timeout), whichever is first.
 */
export class ServerSelection {
  readonly result: Promise<string>;
  #resolve!: (id: string) => void;
  #reject!: (err: PsrpcError) => void;
  readonly #opts: SelectionOptions;
  readonly #timers: NodeJS.Timeout[] = [];
  #done = false;
  #shorted = false;
  #serverId = '';
  #affinity = 0;
  #claimCount = 0;
  #resErr: PsrpcError | undefined;

  constructor(opts: SelectionOptions) {
    this.#opts = opts;
    this.result = new Promise<string>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    if ((opts.affinityTimeoutMs ?? 0) > 0) this.#timer(opts.affinityTimeoutMs!);
  }

  /** A `ClaimRequest` for this request (`rpc.go:204-222`). */
  onClaim(serverId: string, affinity: number): void {
    if (this.#done) return;
    this.#claimCount++;
    const min = this.#opts.minimumAffinity ?? 0;
    if (min > 0 && affinity < min) return;
    const max = this.#opts.maximumAffinity ?? 0;
    if (this.#opts.acceptFirstAvailable || (max > 0 && affinity >= max)) {
      this.#finish(() => this.#resolve(serverId));
      return;
    }
    if (affinity > this.#affinity) {
      this.#serverId = serverId;
      this.#affinity = affinity;
    }
    const shortCircuit = this.#opts.shortCircuitTimeoutMs ?? 0;
    if (shortCircuit > 0 && !this.#shorted) {
      this.#shorted = true;
      this.#timer(shortCircuit);
    }
  }

  /** A `Response` carrying an error arrived before any server was chosen (`rpc.go:224-228`). */
  onErrorResponse(err: PsrpcError): void {
    if (!this.#done) this.#resErr = err;
  }

  /** Closes the window now (the request timed out or was cancelled) and decides. */
  close(): void {
    this.#decide();
  }

  #timer(ms: number): void {
    const t = setTimeout(() => this.#decide(), ms);
    t.unref?.();
    this.#timers.push(t);
  }

  #decide(): void {
    if (this.#done) return;
    if (this.#serverId !== '') {
      const id = this.#serverId;
      this.#finish(() => this.#resolve(id));
    } else if (this.#resErr) {
      const err = this.#resErr;
      this.#finish(() => this.#reject(err));
    } else if (this.#claimCount > 0) {
      const n = this.#claimCount;
      this.#finish(() => this.#reject(noServersAvailable(n)));
    } else {
      this.#finish(() => this.#reject(noResponse()));
    }
  }

  #finish(settle: () => void): void {
    this.#done = true;
    for (const t of this.#timers) clearTimeout(t);
    settle();
  }
}
