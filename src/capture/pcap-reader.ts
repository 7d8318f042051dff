/**
 * Classic libpcap file reader (draft-ietf-opsawg-pcap §4–§5).
 *
 * File header, 24 bytes, in the writer's byte order (the magic tells which, and the resolution):
 *
 *   +-------------------------------+  0xA1B2C3D4 = microseconds, 0xA1B23C4D = nanoseconds;
 *   |          Magic Number         |  read byte-swapped (D4C3B2A1 / 4D3CB2A1) = other byte order
 *   +---------------+---------------+
 *   | Major Version | Minor Version |  2 . 4
 *   +---------------+---------------+
 *   |           Reserved1 (thiszone)|
 *   |           Reserved2 (sigfigs) |
 *   |            SnapLen            |
 *   | FCS |f|       LinkType (bits 0–15; 16–27 reserved)   |
 *   +-------------------------------+
 *
 * Packet record, 16-byte header then Captured Packet Length bytes:
 *
 *   | Timestamp (seconds) | Timestamp (µs or ns) | Captured Packet Length | Original Packet Length |
 */
import { CaptureFormatError } from './capture-error.js';
import type { CaptureReadResult } from './captured-packet.js';
import { decodeLinkFrame, isSupportedLinkType } from './link-layer.js';
import { MAX_RECORD_BYTES, RecordParser, parseAll } from './record-parser.js';

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;

/** Header fields of a pcap file, as returned by {@link parsePcapHeader}. */
export type PcapHeader = {
  littleEndian: boolean;
  nanoseconds: boolean;
  versionMajor: number;
  versionMinor: number;
  snapLen: number;
  linkType: number;
};

/** True when `bytes` starts with a pcap magic number in either byte order. */
export function isPcap(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 4);
  const be = dv.getUint32(0, false);
  const le = dv.getUint32(0, true);
  return be === MAGIC_US || be === MAGIC_NS || le === MAGIC_US || le === MAGIC_NS;
}

/** Parses the 24-byte pcap file header; throws {@link CaptureFormatError} if it is not one. */
export function parsePcapHeader(bytes: Uint8Array): PcapHeader {
  if (!isPcap(bytes)) throw new CaptureFormatError('not a pcap file (bad magic number)');
  if (bytes.length < 24) throw new CaptureFormatError(`pcap file header truncated (${bytes.length} of 24 bytes)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 24);
  const be = dv.getUint32(0, false);
  const littleEndian = !(be === MAGIC_US || be === MAGIC_NS);
  const magic = dv.getUint32(0, littleEndian);
  return {
    littleEndian,
    nanoseconds: magic === MAGIC_NS,
    versionMajor: dv.getUint16(4, littleEndian),
    versionMinor: dv.getUint16(6, littleEndian),
    snapLen: dv.getUint32(16, littleEndian),
    linkType: dv.getUint32(20, littleEndian) & 0xffff,
  };
}

/** Incremental pcap parser (see record-parser.ts): the file header, then one record per call. */
export class PcapParser extends RecordParser {
  readonly format = 'pcap' as const;
  private header: PcapHeader | undefined;

  next(b: Uint8Array, pos: number, end: number, offset: number, eof: boolean): number {
    this.packet = undefined;
    const have = end - pos;
    const header = this.header;
    if (!header) {
      if (have < 24 && !eof) return -24;
      const h = parsePcapHeader(b.subarray(pos, Math.min(end, pos + 24)));
      if (!isSupportedLinkType(h.linkType)) {
        this.warnings.push(`unsupported pcap link type ${h.linkType}; its records are skipped`);
        this.unsupportedLinkTypes.add(h.linkType);
      }
      this.header = h;
      return 24;
    }
    if (have === 0 && eof) return 0;
    if (have < 16) return eof ? this.stop(offset, `pcap record header at byte ${offset} truncated`) : -16;
    const dv = this.dv(b);
    const le = header.littleEndian;
    const capLen = dv.getUint32(pos + 8, le);
    if (capLen > MAX_RECORD_BYTES) {
      return this.stop(offset, `pcap record at byte ${offset} announces ${capLen} bytes, more than any capture record (corrupt file)`);
    }
    if (have < 16 + capLen) {
      if (!eof) return -(16 + capLen);
      return this.stop(offset, `pcap record at byte ${offset} truncated (${capLen} bytes announced, ${have - 16} left)`);
    }
    this.stats.records++;
    const sec = dv.getUint32(pos, le);
    const frac = dv.getUint32(pos + 4, le);
    const timeUs = sec * 1_000_000 + (header.nanoseconds ? Math.floor(frac / 1000) : frac);
    this.packet = decodeLinkFrame(header.linkType, b, pos + 16, pos + 16 + capLen, timeUs, this.stats);
    return 16 + capLen;
  }
}

/**
 * Reads every UDP payload of a pcap file. A record cut short by the end of the file stops the
 * read (`stats.truncatedRecords = 1`); the records before it are kept.
 */
export function readPcap(bytes: Uint8Array): CaptureReadResult {
  return parseAll(new PcapParser(), bytes);
}
