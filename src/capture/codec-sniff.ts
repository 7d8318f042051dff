/**
 * What the payloads of an RTP stream look like, gathered in O(1) per packet while scanning a
 * capture: enough to tell VP8 from VP9 without an SDP, and to say why an H.264 stream gave no
 * frame. Only keyframe signatures of 24 bits are trusted, so a stream of another codec almost
 * never matches (2^-24 per packet, and only packets that start a frame are looked at).
 *
 *   VP8  RFC 7741 §4.2 payload descriptor, then at the start of partition 0 (S=1, PID=0) the
 *        frame tag whose P bit is 0 for a key frame, followed by the start code 9d 01 2a
 *        (RFC 6386 §9.1).
 *   VP9  RFC 9628 §4.2 payload descriptor (I, P, L, F, B, E, V, Z), then at the beginning of a
 *        frame (B=1) the uncompressed header (VP9 bitstream spec §6.2): frame_marker 0b10,
 *        profile, show_existing_frame 0, frame_type 0 (KEY_FRAME), show_frame, error_resilient_mode,
 *        frame_sync_code 49 83 42.
 *   H.264 RFC 6184 §5.2–5.8: NAL unit header F|NRI|type; 24 = STAP-A, 28 = FU-A (start bit in the
 *        FU header); 5 = IDR slice, 7 = SPS, 8 = PPS.
 */

/** Counters of payload signatures seen in one stream. */
export type PayloadEvidence = {
  /** Packets looked at. */
  packets: number;
  /** VP8 key frame starts (descriptor + P=0 + start code 9d 01 2a). */
  vp8Keyframes: number;
  /** VP9 key frame starts (descriptor with B=1 + frame marker + sync code 49 83 42). */
  vp9Keyframes: number;
  /** Packets whose first byte is a plausible H.264 NAL unit header (F=0, type 1–23, 24 or 28). */
  h264Nal: number;
  /** H.264 NAL units seen in-band: IDR slices, SPS, PPS (single, inside STAP-A, or FU-A starts). */
  h264Idr: number;
  h264Sps: number;
  h264Pps: number;
};

export function emptyEvidence(): PayloadEvidence {
  return { packets: 0, vp8Keyframes: 0, vp9Keyframes: 0, h264Nal: 0, h264Idr: 0, h264Sps: 0, h264Pps: 0 };
}

/** Adds `b` into `a`. */
export function addEvidence(a: PayloadEvidence, b: PayloadEvidence): void {
  for (const k of Object.keys(a) as (keyof PayloadEvidence)[]) a[k] += b[k];
}

/** Looks at one RTP payload (after the RTP header, padding removed). */
export function sniffPayload(e: PayloadEvidence, p: Uint8Array): void {
  e.packets++;
  if (p.length === 0) return;
  if (isVp8Keyframe(p)) e.vp8Keyframes++;
  if (isVp9Keyframe(p)) e.vp9Keyframes++;
  countH264(e, p);
}

/** The VP8 or VP9 key frame signature is present and the other one is not. */
export function guessVpCodec(e: PayloadEvidence): 'vp8' | 'vp9' | undefined {
  if (e.vp8Keyframes > 0 && e.vp9Keyframes === 0) return 'vp8';
  if (e.vp9Keyframes > 0 && e.vp8Keyframes === 0) return 'vp9';
  return undefined;
}

function isVp8Keyframe(p: Uint8Array): boolean {
  const b0 = p[0]!;
  // X R N S R PartID: reserved bits 0 (senders set them so), S=1 and PartID=0 start partition 0.
  if ((b0 & 0x48) !== 0 || (b0 & 0x17) !== 0x10) return false;
  let i = 1;
  if (b0 & 0x80) {
    const x = p[i++] ?? 0; // I L T K RSV
    if (x & 0x80) i += (p[i] ?? 0) & 0x80 ? 2 : 1; // PictureID, 7 or 15 bits (M)
    if (x & 0x40) i++; // TL0PICIDX
    if (x & 0x30) i++; // TID | Y | KEYIDX
  }
  // Frame tag (RFC 6386 §9.1): bit 0 of the first byte is 0 for a key frame; then 9d 01 2a.
  return i + 6 <= p.length && (p[i]! & 1) === 0 && p[i + 3] === 0x9d && p[i + 4] === 0x01 && p[i + 5] === 0x2a;
}

function isVp9Keyframe(p: Uint8Array): boolean {
  const b0 = p[0]!;
  if ((b0 & 0x08) === 0) return false; // B: beginning of a frame
  let i = 1;
  if (b0 & 0x80) i += (p[i] ?? 0) & 0x80 ? 2 : 1; // PictureID (M)
  if (b0 & 0x20) i += b0 & 0x10 ? 1 : 2; // layer indices (+ TL0PICIDX in non-flexible mode)
  if ((b0 & 0x10) && (b0 & 0x40)) {
    // Flexible mode P_DIFF list: N bit continues, at most 3.
    for (let k = 0; k < 3 && i < p.length && (p[i++]! & 1) === 1; k++);
  }
  if (b0 & 0x02) {
    // Scalability structure (RFC 9628 §4.2.1).
    const ss = p[i++] ?? 0;
    const ns = (ss >> 5) + 1;
    if (ss & 0x10) i += 4 * ns;
    if (ss & 0x08) {
      const ng = p[i++] ?? 0;
      for (let g = 0; g < ng && i < p.length; g++) i += 1 + (((p[i] ?? 0) >> 2) & 3);
    }
  }
  if (i + 4 > p.length) return false;
  const bit = (n: number) => (p[i + (n >> 3)]! >> (7 - (n & 7))) & 1;
  if ((p[i]! >> 6) !== 2) return false; // frame_marker
  const profile = bit(2) | (bit(3) << 1);
  let n = profile === 3 ? 5 : 4;
  if (bit(n++) === 1) return false; // show_existing_frame
  if (bit(n++) !== 0) return false; // frame_type: KEY_FRAME
  n += 2; // show_frame, error_resilient_mode
  if (i + ((n + 24 + 7) >> 3) > p.length) return false;
  let code = 0;
  for (let k = 0; k < 24; k++) code = (code << 1) | bit(n + k);
  return code === 0x498342;
}

function countNal(e: PayloadEvidence, type: number): void {
  if (type === 5) e.h264Idr++;
  else if (type === 7) e.h264Sps++;
  else if (type === 8) e.h264Pps++;
}

function countH264(e: PayloadEvidence, p: Uint8Array): void {
  const h = p[0]!;
  const type = h & 0x1f;
  if (h & 0x80 || type === 0 || (type > 24 && type !== 28)) return;
  e.h264Nal++;
  if (type <= 23) countNal(e, type);
  else if (type === 28) {
    if (p.length >= 2 && p[1]! & 0x80) countNal(e, p[1]! & 0x1f);
  } else {
    // STAP-A: 16-bit size then the NAL unit, repeated (RFC 6184 §5.7.1).
    for (let i = 1; i + 3 <= p.length; ) {
      const size = (p[i]! << 8) | p[i + 1]!;
      if (size === 0 || i + 2 + size > p.length) break;
      countNal(e, p[i + 2]! & 0x1f);
      i += 2 + size;
    }
  }
}
