import { describe, expect, it } from 'vitest';
import { readCapture, readCaptureDetailed, readRtpdump } from '../../../src/capture/index.js';
import { rtp, rtpdump } from './capture-bytes.js';

const R1 = rtp(111, 1, 960, 0x33);
const SR = Uint8Array.of(0x80, 200, 0, 6, 0, 0, 0, 0x33, ...new Array<number>(20).fill(0));

describe('rtpdump reader', () => {
  it('reads RTP and RTCP entries with times from RD_hdr_t + offset', () => {
    const file = rtpdump('127.0.0.1/5004', 1000, [
      { ms: 0, data: R1 },
      { ms: 20, data: SR, rtcp: true },
    ]);
    const r = readCaptureDetailed(file);
    expect(r.format).toBe('rtpdump');
    expect(r.packets.map((p) => [...p.data])).toEqual([[...R1], [...SR]]);
    expect(r.packets[1]!.timeUs).toBe(1000_250_000 + 20_000);
    expect(r.packets[0]).toMatchObject({ dst: '127.0.0.1', dstPort: 5004, src: '192.168.1.7' });
    expect(r.packets[0]!.data.buffer).toBe(file.buffer);
  });

  it('returns only the stored bytes when plen says the packet was longer (header-only dumps)', () => {
    const file = rtpdump('10.0.0.1/6000', 0, [{ ms: 0, data: R1 }]);
    const hdr = file.length - R1.length - 8;
    file[hdr + 2] = 0x05; // plen = 0x05xx > stored
    const r = readRtpdump(file);
    expect(r.packets[0]!.data.length).toBe(R1.length);
    expect(r.stats.snapTruncated).toBe(1);
  });

  it('stops at a truncated record and at a zero-length record', () => {
    const file = rtpdump('127.0.0.1/5004', 0, [
      { ms: 0, data: R1 },
      { ms: 1, data: R1 },
    ]);
    expect(readCapture(file.subarray(0, file.length - 3))).toHaveLength(1);
    const zero = file.slice();
    zero.fill(0, file.length - R1.length - 8, file.length - R1.length - 6);
    const r = readRtpdump(zero);
    expect(r.packets).toHaveLength(1);
    expect(r.stats.truncatedRecords).toBe(1);
  });

  it('rejects a file without the RD_hdr_t', () => {
    expect(() => readCapture(new TextEncoder().encode('#!rtpplay1.0 1.2.3.4/5\n\0\0'))).toThrow(/RD_hdr_t/);
  });
});
