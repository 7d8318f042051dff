/**
 * pcapng reader (draft-ietf-opsawg-pcapng §3–§4).
 *
 * Every block: Block Type (4) | Block Total Length (4) | body | Block Total Length (4), 32-bit
 * aligned, in the byte order of the current section.
 *
 *   SHB 0x0A0D0D0A  §4.1  Byte-Order Magic 0x1A2B3C4D | Major 2 | Minor 2 | Section Length 8 | opts
 *                         (the magic, read in either order, fixes the order of the whole section;
 *                          a new SHB resets the interface list)
 *   IDB 0x00000001  §4.2  LinkType 2 | Reserved 2 | SnapLen 4 | options; if_tsresol (code 9, 1 byte:
 *                         MSB 0 → 10^-n s, MSB 1 → 2^-n s; default 10^-6) and if_tsoffset (code 14,
 *                         int64 seconds added to every timestamp)
 *   EPB 0x00000006  §4.3  Interface ID 4 | Timestamp high 4 | Timestamp low 4 | Captured Len 4 |
 *                         Original Len 4 | data padded to 32 bits | options
 *   SPB 0x00000003  §4.4  Original Len 4 | data (captured = min(block length - 16, original));
 *                         interface 0, no timestamp: the previous packet's time is reused
 *   PB  0x00000002  obsolete Packet Block: Interface ID 2 | Drops 2 | Timestamp high/low | Cap | Orig
 *
 * Other blocks (NRB, ISB, DSB, custom…) are skipped and counted.
 */
import { CaptureFormatError } from './capture-error.js';
import type { CaptureReadResult, CapturedPacket } from './captured-packet.js';
import { emptyCaptureStats } from './captured-packet.js';
import { decodeLinkFrame, isSupportedLinkType } from './link-layer.js';

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const PB = 0x00000002;
const SPB = 0x00000003;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

type Interface = {
  linkType: number;
  /** Timestamp units per second, as a BigInt so 64-bit nanosecond stamps stay exact. */
  unitsPerSecond: bigint;
  offsetSeconds: bigint;
};

/** True when `bytes` starts with a pcapng Section Header Block type. */
export function isPcapng(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x0a && bytes[1] === 0x0d && bytes[2] === 0x0d && bytes[3] === 0x0a;
}

function parseIdb(dv: DataView, body: number, bodyEnd: number, le: boolean): Interface {
  const iface: Interface = { linkType: dv.getUint16(body, le), unitsPerSecond: 1_000_000n, offsetSeconds: 0n };
  let o = body + 8;
  // Options: code 2 | length 2 | value padded to 32 bits; opt_endofopt (0) ends the list.
  while (o + 4 <= bodyEnd) {
    const code = dv.getUint16(o, le);
    const len = dv.getUint16(o + 2, le);
    const v = o + 4;
    if (code === 0 || v + len > bodyEnd) break;
    if (code === 9 && len >= 1) {
      const r = dv.getUint8(v);
      const n = BigInt(r & 0x7f);
      // Exponents beyond 2^63 / 10^18 are nonsense; keep µs then.
      if ((r & 0x80) === 0 ? n <= 18n : n <= 62n) iface.unitsPerSecond = (r & 0x80) === 0 ? 10n ** n : 1n << n;
    } else if (code === 14 && len >= 8) {
      iface.offsetSeconds = dv.getBigInt64(v, le);
    }
    o = v + ((len + 3) & ~3);
  }
  return iface;
}

function toMicros(iface: Interface, high: number, low: number): number {
  const units = (BigInt(high) << 32n) | BigInt(low);
  return Number((units * 1_000_000n) / iface.unitsPerSecond + iface.offsetSeconds * 1_000_000n);
}

/**
 * Reads every UDP payload of a pcapng file, across all sections and interfaces. A block cut short
 * by the end of the file stops the read (`stats.truncatedRecords = 1`); earlier packets are kept.
 */
