// src/rtp/header.ts and rtcp-header.ts against packets written byte by byte (test/unit/capture/capture-bytes.ts).
import { describe, expect, it } from 'vitest';
import { sniffRtp } from '../../../src/rtp/header.js';
import { isRtcp, newRtcpPacket, rtcpPackets } from '../../../src/rtp/rtcp-header.js';
import { cat, rtp, u16 } from '../capture/capture-bytes.js';

describe('sniffRtp', () => {
  it('parses a plain header and one with CSRCs, extension and padding', () => {
    expect(sniffRtp(rtp(96, 65535, 0xffffffff, 0xdeadbeef))).toMatchObject({
      payloadType: 96, sequenceNumber: 65535, timestamp: 0xffffffff, ssrc: 0xdeadbeef, headerLength: 12, payloadLength: 4, marker: false,
    });
    const complex = cat([0xb1, 0x80 | 111], u16(7), [0, 0, 0, 9], [0, 0, 0, 5], [1, 2, 3, 4], [0xbe, 0xde, 0, 1], [0x10, 0xff, 0, 0], [0xaa, 0xbb, 0, 0, 3]);
    expect(sniffRtp(complex)).toMatchObject({ marker: true, payloadType: 111, headerLength: 24, payloadLength: 2 });
  });

  it('rejects RTCP (RFC 5761 second octet 192..223), wrong versions and overrunning headers', () => {
    const sr = Uint8Array.of(0x80, 200, 0, 6, ...new Array<number>(24).fill(0));
    expect(isRtcp(sr)).toBe(true);
    expect(sniffRtp(sr)).toBeUndefined();
    expect(sniffRtp(Uint8Array.of(0x81, 205, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2))).toBeUndefined(); // NACK
    const v1 = rtp(96, 1, 1, 1);
    v1[0] = 0x40;
    expect(sniffRtp(v1)).toBeUndefined();
    expect(sniffRtp(rtp(96, 1, 1, 1).subarray(0, 11))).toBeUndefined();
    const cc = rtp(96, 1, 1, 1);
    cc[0] = 0x8f;
    expect(sniffRtp(cc)).toBeUndefined();
    const ext = cat([0x90, 96], new Array<number>(10).fill(0), [0xbe, 0xde, 0x40, 0]);
    expect(sniffRtp(ext)).toBeUndefined();
    const pad = rtp(96, 1, 1, 1, [1, 2, 3, 200]);
    pad[0] = 0xa0;
    expect(sniffRtp(pad)).toBeUndefined();
    expect(isRtcp(rtp(96, 1, 1, 1))).toBe(false);
  });
});

describe('RTCP framing (RFC 3550 §6.4.1, RFC 5761 §4)', () => {
  it('isRtcp needs version 2, a second octet in 192..223 and a whole common header', () => {
    expect(isRtcp(Uint8Array.of(0x80, 203, 0, 0))).toBe(true); // BYE, SC = 0: 4 bytes
    expect(isRtcp(Uint8Array.of(0x80, 192, 0, 0))).toBe(true);
    expect(isRtcp(Uint8Array.of(0x80, 223, 0, 0))).toBe(true);
    expect(isRtcp(Uint8Array.of(0x80, 191, 0, 0))).toBe(false); // RTP marker + PT 63
    expect(isRtcp(Uint8Array.of(0x80, 224, 0, 0))).toBe(false); // RTP marker + PT 96
    expect(isRtcp(Uint8Array.of(0x40, 200, 0, 0))).toBe(false);
    expect(isRtcp(Uint8Array.of(0x80, 200, 0))).toBe(false);
  });

  it('rtcpPackets walks a compound packet and stops at a truncated or non-v2 one', () => {
    const sr = cat([0x80, 200], u16(6), new Array<number>(24).fill(7));
    const pli = cat([0x81, 206], u16(2), [0, 0, 0, 1, 0, 0, 0, 2]);
    const walk = (b: Uint8Array) => [...rtcpPackets(b)].map((p) => [p.packetType, p.count, p.offset, p.byteLength]);
    expect(walk(cat(sr, pli))).toEqual([[200, 0, 0, 28], [206, 1, 28, 12]]);
    expect(walk(cat(sr, pli.subarray(0, 8)))).toEqual([[200, 0, 0, 28]]);
    expect(walk(cat([0x00, 200, 0, 0], sr))).toEqual([]);
  });

  it('newRtcpPacket writes V=2, the count, the type, the length in words − 1 and the sender SSRC', () => {
    const { bytes, view } = newRtcpPacket(205, 1, 16, 0xdeadbeef);
    view.setUint32(12, 0x01020304);
    expect(Buffer.from(bytes).toString('hex')).toBe('81cd0003deadbeef0000000001020304');
    expect(isRtcp(bytes)).toBe(true);
  });
});
