import { describe, expect, it } from 'vitest';

import { isEgressId, newEgressId } from '../../../src/egress/egress-id.js';

// shortuuid's DefaultAlphabet, written out here from the spec (not imported from the code under test).
const SHORTUUID_BASE57 = '23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

describe('newEgressId (LiveKit: EG_ + 12 base57)', () => {
  it('has the prefix, length and alphabet of LiveKit ids', () => {
    expect(SHORTUUID_BASE57).toHaveLength(57);
    for (let i = 0; i < 2000; i++) {
      const id = newEgressId();
      expect(id).toMatch(/^EG_.{12}$/);
      for (const ch of id.slice(3)) expect(SHORTUUID_BASE57).toContain(ch);
    }
  });

  it('never uses the characters base57 leaves out (0 1 I O l)', () => {
    const all = Array.from({ length: 2000 }, () => newEgressId().slice(3)).join('');
    expect(all).not.toMatch(/[01IOl_\-+/=]/);
  });

  it('draws every alphabet character and does not repeat ids', () => {
    const ids = Array.from({ length: 5000 }, newEgressId);
    expect(new Set(ids).size).toBe(ids.length);
    const seen = new Set(ids.flatMap((id) => [...id.slice(3)]));
    expect([...seen].sort().join('')).toBe([...SHORTUUID_BASE57].sort().join(''));
  });

  it('isEgressId accepts generated ids and rejects others', () => {
    expect(isEgressId(newEgressId())).toBe(true);
    expect(isEgressId('EG_23456789ABCD')).toBe(true);
    expect(isEgressId('EG_23456789ABC')).toBe(false); // 11 chars
    expect(isEgressId('EG_23456789ABC0')).toBe(false); // '0' is not base57
    expect(isEgressId('TR_23456789ABCD')).toBe(false);
  });
});
