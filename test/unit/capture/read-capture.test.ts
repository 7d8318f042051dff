import { describe, expect, it } from 'vitest';
import { CaptureFormatError, detectCaptureFormat, readCapture, readCaptureDetailed } from '../../../src/capture/index.js';
import { cat, eth, ipv4, pcap, rtp, shb, u16, udp } from './capture-bytes.js';

describe('readCapture', () => {
  it('detects formats by magic', () => {
    expect(detectCaptureFormat(pcap(1, []))).toBe('pcap');
    expect(detectCaptureFormat(pcap(1, [], { le: false, ns: true }))).toBe('pcap');
    expect(detectCaptureFormat(shb())).toBe('pcapng');
    expect(detectCaptureFormat(new TextEncoder().encode('#!rtpplay1.0 a/1\n'))).toBe('rtpdump');
    expect(detectCaptureFormat(Uint8Array.of(0, 12, 0x80))).toBeUndefined();
  });

  it('throws CaptureFormatError with code ERR_CAPTURE_FORMAT for unknown or empty input', () => {
    for (const input of [new Uint8Array(0), new TextEncoder().encode('hello world')]) {
      let err: unknown;
      try {
        readCapture(input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CaptureFormatError);
      expect((err as CaptureFormatError).code).toBe('ERR_CAPTURE_FORMAT');
    }
  });

  it('reads RFC 4571 framing only when asked, with packet-index times', () => {
    const a = rtp(96, 1, 0, 1);
    const b = rtp(96, 2, 0, 1, [7]);
    const bytes = cat(u16(a.length), a, u16(b.length), b, [0, 9, 1]);
    const r = readCaptureDetailed(bytes, { format: 'rfc4571' });
    expect(r.packets.map((p) => [...p.data])).toEqual([[...a], [...b]]);
    expect(r.packets.map((p) => p.timeUs)).toEqual([0, 1]);
    expect(r.stats.truncatedRecords).toBe(1);
  });

  it('works on a view at a non-zero byte offset (e.g. a pooled Buffer)', () => {
    const p = rtp(96, 3, 0, 5);
    const file = pcap(1, [{ sec: 1, frac: 2, data: eth(ipv4(udp(1, 2, p))) }]);
    const big = new Uint8Array(file.length + 7);
    big.set(file, 3);
    const pk = readCapture(big.subarray(3, 3 + file.length));
    expect([...pk[0]!.data]).toEqual([...p]);
    expect(pk[0]!.data.byteOffset).toBe(3 + file.length - p.length);
  });
});
