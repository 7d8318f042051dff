import { distance } from 'fastest-levenshtein';

import { ConfigError } from './config-error.js';
import { parseGoDuration } from './duration.js';

/** An unknown key this close (edits) to a known one is a typo, not a key of another LiveKit version. */
const TYPO_DISTANCE = 2;

/** A plain YAML mapping (what `yaml`'s `parse` gives for `key: value` blocks). */
export type YamlMap = Record<string, unknown>;

/** Whether `v` is a YAML mapping (not a list, not null). */
export function isMap(v: unknown): v is YamlMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Typed access to one YAML mapping of the config, by key, with the key's full path in every
 * error. Records which keys were read, so the caller can report the others as unknown.
 */
export class ConfigReader {
  private readonly used = new Set<string>();

  /**
   * @param map The mapping (`{}` when the section is absent).
   * @param prefix The path of the mapping (`''` at the top, `'s3.'` inside `s3:`).
   */
  constructor(
    private readonly map: YamlMap,
    private readonly prefix = '',
  ) {}

  /** Whether `key` is present with a non-null value. */
  has(key: string): boolean {
    this.used.add(key);
    return this.map[key] !== undefined && this.map[key] !== null;
  }

  /** A string (numbers are taken as their text: `api_key: 12345`). `secret` keeps the value out of errors. */
  string(key: string, secret = false): string | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v === 'number') return String(v);
    if (typeof v !== 'string') throw new ConfigError(this.path(key), 'a string', v, secret);
    return v;
  }

  /** An integer in [min, max]. */
  int(key: string, min: number, max: number): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new ConfigError(this.path(key), `an integer ${min}..${max}`, v);
    }
    return v;
  }

  /** A boolean (`true`/`false`). */
  bool(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw new ConfigError(this.path(key), 'true or false', v);
    return v;
  }

  /** A Go duration string (`30s`, `1h30m`, `500ms`; `0` = off), in ms; never negative. */
  durationMs(key: string): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    const ms = v === 0 ? 0 : typeof v === 'string' ? parseGoDuration(v) : undefined;
    if (ms === undefined || ms < 0) {
      throw new ConfigError(this.path(key), 'a duration with a unit, like "30s", "5m" or "1h30m" (Go time.Duration)', v);
    }
    return ms;
  }

  /** A list of strings. */
  stringList(key: string): string[] | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new ConfigError(this.path(key), 'a list of strings', v);
    return v as string[];
  }

  /** A mapping of strings to strings (S3 metadata). */
  stringMap(key: string): Record<string, string> | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!isMap(v) || !Object.values(v).every((x) => typeof x === 'string')) {
      throw new ConfigError(this.path(key), 'a map of strings to strings', v);
    }
    return { ...(v as Record<string, string>) };
  }

  /** The raw value of `key` (`undefined` when absent or null), for a caller that checks it itself. */
  value(key: string): unknown {
    return this.raw(key);
  }

  /** A nested section as its own reader, or `undefined` when absent. */
  section(key: string): ConfigReader | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!isMap(v)) throw new ConfigError(this.path(key), 'a map of keys', v);
    return new ConfigReader(v, `${this.path(key)}.`);
  }

  /** The full paths of the keys of this mapping that no accessor read. */
  unread(): string[] {
    return Object.keys(this.map)
      .filter((k) => !this.used.has(k))
      .map((k) => this.path(k));
  }

  /**
   * Reports the keys no accessor read: one warning each (`other` names keys known to be ignored:
   * LiveKit egress keys track-egress does not use). A key within {@link TYPO_DISTANCE} edits of a
   * key that was read or is in `other` is a typo and throws — `reddis:` would otherwise start a
   * standalone service that looks healthy and never takes a request.
   * @throws ConfigError (`ERR_TE_INVALID_ARG`) naming the typo and the key it is close to.
   */
  reportUnread(warnings: string[], other: ReadonlySet<string> = new Set()): void {
    const known = [...this.used, ...other];
    for (const key of Object.keys(this.map).filter((k) => !this.used.has(k))) {
      if (other.has(key)) {
        warnings.push(`${this.path(key)}: a LiveKit egress key track-egress does not use; ignored`);
        continue;
      }
      // Keys of up to TYPO_DISTANCE + 1 letters are within that many edits of any short key.
      const near = key.length > TYPO_DISTANCE + 1 ? known.find((k) => distance(k, key) <= TYPO_DISTANCE) : undefined;
      if (near !== undefined) throw new ConfigError(this.path(key), `a known key (did you mean ${this.path(near)}?)`);
      warnings.push(`${this.path(key)}: unknown key; ignored (see docs/egress-service.md "Configuration")`);
    }
  }

  /** The full path of `key` (`s3.bucket`). */
  path(key: string): string {
    return `${this.prefix}${key}`;
  }

  private raw(key: string): unknown {
    this.used.add(key);
    const v = this.map[key];
    return v === null ? undefined : v;
  }
}
