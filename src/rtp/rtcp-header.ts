/**
 * RTCP framing shared by every reader and writer: the RFC 5761 §4 demultiplexing rule, the walk
 * over a compound packet, and the common header of a packet we build.
 *
 * RTCP common header, RFC 3550 §6.4.1:
 *
 *    0                   1                   2                   3
 *   |V=2|P|  count  |  packet type  |  length (32-bit words − 1)    |
 *   |                  SSRC of packet sender                        |
 *
 * On a flow that muxes RTP and RTCP (RFC 5761 §4) the second octet decides: RTCP packet types
 * 192–223 (FIR/NACK 192/193, SR 200, RR 201, SDES 202, BYE 203, APP 204, RTPFB 205, PSFB 206,
 * XR 207…) would read as RTP marker = 1 with PT 64–95, which RFC 5761 forbids for RTP.
 */

/** True for an RTCP packet on a muxed RTP/RTCP flow: version 2, second octet 192–223, ≥ 4 bytes. */
export function isRtcp(data: Uint8Array): boolean {
  if (data.length < 4 || data[0]! >> 6 !== 2) return false;
  const pt = data[1]!;
  return pt >= 192 && pt <= 223;
}

/** One packet of a compound RTCP packet: its header fields and where its bytes are. */
export type RtcpPacketView = {
  /** RC / SC / FMT (the 5 bits after V and P). */
  count: number;
  packetType: number;
  /** View over the whole compound packet; the packet starts at `offset`. */
  view: DataView;
  offset: number;
  /** Bytes of this packet, header included ((length field + 1) × 4). */
  byteLength: number;
};

/** The packets of a (compound) RTCP packet, in order; stops at the first malformed header. */
export function* rtcpPackets(data: Uint8Array): Generator<RtcpPacketView> {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let offset = 0; offset + 4 <= data.length; ) {
    const b0 = view.getUint8(offset);
    if (b0 >> 6 !== 2) return;
    const byteLength = (view.getUint16(offset + 2) + 1) * 4;
    if (offset + byteLength > data.length) return;
    yield { count: b0 & 0x1f, packetType: view.getUint8(offset + 1), view, offset, byteLength };
    offset += byteLength;
  }
}

/**
 * A zeroed RTCP packet of `byteLength` bytes (a multiple of 4, ≥ 8) with its common header and
 * sender SSRC written; the caller fills the rest through the returned view.
 */
export function newRtcpPacket(
  packetType: number,
  count: number,
  byteLength: number,
  senderSsrc: number,
): { bytes: Buffer; view: DataView } {
  const bytes = Buffer.alloc(byteLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, byteLength);
  view.setUint8(0, 0x80 | (count & 0x1f));
  view.setUint8(1, packetType);
  view.setUint16(2, byteLength / 4 - 1);
  view.setUint32(4, senderSsrc >>> 0);
  return { bytes, view };
}
