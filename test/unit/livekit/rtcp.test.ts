// rtcp.ts: the RTCP a subscriber sends (RFC 4585 PLI and generic NACK, RFC 3550 RR) checked against
// hand-computed bytes, and Sender Report parsing.
import { describe, expect, it } from 'vitest';
import {
  ReceiverStats,
  buildNack,
  buildPli,
  buildReceiverReport,
  nackPairs,
  parseSenderReports,
} from '../../../src/livekit/rtcp.js';
import { sniffRtp } from '../../../src/rtp/header.js';
import { isRtcp } from '../../../src/rtp/rtcp-header.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').replace(/(.{8})(?!$)/g, '$1 ');
const bytes = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

function rtp(seq: number, ts: number, ssrc = 0x0a0b0c0d): Uint8Array {
  const b = Buffer.alloc(20);
  b[0] = 0x80;
  b[1] = 96;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(ts >>> 0, 4);
  b.writeUInt32BE(ssrc, 8);
  return b;
}

describe('PLI (RFC 4585 §6.3.1)', () => {
  it('V=2 P=0 FMT=1, PT=206, length 2, sender SSRC, media SSRC', () => {
    // 0x81 = 10 0 00001; 0xce = 206; length 2 = three 32-bit words minus one.
    expect(hex(buildPli(0x11223344, 0xaabbccdd))).toBe('81ce0002 11223344 aabbccdd');
    expect(isRtcp(buildPli(1, 2))).toBe(true);
  });
});

describe('generic NACK (RFC 4585 §6.2.1)', () => {
  it('PT=205 FMT=1; PID + BLP where bit i means PID+i+1', () => {
    // 100, 102 (bit 1), 116 (bit 15) → one FCI: PID 100 = 0x0064, BLP 0x8002.
    expect(hex(buildNack(0x01020304, 0x0a0b0c0d, [116, 100, 102, 102]))).toBe('81cd0003 01020304 0a0b0c0d 00648002');
  });

  it('a run of 20 numbers takes two FCIs: PID covers itself + 16, the next PID the remaining 3', () => {
    const seqs = Array.from({ length: 20 }, (_, i) => 1000 + i); // 1000..1019
    expect(nackPairs(seqs)).toEqual([[1000, 0xffff], [1017, 0x0003]]);
    // 1000 = 0x03e8, 1017 = 0x03f9; length = 2 + 2 FCIs.
    expect(hex(buildNack(1, 2, seqs))).toBe('81cd0004 00000001 00000002 03e8ffff 03f90003');
  });

  it('wraps 65535 → 0 (sequence numbers after the wrap go into the BLP of the PID before it)', () => {
    expect(nackPairs([0, 1, 65534, 65535])).toEqual([[65534, 0x0007]]);
    expect(hex(buildNack(1, 2, [1, 65535]))).toBe('81cd0003 00000001 00000002 ffff0002');
    // A run of 18 across the wrap: 65530..65535, 0..11.
    const run = [...Array.from({ length: 6 }, (_, i) => 65530 + i), ...Array.from({ length: 12 }, (_, i) => i)];
    expect(nackPairs(run)).toEqual([[65530, 0xffff], [11, 0]]);
  });

  it('nothing to ask for → empty buffer', () => {
    expect(buildNack(1, 2, []).length).toBe(0);
  });
});

