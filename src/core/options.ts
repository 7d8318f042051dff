import { invalidParameter } from './errors.js';

/** Validates an optional integer option in [min, max]; returns `fallback` when undefined. */
export function intOption(name: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(name, `an integer between ${min} and ${max}`, value);
  }
  return value;
}

/** Validates an optional value against a fixed list; returns `fallback` when undefined. */
export function oneOf<T>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw invalidParameter(name, `one of ${allowed.join(', ')}`, value);
  }
  return value as T;
}

/** Turns the backend's flat stats array into a named object. */
export function namedStats<K extends string>(names: readonly string[], values: Float64Array): Record<K, number> {
  const out: Record<string, number> = {};
  names.forEach((n, i) => {
    out[n] = values[i] ?? 0;
  });
  return out as Record<K, number>;
}

/** Current time in microseconds on the clock the core's reorder buffer is fed with. */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
