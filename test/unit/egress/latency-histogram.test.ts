/** LatencyHistogram: bucket percentiles never below the true value by more than one bucket (19 %), clamped to the maximum. */
import { describe, expect, it } from 'vitest';

import { LatencyHistogram } from '../../../src/egress/websocket/latency-histogram.js';

describe('LatencyHistogram', () => {
  it('is all zeros before the first value', () => {
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, p50Us: 0, p99Us: 0, maxUs: 0 });
  });

  it('reports p50 / p99 within one bucket above the exact quantiles, max exactly', () => {
    const h = new LatencyHistogram();
    const values: number[] = [];
    for (let i = 1; i <= 1000; i++) values.push(i * 97); // 97 µs .. 97 ms
    for (const v of values) h.record(v);
    const s = h.summary();
    expect(s.count).toBe(1000);
    expect(s.maxUs).toBe(97_000);
    const exact = (q: number) => values[Math.ceil(q * values.length) - 1]!;
    for (const [got, q] of [[s.p50Us, 0.5], [s.p99Us, 0.99]] as const) {
      expect(got).toBeGreaterThanOrEqual(exact(q));
      expect(got).toBeLessThanOrEqual(Math.ceil(exact(q) * 2 ** 0.25) + 1);
    }
  });

  it('clamps to the largest value; negative values count as 0; huge ones land in the overflow bucket', () => {
    const h = new LatencyHistogram();
    h.record(-5);
    h.record(1234);
    expect(h.summary()).toEqual({ count: 2, p50Us: 100, p99Us: 1234, maxUs: 1234 });
    h.record(1e12);
    expect(h.summary().p99Us).toBe(1e12);
  });
});