describe('receiver report (RFC 3550 §6.4.1/§6.4.2, A.3, A.8)', () => {
  it('hand-computed block: fraction lost, cumulative lost, extended highest seq across a wrap, jitter, LSR, DLSR', () => {
    const stats = new ReceiverStats(0x0a0b0c0d, 90000);
    // 10 ms per packet (900 ticks at 90 kHz); 65535 and 2 lost; seq 3 arrives 10 ms late (D = 900 ticks).
    stats.onRtp(sniffRtp(rtp(65533, 0))!, 0);
    stats.onRtp(sniffRtp(rtp(65534, 900))!, 10_000);
    stats.onRtp(sniffRtp(rtp(0, 2700))!, 30_000);
    stats.onRtp(sniffRtp(rtp(1, 3600))!, 40_000);
    stats.onRtp(sniffRtp(rtp(3, 5400))!, 70_000);
    // SR: NTP 0xE1234567.89ABCDEF → LSR = middle 32 bits 0x456789AB; arrived at 1.0 s, report at 1.5 s.
    const [sr] = parseSenderReports(
      bytes('80c80006 0a0b0c0d e1234567 89abcdef 00001518 00000005 00000064'),
    );
    stats.onSenderReport(sr!, 1_000_000);
    const block = stats.report(1_500_000)!;
    // expected = 65539 - 65533 + 1 = 7, received 5 → lost 2; fraction = floor(2 × 256 / 7) = 73 = 0x49.
    // jitter: J += (|D| - J)/16 → 900/16 = 56.25 → 56 = 0x38. DLSR = 0.5 s × 65536 = 0x8000.
    expect(block).toEqual({
      ssrc: 0x0a0b0c0d,
      fractionLost: 73,
      cumulativeLost: 2,
      extendedHighestSeq: 0x00010003,
      jitter: 56.25,
      lsr: 0x456789ab,
      dlsr: 0x8000,
    });
    expect(hex(buildReceiverReport(0x01020304, block))).toBe(
      '81c90007 01020304 0a0b0c0d 49000002 00010003 00000038 456789ab 00008000',
    );
    // Next interval: nothing new → fraction 0, cumulative unchanged.
    expect(stats.report(2_000_000)).toMatchObject({ fractionLost: 0, cumulativeLost: 2 });
  });

  it('cumulative lost is 24-bit signed (duplicates make it negative) and clamped', () => {
    const base = { ssrc: 2, fractionLost: 0, extendedHighestSeq: 0, jitter: 0, lsr: 0, dlsr: 0 };
    expect(hex(buildReceiverReport(1, { ...base, cumulativeLost: -1 })).split(' ')[3]).toBe('00ffffff');
    expect(hex(buildReceiverReport(1, { ...base, cumulativeLost: -0x900000 })).split(' ')[3]).toBe('00800000');
    expect(hex(buildReceiverReport(1, { ...base, cumulativeLost: 0x1000000 })).split(' ')[3]).toBe('007fffff');
    const stats = new ReceiverStats(9, 48000);
    stats.onRtp(sniffRtp(rtp(10, 0, 9))!, 0);
    stats.onRtp(sniffRtp(rtp(10, 0, 9))!, 0);
    expect(stats.report(0)).toMatchObject({ cumulativeLost: -1, fractionLost: 0, extendedHighestSeq: 10 });
  });

  it('no packet yet → no report; no SR yet → LSR = DLSR = 0', () => {
    const stats = new ReceiverStats(1, 90000);
    expect(stats.report(0)).toBeUndefined();
    stats.onRtp(sniffRtp(rtp(5, 0, 1))!, 0);
    expect(stats.report(1000)).toMatchObject({ lsr: 0, dlsr: 0, extendedHighestSeq: 5, cumulativeLost: 0 });
  });
});

describe('Sender Report parsing', () => {
  it('finds the SR in a compound SR + SDES packet, with and without report blocks', () => {
    const sr = '80c80006 11111111 e1234567 89abcdef 00015f90 0000002a 00001000';
    const srWithBlock = '81c8000c 22222222 00000001 00000002 00000003 00000004 00000005' + ' 33333333 00000000 00000000 00000000 00000000 00000000';
    const sdes = '81ca0003 11111111 01024142 00000000';
    const out = parseSenderReports(bytes(sr + sdes + srWithBlock));
    expect(out).toEqual([
      { ssrc: 0x11111111, ntpMsw: 0xe1234567, ntpLsw: 0x89abcdef, rtpTimestamp: 90000, packets: 42, octets: 4096 },
      { ssrc: 0x22222222, ntpMsw: 1, ntpLsw: 2, rtpTimestamp: 3, packets: 4, octets: 5 },
    ]);
  });

  it('ignores RR/feedback, stops at a truncated or non-v2 packet, and tells RTP from RTCP', () => {
    expect(parseSenderReports(buildPli(1, 2))).toEqual([]);
    expect(parseSenderReports(bytes('80c80006 11111111 e1234567'))).toEqual([]);
    expect(parseSenderReports(bytes('00c80006 11111111 e1234567 89abcdef 00015f90 0000002a 00001000'))).toEqual([]);
    expect(isRtcp(rtp(1, 1))).toBe(false);
    expect(isRtcp(bytes('80c8'))).toBe(false);
  });
});
