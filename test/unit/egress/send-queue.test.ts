/** SendQueue: order kept, at most maxBinary binary messages (oldest dropped), text never dropped, byte count exact. */
import { describe, expect, it } from 'vitest';

import { SendQueue } from '../../../src/egress/websocket/send-queue.js';

const bin = (n: number) => Buffer.alloc(4, n);

describe('SendQueue', () => {
  it('keeps order; drops the oldest binary message beyond maxBinary, never a text one', () => {
    const q = new SendQueue(2);
    expect(q.push(bin(1))).toBeUndefined();
    expect(q.push('{"muted":true}')).toBeUndefined();
    expect(q.push(bin(2))).toBeUndefined();
    expect(q.push(bin(3))).toEqual(bin(1)); // the oldest binary, at the front
    expect(q.push('{"muted":false}')).toBeUndefined();
    expect(q.push(bin(4))).toEqual(bin(2)); // behind the text now: the text keeps its place
    expect(q.binaryCount).toBe(2);
    expect(q.bytes).toBe(8 + 14 + 15);
    const out: (Buffer | string)[] = [];
    for (let m = q.shift(); m !== undefined; m = q.shift()) out.push(m);
    expect(out).toEqual(['{"muted":true}', bin(3), '{"muted":false}', bin(4)]);
    expect([q.length, q.binaryCount, q.bytes]).toEqual([0, 0, 0]);
  });

  it('stays bounded over a long run (the head is compacted)', () => {
    const q = new SendQueue(200);
    let dropped = 0;
    for (let i = 0; i < 100_000; i++) {
      if (q.push(bin(i & 255))) dropped++;
      if (i % 3 === 0) q.shift();
    }
    // Every push either stays, was dropped, or was taken out (the last round ends with a shift).
    expect(q.binaryCount).toBe(199);
    expect(q.length).toBe(199);
    expect(dropped + 199 + Math.ceil(100_000 / 3)).toBe(100_000);
    q.clear();
    expect([q.length, q.bytes]).toEqual([0, 0]);
  });

  it('rejects a bound below 1', () => {
    expect(() => new SendQueue(0)).toThrow(RangeError);
  });
});
