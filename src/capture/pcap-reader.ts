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
import { emptyCaptureStats } from './captured-packet.js';
import { decodeLinkFrame, isSupportedLinkType } from './link-layer.js';

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

/**
 * Reads every UDP payload of a pcap file. A record cut short by the end of the file stops the
 * read (`stats.truncatedRecords = 1`); the records before it are kept.
 */
export function readPcap(bytes: Uint8Array): CaptureReadResult {
  const header = parsePcapHeader(bytes);
  const { littleEndian: le, nanoseconds } = header;
  const stats = emptyCaptureStats();
  const warnings: string[] = [];
  const packets: CaptureReadResult['packets'] = [];
  if (!isSupportedLinkType(header.linkType)) {
    warnings.push(`unsupported pcap link type ${header.linkType}; its records are skipped`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 24;
  while (off < bytes.length) {
    if (off + 16 > bytes.length) {
      stats.truncatedRecords = 1;
      warnings.push(`pcap record header at byte ${off} truncated; stopped reading`);
      break;
    }
    const sec = dv.getUint32(off, le);
    const frac = dv.getUint32(off + 4, le);
    const capLen = dv.getUint32(off + 8, le);
    const start = off + 16;
    if (capLen > bytes.length - start) {
      stats.truncatedRecords = 1;
      warnings.push(`pcap record at byte ${off} truncated (${capLen} bytes announced, ${bytes.length - start} left); stopped reading`);
      break;
    }
    const end = start + capLen;
    stats.records++;
    const timeUs = sec * 1_000_000 + (nanoseconds ? Math.floor(frac / 1000) : frac);
    const pkt = decodeLinkFrame(header.linkType, bytes, start, end, timeUs, stats);
    if (pkt) packets.push(pkt);
    off = end;
  }
  return { format: 'pcap', packets, stats, warnings };
}
