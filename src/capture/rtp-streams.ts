/**
 * Cheap RTP recognition and grouping of captured packets into streams by SSRC.
 *
 * RTP fixed header, RFC 3550 §5.1:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *   |                           timestamp                           |
 *   |           synchronization source (SSRC) identifier            |
 *   |            contributing source (CSRC) identifiers (CC × 4)    |
 *   | extension: profile (16) | length in 32-bit words (16) | data  |  (X = 1, §5.3.1)
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * RTCP shares the port when multiplexed (RFC 5761 §4): its second octet is the RTCP packet type.
 * Types 192–223 would read as RTP marker=1 with PT 64–95, which RFC 5761 forbids for RTP, so a
 * second octet in 192..223 (SR 200, RR 201, SDES 202, BYE 203, APP 204, RTPFB 205, PSFB 206,
 * XR 207, FIR/NACK 192/193…) is classified as RTCP.
 */
import { StreamNotFoundError } from './capture-error.js';
import type { CapturedPacket } from './captured-packet.js';
import { addEvidence, emptyEvidence, sniffPayload, type PayloadEvidence } from './codec-sniff.js';

/** The fields of a recognised RTP header. */
export type RtpHeaderInfo = {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  /** Bytes before the payload (fixed header + CSRCs + extension). */
  headerLength: number;
  /** Payload bytes after removing padding. */
  payloadLength: number;
};

/** One RTP stream (SSRC, RFC 3550 §3) of a capture. */
export type RtpStreamInfo = {
  ssrc: number;
  /** Payload types seen, in order of first appearance. */
  payloadTypes: number[];
  packetCount: number;
  firstSequenceNumber: number;
  /** RTP timestamp of the first packet, in ticks of the payload's clock rate. */
  firstTimestamp: number;
  /** Arrival times of the first and last packet, µs (as in {@link CapturedPacket.timeUs}). */
  firstTimeUs: number;
  lastTimeUs: number;
  /** Addresses and ports of the first packet, when the capture format records them. */
  src?: string;
  dst?: string;
  srcPort?: number;
  dstPort?: number;
};

/** Filters of {@link selectStream}. */
export type SelectStreamOptions = {
  /** The SSRC to select, 0..2^32-1. Default: the first stream (and the SSRCs that continue it). */
  ssrc?: number;
  /** The RTP payload type to select, 0..127. Default: any. */
  payloadType?: number;
};

/** True when the packet's second octet marks it as RTCP under RFC 5761 multiplexing. */
export function isRtcp(data: Uint8Array): boolean {
  if (data.length < 8 || (data[0] ?? 0) >> 6 !== 2) return false;
  const pt = data[1] ?? 0;
  return pt >= 192 && pt <= 223;
}

/**
 * Parses the RTP header if `data` plausibly is RTP: version 2, not RTCP, CSRC list / extension /
 * padding inside the packet. Returns `undefined` otherwise. Never reads out of bounds.
 */
export function sniffRtp(data: Uint8Array): RtpHeaderInfo | undefined {
  const n = data.length;
  if (n < 12) return undefined;
  const b0 = data[0] ?? 0;
  const b1 = data[1] ?? 0;
  if (b0 >> 6 !== 2 || (b1 >= 192 && b1 <= 223)) return undefined;
  let header = 12 + (b0 & 0x0f) * 4;
  if (header > n) return undefined;
  if ((b0 & 0x10) !== 0) {
    if (header + 4 > n) return undefined;
    const words = ((data[header + 2] ?? 0) << 8) | (data[header + 3] ?? 0);
    header += 4 + words * 4;
    if (header > n) return undefined;
  }
  let payloadLength = n - header;
  if ((b0 & 0x20) !== 0) {
    const pad = data[n - 1] ?? 0;
    if (pad === 0 || pad > payloadLength) return undefined;
    payloadLength -= pad;
  }
  return {
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequenceNumber: ((data[2] ?? 0) << 8) | (data[3] ?? 0),
    timestamp: (((data[4] ?? 0) << 24) | ((data[5] ?? 0) << 16) | ((data[6] ?? 0) << 8) | (data[7] ?? 0)) >>> 0,
    ssrc: (((data[8] ?? 0) << 24) | ((data[9] ?? 0) << 16) | ((data[10] ?? 0) << 8) | (data[11] ?? 0)) >>> 0,
    headerLength: header,
    payloadLength,
  };
}

