/**
 * The one RTP header peek of the TypeScript side (capture readers, the LiveKit subscriber).
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
 * RTCP on the same flow is told apart by its second octet (RFC 5761 §4, see rtcp-header.ts).
 */
import { isRtcp } from './rtcp-header.js';

/** The fields of a recognised RTP header. */
export type RtpHeaderInfo = {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  /** RTP timestamp, ticks of the payload format's clock (unsigned 32 bits). */
  timestamp: number;
  ssrc: number;
  /** Bytes before the payload (fixed header + CSRCs + extension). */
  headerLength: number;
  /** Payload bytes after removing padding. */
  payloadLength: number;
};

/**
 * Parses the RTP header if `data` plausibly is RTP: version 2, not RTCP, CSRC list / extension /
 * padding inside the packet. Returns `undefined` otherwise. Never reads out of bounds.
 *
 * @example sniffRtp(packet)?.ssrc === expectedSsrc
 */
export function sniffRtp(data: Uint8Array): RtpHeaderInfo | undefined {
  const n = data.length;
  if (n < 12 || isRtcp(data)) return undefined;
  const b0 = data[0]!;
  const b1 = data[1]!;
  if (b0 >> 6 !== 2) return undefined;
  const v = new DataView(data.buffer, data.byteOffset, n);
  let header = 12 + (b0 & 0x0f) * 4;
  if (header > n) return undefined;
  if ((b0 & 0x10) !== 0) {
    if (header + 4 > n) return undefined;
    header += 4 + v.getUint16(header + 2) * 4;
    if (header > n) return undefined;
  }
  let payloadLength = n - header;
  if ((b0 & 0x20) !== 0) {
    const pad = data[n - 1]!;
    if (pad === 0 || pad > payloadLength) return undefined;
    payloadLength -= pad;
  }
  return {
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequenceNumber: v.getUint16(2),
    timestamp: v.getUint32(4),
    ssrc: v.getUint32(8),
    headerLength: header,
    payloadLength,
  };
}
