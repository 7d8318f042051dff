/**
 * The RTCP a subscriber sends (RFC 3550 RR, RFC 4585 PLI and generic NACK) and the one thing it
 * reads (the SFU's Sender Reports, for LSR/DLSR). No REMB: the SFU then keeps forwarding the best
 * layer (docs/livekit.md).
 */

import type { RtpHeaderInfo } from '../rtp/header.js';
import { newRtcpPacket, rtcpPackets } from '../rtp/rtcp-header.js';

const RTCP_SR = 200;
const RTCP_RR = 201;
const RTCP_RTPFB = 205;
const RTCP_PSFB = 206;

/** RFC 4585 §6.3.1 Picture Loss Indication. */
export function buildPli(senderSsrc: number, mediaSsrc: number): Buffer {
  const { bytes, view } = newRtcpPacket(RTCP_PSFB, 1, 12, senderSsrc);
  view.setUint32(8, mediaSsrc >>> 0);
  return bytes;
}

/** Packs sequence numbers into (PID, BLP) pairs (RFC 4585 §6.2.1). */
export function nackPairs(sequenceNumbers: readonly number[]): Array<[number, number]> {
  const seqs = [...new Set(sequenceNumbers.map((s) => s & 0xffff))].sort((a, b) => a - b);
  // Handle wrap-around: if the set spans the wrap, rotate so the numbers after the largest gap come first.
  if (seqs.length > 1) {
    let gapAt = 0;
    let gap = seqs[0]! + 0x10000 - seqs[seqs.length - 1]!;
    for (let i = 1; i < seqs.length; i++) {
      const g = seqs[i]! - seqs[i - 1]!;
      if (g > gap) {
        gap = g;
        gapAt = i;
      }
    }
    seqs.push(...seqs.splice(0, gapAt));
  }
  const pairs: Array<[number, number]> = [];
  for (const s of seqs) {
    const last = pairs[pairs.length - 1];
    const d = last ? (s - last[0]) & 0xffff : 0;
    if (last && d >= 1 && d <= 16) last[1] |= 1 << (d - 1);
    else pairs.push([s, 0]);
  }
  return pairs;
}

/** RFC 4585 §6.2.1 generic NACK; empty buffer when there is nothing to ask for. */
export function buildNack(senderSsrc: number, mediaSsrc: number, sequenceNumbers: readonly number[]): Buffer {
  const pairs = nackPairs(sequenceNumbers);
  if (pairs.length === 0) return Buffer.alloc(0);
  const { bytes, view } = newRtcpPacket(RTCP_RTPFB, 1, 12 + 4 * pairs.length, senderSsrc);
  view.setUint32(8, mediaSsrc >>> 0);
  pairs.forEach(([pid, blp], i) => {
    view.setUint16(12 + 4 * i, pid);
    view.setUint16(14 + 4 * i, blp);
  });
  return bytes;
}

export type ReportBlock = {
  ssrc: number;
  fractionLost: number;
  cumulativeLost: number;
  extendedHighestSeq: number;
  jitter: number;
  lsr: number;
  dlsr: number;
};

/** RFC 3550 §6.4.2 Receiver Report with one report block. */
export function buildReceiverReport(senderSsrc: number, r: ReportBlock): Buffer {
  const { bytes, view } = newRtcpPacket(RTCP_RR, 1, 32, senderSsrc);
  view.setUint32(8, r.ssrc >>> 0);
  const lost = Math.max(-0x800000, Math.min(0x7fffff, r.cumulativeLost)) & 0xffffff;
  view.setUint32(12, (((r.fractionLost & 0xff) << 24) | lost) >>> 0);
  view.setUint32(16, r.extendedHighestSeq >>> 0);
  view.setUint32(20, Math.max(0, Math.round(r.jitter)) >>> 0);
  view.setUint32(24, r.lsr >>> 0);
  view.setUint32(28, r.dlsr >>> 0);
  return bytes;
}

export type SenderReport = { ssrc: number; ntpMsw: number; ntpLsw: number; rtpTimestamp: number; packets: number; octets: number };

/** Finds the Sender Reports in a (compound) RTCP packet. */
export function parseSenderReports(packet: Uint8Array): SenderReport[] {
  const out: SenderReport[] = [];
  for (const { packetType, view: v, offset: o, byteLength } of rtcpPackets(packet)) {
    if (packetType !== RTCP_SR || byteLength < 28) continue;
    out.push({
      ssrc: v.getUint32(o + 4),
      ntpMsw: v.getUint32(o + 8),
      ntpLsw: v.getUint32(o + 12),
      rtpTimestamp: v.getUint32(o + 16),
      packets: v.getUint32(o + 20),
      octets: v.getUint32(o + 24),
    });
  }
  return out;
}

/** Receive statistics of one SSRC (RFC 3550 appendix A.1, A.3, A.8) for the receiver reports. */
export class ReceiverStats {
  private initialized = false;
  private baseSeq = 0;
  private maxSeq = 0;
  private cycles = 0;
  private received = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private jitter = 0;
  private lastTransit: number | undefined;
  private lastSr: { middle: number; atUs: number } | undefined;

  constructor(
    readonly ssrc: number,
    private readonly clockRate: number,
  ) {}

  /** Records one RTP packet of this SSRC (its header, from sniffRtp). */
  onRtp(header: Pick<RtpHeaderInfo, 'sequenceNumber' | 'timestamp'>, arrivalUs: number): void {
    const { sequenceNumber: seq, timestamp: ts } = header;
    if (!this.initialized) {
      this.initialized = true;
      this.baseSeq = seq;
      this.maxSeq = seq;
    } else {
      const delta = (seq - this.maxSeq) & 0xffff;
      if (delta > 0 && delta < 0x8000) {
        if (seq < this.maxSeq) this.cycles += 0x10000;
        this.maxSeq = seq;
      }
    }
    this.received++;
    // Interarrival jitter, in timestamp units.
    const arrival = (arrivalUs * this.clockRate) / 1e6;
    const transit = arrival - ts;
    if (this.lastTransit !== undefined) {
      let d = transit - this.lastTransit;
      // Timestamps wrap at 2^32.
      if (d > 2 ** 31) d -= 2 ** 32;
      if (d < -(2 ** 31)) d += 2 ** 32;
      this.jitter += (Math.abs(d) - this.jitter) / 16;
    }
    this.lastTransit = transit;
  }

  onSenderReport(sr: SenderReport, arrivalUs: number): void {
    this.lastSr = { middle: ((sr.ntpMsw & 0xffff) << 16) | (sr.ntpLsw >>> 16), atUs: arrivalUs };
  }

  /** The report block for now, or undefined before the first packet. Updates the interval counters. */
  report(nowUs: number): ReportBlock | undefined {
    if (!this.initialized) return undefined;
    const extMax = this.cycles + this.maxSeq;
    const expected = extMax - this.baseSeq + 1;
    const lost = expected - this.received;
    const expectedInterval = expected - this.expectedPrior;
    const receivedInterval = this.received - this.receivedPrior;
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fraction = expectedInterval <= 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval << 8) / expectedInterval);
    let lsr = 0;
    let dlsr = 0;
    if (this.lastSr) {
      lsr = this.lastSr.middle >>> 0;
      dlsr = Math.round(((nowUs - this.lastSr.atUs) / 1e6) * 65536);
    }
    return {
      ssrc: this.ssrc,
      fractionLost: Math.min(255, fraction),
      cumulativeLost: lost,
      extendedHighestSeq: extMax,
      jitter: this.jitter,
      lsr,
      dlsr,
    };
  }
}