/**
 * {@link listRtpStreams} one packet at a time, for captures read in chunks: keeps one summary per
 * SSRC (and what its payloads look like), never the packets.
 */
export class RtpStreamScanner {
  private readonly bySsrc = new Map<number, RtpStreamInfo>();
  private readonly evidenceBySsrc = new Map<number, PayloadEvidence>();

  /** Counts one captured packet (non-RTP is ignored). Returns its RTP header, if it is RTP. */
  add(p: CapturedPacket): RtpHeaderInfo | undefined {
    const h = sniffRtp(p.data);
    if (!h) return undefined;
    let s = this.bySsrc.get(h.ssrc);
    let e = this.evidenceBySsrc.get(h.ssrc);
    if (!s || !e) {
      s = {
        ssrc: h.ssrc,
        payloadTypes: [],
        packetCount: 0,
        firstSequenceNumber: h.sequenceNumber,
        firstTimestamp: h.timestamp,
        firstTimeUs: p.timeUs,
        lastTimeUs: p.timeUs,
      };
      if (p.src !== undefined) s.src = p.src;
      if (p.dst !== undefined) s.dst = p.dst;
      if (p.srcPort !== undefined) s.srcPort = p.srcPort;
      if (p.dstPort !== undefined) s.dstPort = p.dstPort;
      this.bySsrc.set(h.ssrc, s);
      e = emptyEvidence();
      this.evidenceBySsrc.set(h.ssrc, e);
    }
    s.packetCount++;
    s.lastTimeUs = p.timeUs;
    if (!s.payloadTypes.includes(h.payloadType)) s.payloadTypes.push(h.payloadType);
    sniffPayload(e, p.data.subarray(h.headerLength, h.headerLength + h.payloadLength));
    return h;
  }

  /** The streams seen so far, in order of first appearance. */
  streams(): RtpStreamInfo[] {
    return [...this.bySsrc.values()];
  }

  /** What the payloads of these SSRCs look like, summed. */
  evidence(ssrcs: Iterable<number>): PayloadEvidence {
    const sum = emptyEvidence();
    for (const ssrc of ssrcs) {
      const e = this.evidenceBySsrc.get(ssrc);
      if (e) addEvidence(sum, e);
    }
    return sum;
  }
}

/**
 * Groups the RTP packets of a capture by SSRC, in order of first appearance. Non-RTP (and RTCP,
 * RFC 5761 §4) is ignored.
 * @example
 * for (const s of listRtpStreams(readCapture(bytes))) console.log(s.ssrc.toString(16), s.payloadTypes, s.packetCount);
 */
export function listRtpStreams(packets: readonly CapturedPacket[]): RtpStreamInfo[] {
  const scanner = new RtpStreamScanner();
  for (const p of packets) scanner.add(p);
  return scanner.streams();
}

/** The SSRCs {@link chooseTrack} picked: one stream, or several that follow one another. */
export type ChosenTrack = {
  /** The SSRCs in order; more than one when the sender restarted with a new SSRC. */
  ssrcs: number[];
  /** The streams behind `ssrcs`. */
  streams: RtpStreamInfo[];
  /** Only packets of this payload type belong to the track (when one was asked for). */
  payloadType: number | undefined;
};

/** A new SSRC may start this long before the previous one's last packet (stragglers) and still follow it. */
const RESTART_OVERLAP_US = 500_000;

