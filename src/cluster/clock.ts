/**
 * Wall-clock time as psrpc carries it: Unix nanoseconds in an int64 (`internal.Request.sent_at`,
 * `expiry`; Go's `time.Now().UnixNano()`, `psrpc@v0.7.2: pkg/client/rpc.go:87-92`). `expiry` is an
 * absolute time on the sender's clock, so psrpc peers need synchronised clocks.
 */

/** Now, Unix ns, from `Date.now()` (ms resolution; the wall clock, as psrpc's peers read it). */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** Unix ns → Unix ms (a JS time). */
export function nsToMs(ns: bigint): number {
  return Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1e6;
}

/** Unix ms → Unix ns. */
export function msToNs(ms: number): bigint {
  return BigInt(Math.floor(ms)) * 1_000_000n + BigInt(Math.round((ms % 1) * 1e6));
}
