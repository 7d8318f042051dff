/**
 * Go `time.Duration` text, as LiveKit's YAML configs write durations (`30s`, `1h30m`, `1.5h`,
 * `300ms`): LiveKit egress decodes them with yaml.v3, which calls `time.ParseDuration` and refuses
 * plain integers. Here a plain `0` is also accepted (it means "off" for every limit).
 */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign, as Go accepts
  'μs': 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const TERM = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Parses a Go duration string (`time.ParseDuration` grammar: an optional sign, then one or more
 * decimal numbers each with a unit `ns` `us` `µs` `ms` `s` `m` `h`; `"0"` alone is allowed).
 * @returns Milliseconds (fractional for sub-ms units), or `undefined` when `text` is not a duration.
 * @example
 * parseGoDuration('1h30m'); // → 5_400_000
 * parseGoDuration('30');    // → undefined (Go needs a unit)
 */
export function parseGoDuration(text: string): number | undefined {
  let s = text.trim();
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s[0] === '-' ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let ms = 0;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < s.length) {
    const m = TERM.exec(s);
    if (!m) return undefined;
    ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  return sign * ms;
}