const sameFlow = (a: RtpStreamInfo, b: RtpStreamInfo) =>
  a.src === b.src && a.dst === b.dst && a.srcPort === b.srcPort && a.dstPort === b.dstPort;

/**
 * Picks the track to export: the stream with `ssrc` if given, else the first stream carrying
 * `payloadType`, else the first RTP stream. Without an explicit `ssrc`, streams that continue it —
 * a sender that restarted with a new SSRC (RFC 3550 §8.2): same payload type, same addresses and
 * ports, starting when the previous one stops — are part of the track, so the Recorder (which
 * follows SSRC changes) writes one continuous recording. Overlapping streams (simulcast layers,
 * other tracks) never are.
 * @throws StreamNotFoundError (code 'ERR_STREAM_NOT_FOUND') listing the streams present.
 */
export function chooseTrack(streams: readonly RtpStreamInfo[], options: SelectStreamOptions = {}): ChosenTrack {
  const chosen = streams.find(
    (s) =>
      (options.ssrc === undefined || s.ssrc === options.ssrc >>> 0) &&
      (options.payloadType === undefined || s.payloadTypes.includes(options.payloadType)),
  );
  if (!chosen) {
    const available = streams.map(describeRtpStream);
    const want = [
      options.ssrc !== undefined ? `ssrc=0x${(options.ssrc >>> 0).toString(16).padStart(8, '0')}` : '',
      options.payloadType !== undefined ? `pt=${options.payloadType}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    const list = available.length ? `available streams:\n  ${available.join('\n  ')}` : 'the capture contains no RTP packets';
    throw new StreamNotFoundError(`no RTP stream matches ${want || 'the request'}; ${list}`, available);
  }
  const track = [chosen];
  if (options.ssrc === undefined) {
    const pt = options.payloadType ?? chosen.payloadTypes[0];
    for (const s of streams.slice(streams.indexOf(chosen) + 1)) {
      const last = track[track.length - 1]!;
      if (
        pt !== undefined &&
        s.payloadTypes.includes(pt) &&
        sameFlow(s, last) &&
        s.firstTimeUs >= last.lastTimeUs - RESTART_OVERLAP_US &&
        s.lastTimeUs > last.lastTimeUs
      ) {
        track.push(s);
      }
    }
  }
  return { ssrcs: track.map((s) => s.ssrc), streams: track, payloadType: options.payloadType };
}

/** One-line description of a stream, e.g. `ssrc=0x1234abcd pt=96 packets=412 127.0.0.1:5004`. */
export function describeRtpStream(s: RtpStreamInfo): string {
  const where = s.dst !== undefined ? ` ${s.dst}${s.dstPort !== undefined ? `:${s.dstPort}` : ''}` : '';
  return `ssrc=0x${s.ssrc.toString(16).padStart(8, '0')} pt=${s.payloadTypes.join(',')} packets=${s.packetCount}${where}`;
}

/**
 * Returns the packets of one track, in capture order: see {@link chooseTrack} (one SSRC, or the
 * SSRCs of a sender that restarted). With a `payloadType`, only packets of that payload type.
 * @throws StreamNotFoundError (code 'ERR_STREAM_NOT_FOUND') listing the streams present.
 * @example
 * const packets = selectStream(readCapture(await readFile('call.pcap')), { payloadType: 96 });
 * for (const p of packets) rec.push(p.data, p.timeUs);
 */
export function selectStream(packets: readonly CapturedPacket[], options: SelectStreamOptions = {}): CapturedPacket[] {
  const track = chooseTrack(listRtpStreams(packets), options);
  const ssrcs = new Set(track.ssrcs);
  const out: CapturedPacket[] = [];
  for (const p of packets) {
    const h = sniffRtp(p.data);
    if (!h || !ssrcs.has(h.ssrc)) continue;
    if (track.payloadType !== undefined && h.payloadType !== track.payloadType) continue;
    out.push(p);
  }
  return out;
}
