/**
 * A small fixed-bucket latency histogram (µs) for per-message measurements on a hot path: O(1)
 * record, no allocation, bounded memory whatever the number of samples. Buckets grow by 2^(1/4)
 * (≈ 19 %) from 100 µs to ~54 s; percentiles report the upper edge of their bucket (never below the
 * true value by more than one bucket), clamped to the largest value seen.
 */

/** Packet arrival → its PCM message handed to the socket, µs. */
export type LatencySummary = { count: number; p50Us: number; p99Us: number; maxUs: number };

const FIRST_EDGE_US = 100;
const STEPS_PER_OCTAVE = 4;
const BUCKETS = 4 * 19 + 1; // 100 µs · 2^19 ≈ 52 s, plus the overflow bucket

/** Upper edges of the buckets, µs (the last one is +Infinity). */
const EDGES: readonly number[] = Array.from({ length: BUCKETS }, (_, i) =>
  i === BUCKETS - 1 ? Infinity : Math.round(FIRST_EDGE_US * 2 ** (i / STEPS_PER_OCTAVE)),
);

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private count = 0;
  private maxUs = 0;

  /** Records one latency, µs (negative values — clock steps — count as 0). */
  record(us: number): void {
    const v = us > 0 ? us : 0;
    // Bucket index from the logarithm, then corrected against the rounded edges.
    let i = v <= FIRST_EDGE_US ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log2(v / FIRST_EDGE_US) * STEPS_PER_OCTAVE));
    while (i > 0 && v <= EDGES[i - 1]!) i--;
    while (v > EDGES[i]!) i++;
    this.counts[i]!++;
    this.count++;
    if (v > this.maxUs) this.maxUs = v;
  }

  /** Count, median, 99th percentile and maximum, µs (all 0 before the first record). */
  summary(): LatencySummary {
    return { count: this.count, p50Us: this.percentile(0.5), p99Us: this.percentile(0.99), maxUs: Math.round(this.maxUs) };
  }

  /** The upper edge of the bucket holding the `q` quantile (0 < q ≤ 1), clamped to the maximum, µs. */
  percentile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.round(Math.min(EDGES[i]!, this.maxUs));
    }
    return Math.round(this.maxUs);
  }
}
