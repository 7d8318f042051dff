import { describe, expect, it } from 'vitest';
import { CaptureFormatError, readCapture, readCaptureDetailed, readPcap } from '../../../src/capture/index.js';
import { cat, eth, ipv4, ipv6, pcap, rtp, u16, udp } from './capture-bytes.js';

const P1 = rtp(96, 1, 1000, 0xabcdef01);
const P2 = rtp(96, 2, 4000, 0xabcdef01, [9, 9]);

describe('pcap reader', () => {
  it('reads little-endian microsecond Ethernet records as views with addresses and times', () => {
    const file = pcap(1, [
      { sec: 1_700_000_000, frac: 123_456, data: eth(ipv4(udp(40000, 5004, P1))) },
      { sec: 1_700_000_001, frac: 7, data: eth(ipv4(udp(40000, 5004, P2))) },
    ]);
    const pk = readCapture(file);
    expect(pk).toHaveLength(2);
    expect([...pk[0]!.data]).toEqual([...P1]);
    expect([...pk[1]!.data]).toEqual([...P2]);
    expect(pk[0]!.data.buffer).toBe(file.buffer); // a view, not a copy
    expect(pk[0]).toMatchObject({ timeUs: 1_700_000_000_123_456, src: '10.0.0.1', dst: '10.0.0.2', srcPort: 40000, dstPort: 5004 });
    expect(pk[1]!.timeUs).toBe(1_700_000_001_000_007);
  });

  it('reads big-endian nanosecond files', () => {
    const file = pcap(1, [{ sec: 10, frac: 999_999_999, data: eth(ipv4(udp(1, 2, P1))) }], { le: false, ns: true });
    const r = readPcap(file);
    expect(r.packets[0]!.timeUs).toBe(10_999_999);
    expect([...r.packets[0]!.data]).toEqual([...P1]);
  });

  it('strips an 802.1Q VLAN tag, IPv4 options and Ethernet padding', () => {
    const ip = ipv4(udp(1, 2, P1), { options: [0x94, 0x04, 0, 0] }); // Router Alert, IHL 6
    const padded = cat(eth(ip, 0x0800, 100), [0, 0, 0, 0, 0, 0]);
    const pk = readCapture(pcap(1, [{ sec: 0, frac: 0, data: padded }]));
    expect(pk).toHaveLength(1);
    expect([...pk[0]!.data]).toEqual([...P1]);
  });

  it('skips IPv4 fragments (MF and non-zero offset), TCP and ARP, counting each', () => {
    const r = readCaptureDetailed(
      pcap(1, [
        { sec: 0, frac: 0, data: eth(ipv4(udp(1, 2, P1), { flagsFrag: 0x2000 })) },
        { sec: 0, frac: 1, data: eth(ipv4(udp(1, 2, P1), { flagsFrag: 0x0010 })) },
        { sec: 0, frac: 2, data: eth(ipv4(new Uint8Array(20), { proto: 6 })) },
        { sec: 0, frac: 3, data: eth(new Uint8Array(28), 0x0806) },
        { sec: 0, frac: 4, data: eth(ipv4(udp(1, 2, P2))) },
      ]),
    );
    expect(r.packets).toHaveLength(1);
    expect(r.stats).toMatchObject({ records: 5, packets: 1, fragments: 2, nonUdp: 1, nonIp: 1 });
  });

  it('walks IPv6 extension headers and skips IPv6 fragments (but keeps atomic fragments)', () => {
    const hbh = { type: 0, bytes: [0, 0, 1, 4, 0, 0, 0, 0] };
    const dst = { type: 60, bytes: [0, 1, ...Array<number>(14).fill(0)] }; // 16 bytes
    const frag = (offM: number) => ({ type: 44, bytes: [0, 0, ...u16(offM), 0, 0, 0, 1] });
    const r = readCaptureDetailed(
      pcap(101, [
        { sec: 1, frac: 0, data: ipv6(udp(7, 8, P1), [hbh, dst]) },
        { sec: 1, frac: 1, data: ipv6(udp(7, 8, P1), [frag(0x0001)]) },
        { sec: 1, frac: 2, data: ipv6(udp(7, 8, P2), [frag(0)]) },
        { sec: 1, frac: 3, data: ipv6(new Uint8Array(4), [], 59) },
      ]),
    );
    expect(r.packets.map((p) => [...p.data])).toEqual([[...P1], [...P2]]);
    expect(r.packets[0]).toMatchObject({ src: '2001:db8::1', dst: '::1', srcPort: 7, dstPort: 8 });
    expect(r.stats.fragments).toBe(1);
    expect(r.stats.nonUdp).toBe(1);
  });

  it('decodes DLT_NULL in either byte order, LINUX_SLL, LINUX_SLL2 and RAW', () => {
    const ip4 = ipv4(udp(1, 2, P1));
    const ip6 = ipv6(udp(1, 2, P2));
    const one = (lt: number, data: Uint8Array) => readCapture(pcap(lt, [{ sec: 0, frac: 0, data }]));
    expect([...one(0, cat([2, 0, 0, 0], ip4))[0]!.data]).toEqual([...P1]);
    expect([...one(0, cat([0, 0, 0, 2], ip4))[0]!.data]).toEqual([...P1]);
    expect([...one(0, cat([30, 0, 0, 0], ip6))[0]!.data]).toEqual([...P2]);
    const sll = cat([0, 0], u16(772), u16(6), Array<number>(8).fill(0), u16(0x0800), ip4);
    expect([...one(113, sll)[0]!.data]).toEqual([...P1]);
    const sll2 = cat(u16(0x86dd), [0, 0, 0, 0, 0, 1], u16(772), [0, 6], Array<number>(8).fill(0), ip6);
    expect([...one(276, sll2)[0]!.data]).toEqual([...P2]);
    expect([...one(101, ip6)[0]!.data]).toEqual([...P2]);
  });

  it('keeps earlier packets when the last record is truncated', () => {
    const full = pcap(1, [
      { sec: 0, frac: 0, data: eth(ipv4(udp(1, 2, P1))) },
      { sec: 0, frac: 1, data: eth(ipv4(udp(1, 2, P2))) },
    ]);
    for (const cut of [5, 17, 30]) {
      const r = readPcap(full.subarray(0, full.length - cut));
      expect(r.packets).toHaveLength(1);
      expect(r.stats.truncatedRecords).toBe(1);
      expect(r.warnings.join()).toMatch(/truncated/);
    }
  });

  it('counts snap-length-cut records and unsupported link types instead of failing', () => {
    const frame = eth(ipv4(udp(1, 2, P1)));
    const cut = frame.subarray(0, frame.length - 3);
    const r = readPcap(pcap(1, [{ sec: 0, frac: 0, data: cut }]));
    expect(r.packets).toHaveLength(0);
    expect(r.stats.snapTruncated).toBe(1);
    const u = readPcap(pcap(147, [{ sec: 0, frac: 0, data: frame }]));
    expect(u.stats.unsupportedLinkType).toBe(1);
    expect(u.warnings[0]).toMatch(/147/);
  });

  it('rejects a truncated file header with ERR_CAPTURE_FORMAT', () => {
    const head = pcap(1, []).subarray(0, 20);
    expect(() => readCapture(head)).toThrow(CaptureFormatError);
    try {
      readCapture(head);
    } catch (e) {
      expect((e as CaptureFormatError).code).toBe('ERR_CAPTURE_FORMAT');
    }
  });

  it('survives garbage records without throwing', () => {
    const junk = [new Uint8Array(0), Uint8Array.of(0x45), eth(Uint8Array.of(0x4f, 0, 0, 10)), eth(Uint8Array.of(0x60, 1, 2))];
    const r = readPcap(pcap(1, junk.map((data, i) => ({ sec: 0, frac: i, data }))));
    expect(r.packets).toHaveLength(0);
    expect(r.stats.records).toBe(4);
    expect(r.stats.malformed).toBe(4);
  });
});
