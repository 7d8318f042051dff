/** Builds RTP packets (RFC 3550 §5.1, 12-byte header, no CSRC/extension) for unit tests. */
export function rtpPacket(opts: {
  seq: number;
  ts: number;
  ssrc?: number;
  pt?: number;
  marker?: boolean;
  payload: Uint8Array | number[];
}): Uint8Array {
  const payload = opts.payload instanceof Uint8Array ? opts.payload : Uint8Array.from(opts.payload);
  const b = new Uint8Array(12 + payload.length);
  const v = new DataView(b.buffer);
  b[0] = 0x80;
  b[1] = (opts.marker ? 0x80 : 0) | (opts.pt ?? 111);
  v.setUint16(2, opts.seq & 0xffff);
  v.setUint32(4, opts.ts >>> 0);
  v.setUint32(8, (opts.ssrc ?? 0x1234) >>> 0);
  b.set(payload, 12);
  return b;
}

/** A valid 20 ms CELT-only fullband Opus packet shape (TOC config 31, mono, code 0) + filler bytes. */
export function opusLikePayload(bytes = 40): Uint8Array {
  const p = new Uint8Array(bytes);
  p[0] = (31 << 3) | 0; // RFC 6716 §3.1: config 31 = CELT FB 20 ms, s=0, c=0
  for (let i = 1; i < bytes; i++) p[i] = (i * 37) & 0xff;
  return p;
}
