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
import type { CaptureReadResult } from './captured-packet.js';
import { decodeLinkFrame, isSupportedLinkType } from './link-layer.js';
import { MAX_RECORD_BYTES, RecordParser, parseAll } from './record-parser.js';

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

/** Incremental pcapng parser (see record-parser.ts): one block per call, across sections. */
export class PcapngParser extends RecordParser {
  readonly format = 'pcapng' as const;
  private le = true;
  private interfaces: Interface[] = [];
  private lastTimeUs = 0;
  private first = true;
  private readonly warned = new Set<string>();

  private warnOnce(key: string, msg: string): void {
    if (!this.warned.has(key)) {
      this.warned.add(key);
      this.warnings.push(msg);
    }
  }

  next(bytes: Uint8Array, pos: number, end: number, offset: number, eof: boolean): number {
    this.packet = undefined;
    const have = end - pos;
    const first = this.first;
    if (first) {
      if (have < 28 && !eof) return -28;
      if (!isPcapng(bytes.subarray(pos, end))) throw new CaptureFormatError('not a pcapng file (no Section Header Block)');
      if (have < 28) throw new CaptureFormatError(`pcapng Section Header Block truncated (${have} bytes)`);
    }
    if (have === 0 && eof) return 0;
    if (have < 12) return eof ? this.stop(offset, `pcapng block at byte ${offset} truncated`) : -12;
    const dv = this.dv(bytes);
    let type = dv.getUint32(pos, this.le);
    if (dv.getUint32(pos, true) === SHB) {
      type = SHB;
      const magic = dv.getUint32(pos + 8, true);
      if (magic === BYTE_ORDER_MAGIC) this.le = true;
      else if (magic === 0x4d3c2b1a) this.le = false;
      else {
        if (first) throw new CaptureFormatError('pcapng Section Header Block has a bad byte-order magic');
        return this.stop(offset, `pcapng section at byte ${offset} has a bad byte-order magic`);
      }
      this.interfaces = [];
    }
    const le = this.le;
    const total = dv.getUint32(pos + 4, le);
    if (total < 12 || total % 4 !== 0) {
      if (first) throw new CaptureFormatError(`pcapng block length ${total} is invalid`);
      return this.stop(offset, `pcapng block at byte ${offset} has invalid length ${total}`);
    }
    if (total > MAX_RECORD_BYTES) {
      return this.stop(offset, `pcapng block at byte ${offset} announces ${total} bytes, more than any capture block (corrupt file)`);
    }
    if (total > have) {
      if (!eof) return -total;
      if (first) throw new CaptureFormatError('pcapng Section Header Block truncated');
      return this.stop(offset, `pcapng block at byte ${offset} truncated (${total} bytes announced, ${have} left)`);
    }
    this.first = false;
    const body = pos + 8;
    const bodyEnd = pos + total - 4;
    const stats = this.stats;
    switch (type) {
      case SHB:
        break;
      case IDB:
        if (bodyEnd - body < 8) {
          stats.malformed++;
          this.interfaces.push({ linkType: -1, unitsPerSecond: 1_000_000n, offsetSeconds: 0n });
          break;
        }
        this.interfaces.push(parseIdb(dv, body, bodyEnd, le));
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
        const iface = this.interfaces[ifId];
        if (!iface || capLen > bodyEnd - data) {
          stats.malformed++;
          this.warnOnce('epb', `pcapng packet block at byte ${offset} references unknown interface or overruns its block`);
          break;
        }
        if (!isSupportedLinkType(iface.linkType)) {
          this.unsupportedLinkTypes.add(iface.linkType);
          this.warnOnce(`lt${iface.linkType}`, `unsupported pcapng link type ${iface.linkType}; its packets are skipped`);
        }
        this.lastTimeUs = toMicros(iface, dv.getUint32(body + 4, le), dv.getUint32(body + 8, le));
        this.packet = decodeLinkFrame(iface.linkType, bytes, data, data + capLen, this.lastTimeUs, stats);
        break;
      }
      case SPB: {
        stats.records++;
        const iface = this.interfaces[0];
        if (bodyEnd - body < 4 || !iface) {
          stats.malformed++;
          break;
        }
        const origLen = dv.getUint32(body, le);
        const data = body + 4;
        const capLen = Math.min(origLen, bodyEnd - data);
        this.packet = decodeLinkFrame(iface.linkType, bytes, data, data + capLen, this.lastTimeUs, stats);
        break;
      }
      default:
        stats.skippedBlocks++;
    }
    return total;
  }
}

/**
 * Reads every UDP payload of a pcapng file, across all sections and interfaces. A block cut short
 * by the end of the file stops the read (`stats.truncatedRecords = 1`); earlier packets are kept.
 */
export function readPcapng(bytes: Uint8Array): CaptureReadResult {
  return parseAll(new PcapngParser(), bytes);
}
