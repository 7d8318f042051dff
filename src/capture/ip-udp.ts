/**
 * IPv4 / IPv6 → UDP decoding for the capture readers.
 *
 * IPv4 header, RFC 791 §3.1 (IHL counts 32-bit words; options fill IHL*4 - 20 bytes):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Version|  IHL  |Type of Service|          Total Length         |
 *   |         Identification        |Flags|      Fragment Offset    |
 *   |  Time to Live |    Protocol   |         Header Checksum       |
 *   |                       Source Address                          |
 *   |                    Destination Address                        |
 *   |                    Options (IHL > 5)                          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * IPv6 header, RFC 8200 §3 (40 bytes: version/class/flow 4, payload length 2, next header 1,
 * hop limit 1, source 16, destination 16), then the extension-header chain of §4: Hop-by-Hop (0),
 * Routing (43), Destination Options (60) and Mobility (135) are (len + 1) * 8 bytes, Fragment (44)
 * is 8 bytes (§4.5), AH (51) is (len + 2) * 4 bytes (RFC 4302 §2.2); 59 = no next header.
 *
 * UDP header, RFC 768: source port 2, destination port 2, length 2 (header + data), checksum 2.
 *
 * Fragments (IPv4 MF flag or non-zero offset; IPv6 Fragment header that is not atomic, RFC 6946)
 * are counted and skipped: RTP over UDP is never reassembled here.
 */
import type { CapturedPacket, CaptureStats } from './captured-packet.js';

const IPPROTO_UDP = 17;

/** The captured record being decoded: its bytes, arrival time and the reader's counters. */
export type CapturedRecord = { bytes: Uint8Array; timeUs: number; stats: CaptureStats };

/** Big-endian 16-bit field at `o` (0 past the end). */
export function u16(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
}

/** Counts a skipped record under `reason`; returns undefined for the caller to return. */
export function skip(r: CapturedRecord, reason: Exclude<keyof CaptureStats, 'records' | 'packets'>): undefined {
  r.stats[reason]++;
  return undefined;
}

/** A header that does not fit: cut by the snap length, or malformed. */
function overrun(r: CapturedRecord, cut: boolean): undefined {
  return skip(r, cut ? 'snapTruncated' : 'malformed');
}

/**
 * Decodes an IP packet (IPv4 or IPv6, chosen by the version nibble) in `r.bytes[start, end)` and
 * returns its UDP payload as a view, or `undefined` after counting the reason in `r.stats`.
 */
export function decodeIpPacket(r: CapturedRecord, start: number, end: number): CapturedPacket | undefined {
  if (end - start < 1) return skip(r, 'malformed');
  const version = (r.bytes[start] ?? 0) >> 4;
  if (version === 4) return decodeIpv4(r, start, end);
  if (version === 6) return decodeIpv6(r, start, end);
  return skip(r, 'malformed');
}

/** The IP packet's end: its length field, clipped to the captured bytes (then `cut`). */
function ipEnd(claimed: number, end: number): { ipEnd: number; cut: boolean } {
  return claimed > end ? { ipEnd: end, cut: true } : { ipEnd: claimed, cut: false };
}

function decodeIpv4(r: CapturedRecord, start: number, end: number): CapturedPacket | undefined {
  const b = r.bytes;
  if (end - start < 20) return skip(r, 'malformed');
  const ihl = ((b[start] ?? 0) & 0x0f) * 4;
  const totalLength = u16(b, start + 2);
  if (ihl < 20 || totalLength < ihl) return skip(r, 'malformed');
  // Total Length trims Ethernet padding; a shorter record means the snap length cut it.
  const ip = ipEnd(start + totalLength, end);
  if (start + ihl > ip.ipEnd) return skip(r, 'malformed');
  const flagsFrag = u16(b, start + 6);
  if ((flagsFrag & 0x2000) !== 0 || (flagsFrag & 0x1fff) !== 0) return skip(r, 'fragments');
  if (b[start + 9] !== IPPROTO_UDP) return skip(r, 'nonUdp');
  return decodeUdp(r, start + ihl, ip.ipEnd, ip.cut, formatIpv4(b, start + 12), formatIpv4(b, start + 16));
}

function decodeIpv6(r: CapturedRecord, start: number, end: number): CapturedPacket | undefined {
  const b = r.bytes;
  if (end - start < 40) return skip(r, 'malformed');
  const payloadLength = u16(b, start + 4);
  // Payload length 0 with a Hop-by-Hop header means a jumbogram (RFC 2675): use what we have.
  const ip = ipEnd(payloadLength === 0 ? end : start + 40 + payloadLength, end);
  let next = b[start + 6] ?? 0;
  let off = start + 40;
  for (let guard = 0; guard < 16; guard++) {
    if (next === IPPROTO_UDP) {
      return decodeUdp(r, off, ip.ipEnd, ip.cut, formatIpv6(b, start + 8), formatIpv6(b, start + 24));
    }
    if (next === 0 || next === 43 || next === 60 || next === 135 || next === 51 || next === 44) {
      if (off + 8 > ip.ipEnd) return overrun(r, ip.cut);
      const nextHeader = b[off] ?? 0;
      const len = b[off + 1] ?? 0;
      if (next === 44) {
        // RFC 8200 §4.5: offset (13 bits) | res (2) | M (1). Offset 0 and M 0 = atomic fragment.
        if (u16(b, off + 2) !== 0) return skip(r, 'fragments');
        off += 8;
      } else if (next === 51) {
        off += (len + 2) * 4;
      } else {
        off += (len + 1) * 8;
      }
      next = nextHeader;
      continue;
    }
    return skip(r, 'nonUdp');
  }
  return skip(r, 'malformed');
}

function decodeUdp(
  r: CapturedRecord,
  start: number,
  ipEnd: number,
  cut: boolean,
  src: string,
  dst: string,
): CapturedPacket | undefined {
  const b = r.bytes;
  if (start + 8 > ipEnd) return overrun(r, cut);
  const udpLength = u16(b, start + 4);
  // 0 is legal only for IPv6 jumbograms; treat it as "to the end of the IP packet".
  if (udpLength < 8 && udpLength !== 0) return skip(r, 'malformed');
  const want = udpLength === 0 ? ipEnd : start + udpLength;
  if (want > ipEnd) return overrun(r, cut);
  r.stats.packets++;
  return {
    data: b.subarray(start + 8, want),
    timeUs: r.timeUs,
    src,
    dst,
    srcPort: u16(b, start),
    dstPort: u16(b, start + 2),
  };
}

/** Dotted-quad text of the 4 bytes at `o`. */
export function formatIpv4(b: Uint8Array, o: number): string {
  return `${b[o] ?? 0}.${b[o + 1] ?? 0}.${b[o + 2] ?? 0}.${b[o + 3] ?? 0}`;
}

/** RFC 5952 text of the 16 bytes at `o` (lower-case hex, longest zero run ≥ 2 groups as "::"). */
export function formatIpv6(b: Uint8Array, o: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(u16(b, o + i * 2));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':');
  if (bestLen < 2) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}
