import { describe, expect, it } from 'vitest';
import type { CapturedPacket } from '../../../src/capture/index.js';
import { StreamNotFoundError, chooseTrack, listRtpStreams, selectStream, sniffRtp } from '../../../src/capture/index.js';
import { rtp } from './capture-bytes.js';

const pkt = (data: Uint8Array, timeUs = 0): CapturedPacket => ({ data, timeUs, dst: '127.0.0.1', dstPort: 5004 });

describe('stream grouping and selection', () => {
  const packets = [
    pkt(new Uint8Array([1, 2, 3])), // not RTP
    pkt(rtp(111, 1, 0, 0xa)),
    pkt(rtp(96, 5, 0, 0xb), 10),
    pkt(rtp(111, 2, 960, 0xa), 20),
    pkt(Uint8Array.of(0x80, 200, 0, 6, 0, 0, 0, 0xa, ...new Array<number>(20).fill(0))),
    pkt(rtp(97, 6, 0, 0xb), 30), // RTX-style second PT on the same SSRC
    pkt(rtp(96, 7, 3000, 0xb), 40),
  ];

  it('groups by SSRC in order of appearance with payload types and counts', () => {
    const s = listRtpStreams(packets);
    expect(s.map((x) => [x.ssrc, x.payloadTypes, x.packetCount])).toEqual([
      [0xa, [111], 2],
      [0xb, [96, 97], 3],
    ]);
    expect(s[1]).toMatchObject({ firstSequenceNumber: 5, firstTimeUs: 10, lastTimeUs: 40, dstPort: 5004 });
  });

  it('selects the first stream by default, by SSRC, or by payload type (filtering packets)', () => {
    expect(selectStream(packets).map((p) => sniffRtp(p.data)?.sequenceNumber)).toEqual([1, 2]);
    expect(selectStream(packets, { ssrc: 0xb }).map((p) => sniffRtp(p.data)?.sequenceNumber)).toEqual([5, 6, 7]);
    expect(selectStream(packets, { payloadType: 96 }).map((p) => sniffRtp(p.data)?.sequenceNumber)).toEqual([5, 7]);
    expect(selectStream(packets, { ssrc: 0xb, payloadType: 97 })).toHaveLength(1);
  });

  it('throws StreamNotFoundError listing the available streams', () => {
    let err: unknown;
    try {
      selectStream(packets, { ssrc: 0xc });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StreamNotFoundError);
    const e = err as StreamNotFoundError;
    expect(e.code).toBe('ERR_STREAM_NOT_FOUND');
    expect(e.available).toHaveLength(2);
    expect(e.message).toContain('ssrc=0x0000000c');
    expect(e.message).toContain('ssrc=0x0000000b pt=96,97 packets=3 127.0.0.1:5004');
    expect(() => selectStream([pkt(new Uint8Array(4))])).toThrow(/no RTP packets/);
  });

  it('keeps a sender that restarted with a new SSRC (same PT, same addresses and ports) as one track', () => {
    const at = (data: Uint8Array, timeUs: number, srcPort = 40000): CapturedPacket => ({ data, timeUs, src: '10.0.0.1', dst: '10.0.0.2', srcPort, dstPort: 5004 });
    const restart = [
      at(rtp(96, 1, 0, 0xa), 0),
      at(rtp(96, 2, 3000, 0xa), 33_000),
      at(rtp(111, 1, 0, 0xc), 34_000), // another track (audio) meanwhile
      at(rtp(96, 900, 77, 0xb), 2_000_000), // restart: new SSRC, new seq/ts origin
      at(rtp(96, 901, 3077, 0xb), 2_033_000),
      at(rtp(96, 5, 0, 0xd), 2_040_000, 40002), // same PT, other source port: not the same sender
      at(rtp(96, 50, 0, 0xe), 3_000_000), // second restart
    ];
    const seqs = (pk: CapturedPacket[]) => pk.map((p) => sniffRtp(p.data)!.sequenceNumber);
    expect(seqs(selectStream(restart))).toEqual([1, 2, 900, 901, 50]);
    expect(chooseTrack(listRtpStreams(restart)).ssrcs).toEqual([0xa, 0xb, 0xe]);
    // An explicit SSRC is exactly that SSRC.
    expect(seqs(selectStream(restart, { ssrc: 0xb }))).toEqual([900, 901]);
    // Streams that overlap in time (simulcast layers, two senders) are never joined.
    const overlap = [at(rtp(96, 1, 0, 0xa), 0), at(rtp(96, 7, 0, 0xb), 10_000), at(rtp(96, 2, 3000, 0xa), 900_000), at(rtp(96, 8, 3000, 0xb), 1_900_000)];
    expect(chooseTrack(listRtpStreams(overlap)).ssrcs).toEqual([0xa]);
  });
});
