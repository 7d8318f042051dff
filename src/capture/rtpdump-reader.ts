/**
 * rtpdump reader (the rtptools "dump" format written by `rtpdump -F dump`, read by `rtpplay`).
 *
 * File = text line "#!rtpplay1.0 <address>/<port>\n", then RD_hdr_t (16 bytes, big-endian):
 *
 *   +-------------------------------+-------------------------------+
 *   | start.tv_sec (4)              | start.tv_usec (4)             |
 *   | source address (4)            | port (2)      | padding (2)   |
 *   +-------------------------------+-------------------------------+
 *
 * then per packet an RD_packet_t (8 bytes, big-endian) followed by the packet bytes:
 *
 *   | length (2) = 8 + stored bytes | plen (2) = RTP packet length  | offset (4) ms since start |
 *
 * rtptools writes plen = 0 for RTCP packets; other writers store the RTCP length there. When only
 * headers were dumped, plen exceeds the stored bytes; the stored bytes are returned.
 */
import { CaptureFormatError } from './capture-error.js';
import type { CaptureReadResult, CapturedPacket } from './captured-packet.js';
import { emptyCaptureStats } from './captured-packet.js';
import { formatIpv4 } from './ip-udp.js';

const PREFIX = '#!rtpplay1.0 ';
const MAX_LINE = 256;

/** True when `bytes` starts with the rtpdump text line. */
export function isRtpdump(bytes: Uint8Array): boolean {
  if (bytes.length < PREFIX.length) return false;
  for (let i = 0; i < PREFIX.length; i++) if (bytes[i] !== PREFIX.charCodeAt(i)) return false;
  return true;
}

/**
 * Reads every packet of an rtpdump file. `dst`/`dstPort` come from the text line; `src` from
 * RD_hdr_t's source field. A record cut short by the end of the file stops the read.
 */
export function readRtpdump(bytes: Uint8Array): CaptureReadResult {
  if (!isRtpdump(bytes)) throw new CaptureFormatError('not an rtpdump file (no "#!rtpplay1.0" line)');
  let nl = -1;
  for (let i = PREFIX.length; i < Math.min(bytes.length, MAX_LINE); i++) {
    if (bytes[i] === 0x0a) {
      nl = i;
      break;
    }
  }
  if (nl < 0) throw new CaptureFormatError('rtpdump text line not terminated');
  const line = new TextDecoder('latin1').decode(bytes.subarray(PREFIX.length, nl)).trim();
  const slash = line.lastIndexOf('/');
  const dst = slash > 0 ? line.slice(0, slash) : line;
  const dstPortNum = slash > 0 ? Number.parseInt(line.slice(slash + 1), 10) : Number.NaN;
  const hdr = nl + 1;
  if (bytes.length < hdr + 16) throw new CaptureFormatError('rtpdump RD_hdr_t truncated');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const startUs = dv.getUint32(hdr, false) * 1_000_000 + dv.getUint32(hdr + 4, false);
  const srcAddr = dv.getUint32(hdr + 8, false);
  const src = srcAddr !== 0 ? formatIpv4(bytes, hdr + 8) : undefined;
  const stats = emptyCaptureStats();
  const warnings: string[] = [];
  const packets: CapturedPacket[] = [];
  let off = hdr + 16;
  while (off < bytes.length) {
    if (off + 8 > bytes.length) {
      stats.truncatedRecords = 1;
      warnings.push(`rtpdump record header at byte ${off} truncated; stopped reading`);
      break;
    }
    const length = dv.getUint16(off, false);
    const plen = dv.getUint16(off + 2, false);
    const offsetMs = dv.getUint32(off + 4, false);
    if (length < 8) {
      // A zero length cannot advance: the rest of the file is unreadable.
      stats.malformed++;
      stats.truncatedRecords = 1;
      warnings.push(`rtpdump record at byte ${off} has length ${length} < 8; stopped reading`);
      break;
    }
    if (off + length > bytes.length) {
      stats.truncatedRecords = 1;
      warnings.push(`rtpdump record at byte ${off} truncated; stopped reading`);
      break;
    }
    stats.records++;
    const stored = length - 8;
    const n = plen === 0 ? stored : Math.min(plen, stored);
    if (plen > stored) stats.snapTruncated++;
    const pkt: CapturedPacket = { data: bytes.subarray(off + 8, off + 8 + n), timeUs: startUs + offsetMs * 1000 };
    if (src !== undefined) pkt.src = src;
    if (dst) pkt.dst = dst;
    if (Number.isFinite(dstPortNum)) pkt.dstPort = dstPortNum;
    packets.push(pkt);
    stats.packets++;
    off += length;
  }
  return { format: 'rtpdump', packets, stats, warnings };
}
