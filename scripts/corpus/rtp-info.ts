/**
 * Just enough RTP header reading for the corpus builder (RFC 3550 §5.1; RTCP recognised by its
 * second octet 192..223 as in RFC 5761 §4). Kept separate from src/capture so the corpus does not
 * depend on the code it is used to test.
 */

/** Header fields the builder needs. */
export type RtpFields = { pt: number; seq: number; ts: number; ssrc: number; marker: boolean; payloadOffset: number };

/** Parses an RTP header, or returns undefined for RTCP / non-RTP. */
export function rtpFields(p: Uint8Array): RtpFields | undefined {
  if (p.length < 12 || (p[0] ?? 0) >> 6 !== 2) return undefined;
  const b1 = p[1] ?? 0;
  if (b1 >= 192 && b1 <= 223) return undefined;
  let off = 12 + ((p[0] ?? 0) & 0x0f) * 4;
  if ((p[0] ?? 0) & 0x10) {
    if (off + 4 > p.length) return undefined;
    off += 4 + (((p[off + 2] ?? 0) << 8) | (p[off + 3] ?? 0)) * 4;
  }
  if (off > p.length) return undefined;
  if ((p[0] ?? 0) & 0x20) {
    const pad = p[p.length - 1] ?? 0;
    if (pad === 0 || off + pad > p.length) return undefined;
  }
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  return { pt: b1 & 0x7f, seq: dv.getUint16(2), ts: dv.getUint32(4), ssrc: dv.getUint32(8), marker: (b1 & 0x80) !== 0, payloadOffset: off };
}

/** RTP timestamps unwrapped to a monotonic-ish number line (first packet = its own value). */
export function unwrapTimestamps(values: readonly number[]): number[] {
  const out: number[] = [];
  let prev: number | undefined;
  let acc = 0;
  for (const v of values) {
    if (prev === undefined) acc = v;
    else {
      acc += (v - prev) | 0; // signed 32-bit difference handles the wrap both ways
    }
    prev = v;
    out.push(acc);
  }
  return out;
}
