/**
 * Grouping of captured packets into RTP streams by SSRC (headers read by src/rtp/header.ts).
 */
import { StreamNotFoundError } from './capture-error.js';
import type { CapturedPacket } from './captured-packet.js';
import { addEvidence, emptyEvidence, sniffPayload, type PayloadEvidence } from './codec-sniff.js';
import { sniffRtp, type RtpHeaderInfo } from '../rtp/header.js';

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
