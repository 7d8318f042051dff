/**
 * Long captures made at test time (never committed): one corpus stream repeated back to back, its
 * RTP sequence numbers, timestamps and arrival times advancing as a live sender's would, so a
 * 3-second corpus stream becomes a 1-hour Opus or a 20-minute H.264 capture.
 *
 *   npx tsx test/support/long-capture.ts SOURCE.pcap SECONDS OUT.pcap [CLOCK_RATE]
 *   (CLOCK_RATE default: 48000 when SOURCE's name says opus, else 90000)
 *
 * Output: classic pcap (µs, little-endian), LINKTYPE_RAW IPv4/UDP 127.0.0.1:40000 → 127.0.0.1:5004.
 * Arrival times follow the RTP clock (so RTP time and wall time agree, as from a real sender).
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { readCapture, selectStream, sniffRtp } from '../../src/capture/index.js';

export type StreamSegment = {
  /** Source capture holding one RTP stream (the first is used). */
  source: string;
  /** Seconds of media to produce (the stream is repeated, whole, until it is reached). */
  seconds?: number;
  /** Rewrite the SSRC (default: the source's). */
  ssrc?: number;
  /** First sequence number / RTP timestamp of this segment (default: continue the source's). */
  firstSequence?: number;
  firstTimestamp?: number;
  /** Arrival gap before this segment, µs (default: none). */
  gapUs?: number;
  /** Keep only the source's RTP packets for which this is true (default: all). */
  keep?: (rtp: Uint8Array) => boolean;
  /** Rewrites each kept packet (after seq/ts/SSRC), given its index in the segment. */
  map?: (rtp: Uint8Array, index: number) => Uint8Array;
};

/** One RTP packet of the output, before framing. */
type Out = { data: Uint8Array; timeUs: number };

/** The packets of `seg`, repeated with advancing seq/ts/arrival; `startUs` is the first arrival. */
function* segmentPackets(seg: StreamSegment, startUs: number, clockRate: number): Generator<Out> {
  const pk = selectStream(readCapture(readFileSync(seg.source))).filter((p) => seg.keep?.(p.data) ?? true);
  const hs = pk.map((p) => sniffRtp(p.data)!);
  // The most common forward step between distinct timestamps is one frame.
  const steps = new Map<number, number>();
  for (let i = 1; i < hs.length; i++) {
    const d = (hs[i]!.timestamp - hs[i - 1]!.timestamp) | 0;
    if (d > 0) steps.set(d, (steps.get(d) ?? 0) + 1);
  }
  const frame = [...steps].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 3000;
  // An encoder that stamps its lookahead makes the first two packets overlap: start at the second.
  const from = hs.length > 1 && ((hs[1]!.timestamp - hs[0]!.timestamp) | 0) < frame && hs[1]!.timestamp !== hs[0]!.timestamp ? 1 : 0;
  const ts0 = hs[from]!.timestamp;
  const period = ((hs.at(-1)!.timestamp - ts0) | 0) + frame; // ticks per repetition
  const count = pk.length - from;
  const reps = Math.max(1, Math.ceil(((seg.seconds ?? 0) * clockRate) / period));
  const seqBase = seg.firstSequence ?? hs[from]!.sequenceNumber;
  const tsBase = seg.firstTimestamp ?? ts0;
  for (let r = 0; r < reps; r++) {
    for (let i = from; i < pk.length; i++) {
      const h = hs[i]!;
      const rel = ((h.timestamp - ts0) | 0) + r * period; // ticks since the segment's start
      const data = Uint8Array.from(pk[i]!.data);
      const dv = new DataView(data.buffer);
      dv.setUint16(2, (seqBase + r * count + (i - from)) & 0xffff);
      dv.setUint32(4, (tsBase + rel) >>> 0);
      if (seg.ssrc !== undefined) dv.setUint32(8, seg.ssrc >>> 0);
      const index = r * count + (i - from);
      yield { data: seg.map ? seg.map(data, index) : data, timeUs: startUs + Math.round((rel * 1e6) / clockRate) };
    }
  }
}

/**
 * Writes the segments one after the other into a pcap (same addresses and ports throughout, as a
 * sender that restarts with a new SSRC would). Returns the number of RTP packets written.
 */
export function writeCapture(out: string, segments: StreamSegment[], clockRate: number): number {
  const fd = openSync(out, 'w');
  const buf = Buffer.alloc(4 << 20);
  let used = 0;
  const flush = () => {
    writeSync(fd, buf, 0, used);
    used = 0;
  };
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(262144, 16);
  head.writeUInt32LE(101, 20); // LINKTYPE_RAW
  writeSync(fd, head);
  let n = 0;
  let t = 1_700_000_000_000_000;
  for (const seg of segments) {
    t += seg.gapUs ?? 0;
    let last = t;
    for (const p of segmentPackets(seg, t, clockRate)) {
      const len = 28 + p.data.length;
      if (used + 16 + len > buf.length) flush();
      buf.writeUInt32LE(Math.floor(p.timeUs / 1e6), used);
      buf.writeUInt32LE(p.timeUs % 1e6, used + 4);
      buf.writeUInt32LE(len, used + 8);
      buf.writeUInt32LE(len, used + 12);
      const ip = used + 16;
      buf.fill(0, ip, ip + 28);
      buf[ip] = 0x45;
      buf.writeUInt16BE(len, ip + 2);
      buf[ip + 8] = 64;
      buf[ip + 9] = 17; // UDP
      buf.set([127, 0, 0, 1, 127, 0, 0, 1], ip + 12);
      buf.writeUInt16BE(40000, ip + 20);
      buf.writeUInt16BE(5004, ip + 22);
      buf.writeUInt16BE(8 + p.data.length, ip + 24);
      buf.set(p.data, ip + 28);
      used += 16 + len;
      last = p.timeUs;
      n++;
    }
    t = last + 20_000;
  }
  flush();
  closeSync(fd);
  return n;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [source, seconds, out, rate] = process.argv.slice(2);
  if (!source || !seconds || !out) {
    console.error('usage: npx tsx test/support/long-capture.ts SOURCE.pcap SECONDS OUT.pcap [CLOCK_RATE]');
    process.exit(2);
  }
  const clock = rate ? Number(rate) : /opus/i.test(source) ? 48000 : 90000;
  console.log(`${writeCapture(out, [{ source, seconds: Number(seconds) }], clock)} packets → ${out}`);
}