export function readPcapng(bytes: Uint8Array): CaptureReadResult {
  if (!isPcapng(bytes)) throw new CaptureFormatError('not a pcapng file (no Section Header Block)');
  if (bytes.length < 28) throw new CaptureFormatError(`pcapng Section Header Block truncated (${bytes.length} bytes)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stats = emptyCaptureStats();
  const warnings: string[] = [];
  const packets: CapturedPacket[] = [];
  let le = true;
  let interfaces: Interface[] = [];
  let lastTimeUs = 0;
  const warnOnce = new Set<string>();
  const warn = (key: string, msg: string) => {
    if (!warnOnce.has(key)) {
      warnOnce.add(key);
      warnings.push(msg);
    }
  };
  let off = 0;
  let first = true;
  while (off < bytes.length) {
    if (off + 12 > bytes.length) {
      stats.truncatedRecords = 1;
      warnings.push(`pcapng block at byte ${off} truncated; stopped reading`);
      break;
    }
    let type = dv.getUint32(off, le);
    if (dv.getUint32(off, true) === SHB) {
      type = SHB;
      const magic = dv.getUint32(off + 8, true);
      if (magic === BYTE_ORDER_MAGIC) le = true;
      else if (magic === 0x4d3c2b1a) le = false;
      else {
        if (first) throw new CaptureFormatError('pcapng Section Header Block has a bad byte-order magic');
        stats.truncatedRecords = 1;
        warnings.push(`pcapng section at byte ${off} has a bad byte-order magic; stopped reading`);
        break;
      }
      interfaces = [];
    }
    const total = dv.getUint32(off + 4, le);
    if (total < 12 || total % 4 !== 0) {
      if (first) throw new CaptureFormatError(`pcapng block length ${total} is invalid`);
      stats.truncatedRecords = 1;
      warnings.push(`pcapng block at byte ${off} has invalid length ${total}; stopped reading`);
      break;
    }
    if (total > bytes.length - off) {
      if (first) throw new CaptureFormatError('pcapng Section Header Block truncated');
      stats.truncatedRecords = 1;
      warnings.push(`pcapng block at byte ${off} truncated (${total} bytes announced); stopped reading`);
      break;
    }
    first = false;
    const body = off + 8;
    const bodyEnd = off + total - 4;
    switch (type) {
      case SHB:
        break;
      case IDB:
        if (bodyEnd - body < 8) {
          stats.malformed++;
          interfaces.push({ linkType: -1, unitsPerSecond: 1_000_000n, offsetSeconds: 0n });
          break;
        }
        interfaces.push(parseIdb(dv, body, bodyEnd, le));
        break;
      case EPB:
      case PB: {
        stats.records++;
        if (bodyEnd - body < 20) {
          stats.malformed++;
          break;
        }
        const ifId = type === EPB ? dv.getUint32(body, le) : dv.getUint16(body, le);
        const capLen = dv.getUint32(body + 12, le);
        const data = body + 20;
        const iface = interfaces[ifId];
        if (!iface || capLen > bodyEnd - data) {
          stats.malformed++;
          warn('epb', `pcapng packet block at byte ${off} references unknown interface or overruns its block`);
          break;
        }
        if (!isSupportedLinkType(iface.linkType)) warn(`lt${iface.linkType}`, `unsupported pcapng link type ${iface.linkType}; its packets are skipped`);
        lastTimeUs = toMicros(iface, dv.getUint32(body + 4, le), dv.getUint32(body + 8, le));
        const pkt = decodeLinkFrame(iface.linkType, bytes, data, data + capLen, lastTimeUs, stats);
        if (pkt) packets.push(pkt);
        break;
      }
      case SPB: {
        stats.records++;
        const iface = interfaces[0];
        if (bodyEnd - body < 4 || !iface) {
          stats.malformed++;
          break;
        }
        const origLen = dv.getUint32(body, le);
        const data = body + 4;
        const capLen = Math.min(origLen, bodyEnd - data);
        const pkt = decodeLinkFrame(iface.linkType, bytes, data, data + capLen, lastTimeUs, stats);
        if (pkt) packets.push(pkt);
        break;
      }
      default:
        stats.skippedBlocks++;
    }
    off += total;
  }
  return { format: 'pcapng', packets, stats, warnings };
}
