import { describe, expect, it } from 'vitest';

import { parseGoDuration } from '../../../src/config/duration.js';

describe('parseGoDuration (Go time.ParseDuration, as LiveKit YAML durations)', () => {
  it.each([
    ['0', 0],
    ['30s', 30_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['300ms', 300],
    ['2h45m10.5s', 9_910_500],
    ['100us', 0.1],
    ['100µs', 0.1],
    ['1500ns', 0.0015],
    ['.5s', 500],
    ['-1m', -60_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each(['', '30', '1 h', 's', '1d', '1h30', 'abc', '1.2.3s', '--1s'])('refuses %j', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});
