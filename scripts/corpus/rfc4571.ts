/**
 * RFC 4571 §2 framing (what GStreamer's rtpstreampay writes): LENGTH (16 bits, big-endian) then
 * the RTP/RTCP packet, repeated. The corpus keeps these files as the ground-truth packet lists.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** Splits an RFC 4571 byte stream into packet views; throws on a truncated frame. */
export function splitRfc4571(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < bytes.length) {
    if (off + 2 > bytes.length) throw new Error(`RFC 4571 stream truncated at byte ${off}`);
    const len = ((bytes[off] ?? 0) << 8) | (bytes[off + 1] ?? 0);
    if (off + 2 + len > bytes.length) throw new Error(`RFC 4571 frame at byte ${off} truncated`);
    out.push(bytes.subarray(off + 2, off + 2 + len));
    off += 2 + len;
  }
  return out;
}

/** Joins packets into an RFC 4571 byte stream. */
export function joinRfc4571(packets: readonly Uint8Array[]): Uint8Array {
  const total = packets.reduce((n, p) => n + 2 + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of packets) {
    if (p.length > 0xffff) throw new Error('packet too large for RFC 4571 framing');
    out[off] = p.length >> 8;
    out[off + 1] = p.length & 0xff;
    out.set(p, off + 2);
    off += 2 + p.length;
  }
  return out;
}

/** Reads an RFC 4571 file into packets. */
export function readRfc4571File(path: string): Uint8Array[] {
  return splitRfc4571(new Uint8Array(readFileSync(path)));
}

/** Writes packets as an RFC 4571 file. */
export function writeRfc4571File(path: string, packets: readonly Uint8Array[]): void {
  writeFileSync(path, joinRfc4571(packets));
}
