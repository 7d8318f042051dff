import { describe, expect, it } from 'vitest';
import { CaptureFormatError, readCapture, readCaptureDetailed, readPcapng } from '../../../src/capture/index.js';
import { block, cat, epb, eth, idb, ipv4, rtp, shb, u16, u32, udp } from './capture-bytes.js';

const A = rtp(97, 10, 0, 0x11);
const B = rtp(111, 20, 0, 0x22);
const sll2 = (ip: Uint8Array) => cat(u16(0x0800), [0, 0, 0, 0, 0, 1], u16(772), [0, 6], Array<number>(8).fill(0), ip);

describe('pcapng reader', () => {
  it('reads two interfaces with different link types and timestamp resolutions', () => {
    const file = cat(
      shb(),
      idb(1), // Ethernet, default µs
      idb(276, { tsresol: 9 }), // SLL2, ns
      block(4, [0, 0, 0, 0]), // Name Resolution Block: skipped
      epb(0, 1_700_000_000_000_001n, eth(ipv4(udp(1, 5004, A)))),
      epb(1, 1_700_000_000_000_002_999n, sll2(ipv4(udp(2, 5006, B)))),
      block(5, cat(u32(0), u32(0), u32(0))), // Interface Statistics Block: skipped
    );
    const r = readCaptureDetailed(file);
    expect(r.format).toBe('pcapng');
    expect(r.packets.map((p) => [...p.data])).toEqual([[...A], [...B]]);
    expect(r.packets[0]!.timeUs).toBe(1_700_000_000_000_001);
    expect(r.packets[1]!.timeUs).toBe(1_700_000_000_000_002);
    expect(r.packets[1]!.dstPort).toBe(5006);
    expect(r.stats.skippedBlocks).toBe(2);
  });

  it('reads a big-endian section, power-of-two resolution and if_tsoffset', () => {
    const file = cat(shb(false), idb(1, { tsresol: 0x80 | 10, tsoffset: 100, le: false }), epb(0, 2048n, eth(ipv4(udp(1, 2, A))), false));
    const pk = readCapture(file);
    expect(pk).toHaveLength(1);
    expect(pk[0]!.timeUs).toBe(100_000_000 + 2_000_000); // 2048 / 1024 s + 100 s
    expect([...pk[0]!.data]).toEqual([...A]);
  });

  it('reads Simple Packet Blocks on interface 0 and resets interfaces on a new section', () => {
    const frame = eth(ipv4(udp(1, 2, B)));
    const spb = block(3, cat(u32(frame.length), frame));
    const file = cat(shb(), idb(1), epb(0, 5n, eth(ipv4(udp(1, 2, A)))), spb, shb(false), idb(1, { le: false }), epb(0, 7n, frame, false));
    const r = readPcapng(file);
    expect(r.packets.map((p) => p.timeUs)).toEqual([5, 5, 7]);
    expect([...r.packets[1]!.data]).toEqual([...B]);
  });

  it('counts packets on unknown interfaces as malformed and keeps going', () => {
    const r = readPcapng(cat(shb(), idb(1), epb(3, 0n, eth(ipv4(udp(1, 2, A)))), epb(0, 0n, eth(ipv4(udp(1, 2, A))))));
    expect(r.packets).toHaveLength(1);
    expect(r.stats.malformed).toBe(1);
  });

  it('stops at a truncated block keeping earlier packets; rejects a broken SHB', () => {
    const file = cat(shb(), idb(1), epb(0, 0n, eth(ipv4(udp(1, 2, A)))), epb(0, 1n, eth(ipv4(udp(1, 2, B)))));
    const r = readPcapng(file.subarray(0, file.length - 10));
    expect(r.packets).toHaveLength(1);
    expect(r.stats.truncatedRecords).toBe(1);
    const badMagic = shb();
    badMagic.set([1, 2, 3, 4], 8);
    expect(() => readPcapng(badMagic)).toThrow(CaptureFormatError);
    expect(() => readPcapng(shb().subarray(0, 20))).toThrow(/truncated/);
  });
});
