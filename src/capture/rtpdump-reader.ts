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
import { formatIpv4 } from './ip-udp.js';
import { RecordParser, parseAll } from './record-parser.js';

const PREFIX = '#!rtpplay1.0 ';
const MAX_LINE = 256;

/** True when `bytes` starts with the rtpdump text line. */
export function isRtpdump(bytes: Uint8Array): boolean {
  if (bytes.length < PREFIX.length) return false;
  for (let i = 0; i < PREFIX.length; i++) if (bytes[i] !== PREFIX.charCodeAt(i)) return false;
  return true;
}

/**
 * Incremental rtpdump parser (see record-parser.ts): the text line and RD_hdr_t, then one
 * RD_packet_t per call. `dst`/`dstPort` come from the text line; `src` from RD_hdr_t's source.
 */
export class RtpdumpParser extends RecordParser {
  readonly format = 'rtpdump' as const;
  private started = false;
  private startUs = 0;
  private src: string | undefined;
  private dst = '';
  private dstPort = Number.NaN;

  next(bytes: Uint8Array, pos: number, end: number, offset: number, eof: boolean): number {
    this.packet = undefined;
    const have = end - pos;
    if (!this.started) return this.fileHeader(bytes, pos, end, eof);
    if (have === 0 && eof) return 0;
    if (have < 8) return eof ? this.stop(offset, `rtpdump record header at byte ${offset} truncated`) : -8;
    const dv = this.dv(bytes);
    const length = dv.getUint16(pos, false);
    const plen = dv.getUint16(pos + 2, false);
    const offsetMs = dv.getUint32(pos + 4, false);
    if (length < 8) {
      // A length below the header cannot advance: the rest of the file is unreadable.
      this.stats.malformed++;
      return this.stop(offset, `rtpdump record at byte ${offset} has length ${length} < 8`);
    }
    if (have < length) {
      if (!eof) return -length;
      return this.stop(offset, `rtpdump record at byte ${offset} truncated (${length} bytes announced, ${have} left)`);
    }
    this.stats.records++;
    const stored = length - 8;
    const n = plen === 0 ? stored : Math.min(plen, stored);
    if (plen > stored) this.stats.snapTruncated++;
    const pkt: CapturedPacket = { data: bytes.subarray(pos + 8, pos + 8 + n), timeUs: this.startUs + offsetMs * 1000 };
    if (this.src !== undefined) pkt.src = this.src;
    if (this.dst) pkt.dst = this.dst;
    if (Number.isFinite(this.dstPort)) pkt.dstPort = this.dstPort;
    this.packet = pkt;
    this.stats.packets++;
    return length;
  }

  /** "#!rtpplay1.0 address/port\n" then RD_hdr_t. */
  private fileHeader(bytes: Uint8Array, pos: number, end: number, eof: boolean): number {
    if (!isRtpdump(bytes.subarray(pos, end))) {
      if (!eof && end - pos < PREFIX.length) return -PREFIX.length;
      throw new CaptureFormatError('not an rtpdump file (no "#!rtpplay1.0" line)');
    }
    let nl = -1;
    for (let i = pos + PREFIX.length; i < Math.min(end, pos + MAX_LINE); i++) {
      if (bytes[i] === 0x0a) {
        nl = i;
        break;
      }
    }
    if (nl < 0) {
      if (!eof && end - pos < MAX_LINE) return -MAX_LINE;
      throw new CaptureFormatError('rtpdump text line not terminated');
    }
    const hdr = nl + 1;
    if (end < hdr + 16) {
      if (!eof) return -(hdr + 16 - pos);
      throw new CaptureFormatError('rtpdump RD_hdr_t truncated');
    }
    const line = new TextDecoder('latin1').decode(bytes.subarray(pos + PREFIX.length, nl)).trim();
    const slash = line.lastIndexOf('/');
    this.dst = slash > 0 ? line.slice(0, slash) : line;
    this.dstPort = slash > 0 ? Number.parseInt(line.slice(slash + 1), 10) : Number.NaN;
    const dv = this.dv(bytes);
    this.startUs = dv.getUint32(hdr, false) * 1_000_000 + dv.getUint32(hdr + 4, false);
    if (dv.getUint32(hdr + 8, false) !== 0) this.src = formatIpv4(bytes, hdr + 8);
    this.started = true;
    return hdr + 16 - pos;
  }
}

/**
 * Reads every packet of an rtpdump file. A record cut short by the end of the file stops the
 * read (`stats.truncatedRecords = 1`); the records before it are kept.
 */
export function readRtpdump(bytes: Uint8Array): CaptureReadResult {
  return parseAll(new RtpdumpParser(), bytes);
}
