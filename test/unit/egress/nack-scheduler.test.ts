/** NackScheduler: each missing sequence number at most 3 times, ≥ 150 ms apart, forgotten once it arrives (RFC 4585 §6.2.1). */
import { describe, expect, it } from 'vitest';

import { NACK_MAX_TRIES, NACK_RETRY_US, NackScheduler } from '../../../src/egress/nack-scheduler.js';

describe('NackScheduler', () => {
  it('NACKs each missing sequence number at most 3 times, 150 ms apart', () => {
    expect([NACK_MAX_TRIES, NACK_RETRY_US]).toEqual([3, 150_000]);
    const n = new NackScheduler();
    const rounds: number[][] = [];
    for (let t = 0; t <= 1_000_000; t += 20_000) rounds.push(n.due([7, 8], t));
    const nonEmpty = rounds.map((r, i) => [i * 20_000, r] as const).filter(([, r]) => r.length);
    expect(nonEmpty).toEqual([[0, [7, 8]], [160_000, [7, 8]], [320_000, [7, 8]]]);
    expect(n.sent).toBe(6);
  });

  it('forgets a sequence number that is no longer missing, so a later loss of it starts over', () => {
    const n = new NackScheduler();
    expect(n.due([5], 0)).toEqual([5]);
    expect(n.due([6], 20_000)).toEqual([6]); // 5 arrived
    expect(n.due([5, 6], 40_000)).toEqual([5]); // 5 missing again (after a wrap): NACKed at once
    expect(n.due([], 60_000)).toEqual([]);
    expect(n.due([6], 80_000)).toEqual([6]);
    expect(n.sent).toBe(4);
  });
});
