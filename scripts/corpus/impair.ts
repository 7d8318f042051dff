/**
 * Seeded network impairments for the corpus. Every function returns a new list and never edits
 * the original RTP bytes: lost packets are removed, reordered/duplicated packets keep their bytes
 * and get new arrival times, malformed packets are *added* (new byte arrays) between real ones.
 *
 * Run standalone on an RFC 4571 stream (writes an RFC 4571 stream; arrival times are lost):
 *   npx tsx scripts/corpus/impair.ts <in.rtp> <out.rtp> <loss|burst-loss|reorder|duplicate|malformed> [seed]
 */
import { pathToFileURL } from 'node:url';
import type { TimedPacket } from './pacing.js';
import { createPrng } from './prng.js';
import { readRfc4571File, writeRfc4571File } from './rfc4571.js';
import { rtpFields } from './rtp-info.js';

/** Kinds of impairment the corpus produces. */
export type Impairment = 'none' | 'loss' | 'burst-loss' | 'reorder' | 'duplicate' | 'malformed';

/** What an impairment did (recorded in the manifest). */
export type ImpairReport = { lost: number; duplicated: number; reordered: number; malformed: number };

/** Result of {@link impair}. */
export type ImpairResult = { packets: TimedPacket[]; report: ImpairReport };

function byTime(list: TimedPacket[]): TimedPacket[] {
  // Stable sort: equal times keep their original order.
  return list.map((p, i) => ({ p, i })).sort((a, b) => a.p.timeUs - b.p.timeUs || a.i - b.i).map((x) => x.p);
}

/** Drops each RTP packet with probability `rate` (RTCP is kept). */
export function randomLoss(packets: readonly TimedPacket[], rate: number, seed: number): ImpairResult {
  const rng = createPrng(seed);
  const out = packets.filter((p) => !rtpFields(p.data) || rng.next() >= rate);
  return { packets: out, report: { lost: packets.length - out.length, duplicated: 0, reordered: 0, malformed: 0 } };
}

/** Drops `length` consecutive packets starting at a seeded position in the middle third. */
export function burstLoss(packets: readonly TimedPacket[], length: number, seed: number): ImpairResult {
  const rng = createPrng(seed);
  const n = packets.length;
  const start = rng.int(Math.floor(n / 3), Math.max(Math.floor(n / 3), Math.floor((2 * n) / 3) - length));
  const out = packets.filter((_, i) => i < start || i >= start + length);
  return { packets: out, report: { lost: n - out.length, duplicated: 0, reordered: 0, malformed: 0 } };
}

/** Delays a fraction of packets by 5–`maxDelayMs` ms (re-stamped), then sorts by arrival. */
export function reorder(packets: readonly TimedPacket[], rate: number, maxDelayMs: number, seed: number): ImpairResult {
  const rng = createPrng(seed);
  let delayed = 0;
  const moved = packets.map((p) => {
    if (rng.next() >= rate) return p;
    delayed++;
    return { data: p.data, timeUs: p.timeUs + rng.int(5000, maxDelayMs * 1000) };
  });
  return { packets: byTime(moved), report: { lost: 0, duplicated: 0, reordered: delayed, malformed: 0 } };
}

/** Sends a fraction of packets twice (the copy shares the bytes, arrives 0–20 ms later). */
export function duplicate(packets: readonly TimedPacket[], rate: number, seed: number): ImpairResult {
  const rng = createPrng(seed);
  const out: TimedPacket[] = [];
  let dup = 0;
  for (const p of packets) {
    out.push(p);
    if (rng.next() < rate) {
      dup++;
      out.push({ data: p.data, timeUs: p.timeUs + rng.int(0, 20_000) });
    }
  }
  return { packets: byTime(out), report: { lost: 0, duplicated: dup, reordered: 0, malformed: 0 } };
}

/**
 * Inserts six malformed packets at seeded positions: a truncated RTP header (7 bytes), a copy
 * with version 1, random garbage, a CSRC count that overruns the packet, an extension length that
 * overruns it, and a padding count larger than the payload. All share the stream's SSRC where
 * they have one, so a parser must reject them by structure, not by SSRC.
 */
export function injectMalformed(packets: readonly TimedPacket[], seed: number): ImpairResult {
  const rng = createPrng(seed);
  const ref = packets.find((p) => rtpFields(p.data))?.data ?? new Uint8Array(12);
  const hdr = ref.subarray(0, 12);
  const mk = (n: number, fill: (b: Uint8Array) => void) => {
    const b = new Uint8Array(n);
    fill(b);
    return b;
  };
  const bad: Uint8Array[] = [
    ref.slice(0, 7),
    mk(ref.length, (b) => {
      b.set(ref);
      b[0] = ((b[0] ?? 0) & 0x3f) | 0x40;
    }),
    mk(64, (b) => {
      for (let i = 0; i < b.length; i++) b[i] = rng.int(0, 255);
    }),
    mk(20, (b) => {
      b.set(hdr);
      b[0] = 0x8f; // CC = 15 → 72-byte header in a 20-byte packet
    }),
    mk(24, (b) => {
      b.set(hdr);
      b[0] = 0x90; // X = 1, extension length 0x4000 words
      b[12] = 0xbe;
      b[13] = 0xde;
      b[14] = 0x40;
    }),
    mk(16, (b) => {
      b.set(hdr);
      b[0] = 0xa0; // P = 1, padding count 200 > 4-byte payload
      b[15] = 200;
    }),
  ];
  const out = [...packets];
  for (const b of bad) {
    const at = rng.int(1, out.length - 1);
    const t = out[at - 1]?.timeUs ?? 0;
    out.splice(at, 0, { data: b, timeUs: t });
  }
  return { packets: out, report: { lost: 0, duplicated: 0, reordered: 0, malformed: bad.length } };
}

/** Applies one named impairment with the corpus' default strengths. */
export function impair(packets: readonly TimedPacket[], kind: Impairment, seed: number): ImpairResult {
  switch (kind) {
    case 'none':
      return { packets: [...packets], report: { lost: 0, duplicated: 0, reordered: 0, malformed: 0 } };
    case 'loss':
      return randomLoss(packets, 0.03, seed);
    case 'burst-loss':
      return burstLoss(packets, 12, seed);
    case 'reorder':
      return reorder(packets, 0.05, 50, seed);
    case 'duplicate':
      return duplicate(packets, 0.03, seed);
    case 'malformed':
      return injectMalformed(packets, seed);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [inPath, outPath, kind, seedText] = process.argv.slice(2);
  if (!inPath || !outPath || !kind) {
    console.error('usage: impair.ts <in.rtp> <out.rtp> <loss|burst-loss|reorder|duplicate|malformed> [seed]');
    process.exit(2);
  }
  const pk = readRfc4571File(inPath).map((data, i) => ({ data, timeUs: i * 20_000 }));
  const r = impair(pk, kind as Impairment, Number(seedText ?? 1));
  writeRfc4571File(outPath, r.packets.map((p) => p.data));
  console.log(JSON.stringify(r.report));
}
