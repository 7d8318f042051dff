import { randomBytes } from 'node:crypto';

/** shortuuid's base57 alphabet (no 0, 1, I, O, l), as LiveKit's `utils/guid` uses for every id. */
export const BASE57_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
/** Prefix of egress ids. */
export const EGRESS_ID_PREFIX = 'EG_';
/** Random characters after the prefix. */
export const EGRESS_ID_LENGTH = 12;

const EGRESS_ID_RE = new RegExp(`^${EGRESS_ID_PREFIX}[${BASE57_ALPHABET}]{${EGRESS_ID_LENGTH}}$`);

/**
 * A new id in LiveKit's format (`utils/guid.New(prefix)`): `prefix` + 12 characters of
 * {@link BASE57_ALPHABET}, drawn uniformly from a CSPRNG (6-bit values ≥ 57 are rejected).
 * @param prefix e.g. `EG_` (egress), `EV_` (webhook event).
 * @example newGuid('EV_') // → 'EV_x7Rk2mPqZ9aB'
 */
export function newGuid(prefix: string): string {
  return randomId(prefix, BASE57_ALPHABET, EGRESS_ID_LENGTH);
}

/**
 * `prefix` + `length` characters of `alphabet` (at most 64 characters), uniform: 6-bit values from
 * a CSPRNG, those ≥ the alphabet's length rejected (as LiveKit's and psrpc's id makers do).
 */
export function randomId(prefix: string, alphabet: string, length: number): string {
  let id = prefix;
  while (id.length < prefix.length + length) {
    for (const byte of randomBytes(16)) {
      const v = byte & 0x3f;
      if (v < alphabet.length) id += alphabet[v];
      if (id.length === prefix.length + length) break;
    }
  }
  return id;
}

/**
 * A new egress id: `EG_` + 12 base57 characters ({@link newGuid}).
 * @example newEgressId() // → 'EG_x7Rk2mPqZ9aB'
 */
export function newEgressId(): string {
  return newGuid(EGRESS_ID_PREFIX);
}

/** Whether `id` has the format of {@link newEgressId} (e.g. to reject odd ids from a journal). */
export function isEgressId(id: string): boolean {
  return EGRESS_ID_RE.test(id);
}
