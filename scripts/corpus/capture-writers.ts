/**
 * Writers for the corpus capture files (the readers under src/capture are tested against them):
 *
 *   pcap    draft-ietf-opsawg-pcap §4–§5: 24-byte header (magic A1B2C3D4 µs / A1B23C4D ns, v2.4,
 *           snaplen, link type) + per record ts_sec | ts_frac | caplen | origlen, either byte order.
 *   pcapng  draft-ietf-opsawg-pcapng §4: SHB (0x0A0D0D0A, byte-order magic 0x1A2B3C4D), one IDB per
 *           interface (if_tsresol option code 9), EPB (type 6) per packet, optionally an SPB
 *           (type 3), a Name Resolution Block (type 4) and Interface Statistics Blocks (type 5)
 *           that readers must skip.
 *   rtpdump rtptools: "#!rtpplay1.0 addr/port\n" + RD_hdr_t (16) + per packet RD_packet_t
 *           {length = 8 + len, plen (0 for RTCP, as rtpdump does), offset ms} + bytes; big-endian.
 */

/** A link-layer frame and its capture time. */
export type FrameRecord = { timeUs: number; frame: Uint8Array };

/** Options of {@link writePcap}. */
export type PcapWriterOptions = { linkType: number; nanoseconds?: boolean; bigEndian?: boolean; snapLen?: number };

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Writes a classic pcap file. */
export function writePcap(records: readonly FrameRecord[], o: PcapWriterOptions): Uint8Array {
  const le = !o.bigEndian;
  const snap = o.snapLen ?? 262144;
  const head = new Uint8Array(24);
  const dv = new DataView(head.buffer);
  dv.setUint32(0, o.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4, le);
  dv.setUint16(4, 2, le);
  dv.setUint16(6, 4, le);
  dv.setUint32(16, snap, le);
  dv.setUint32(20, o.linkType, le);
  const parts: Uint8Array[] = [head];
  for (const r of records) {
    const cap = Math.min(r.frame.length, snap);
    const h = new Uint8Array(16);
    const hv = new DataView(h.buffer);
    const sec = Math.floor(r.timeUs / 1e6);
    const us = r.timeUs - sec * 1e6;
    hv.setUint32(0, sec, le);
    hv.setUint32(4, o.nanoseconds ? us * 1000 : us, le);
    hv.setUint32(8, cap, le);
    hv.setUint32(12, r.frame.length, le);
    parts.push(h, r.frame.subarray(0, cap));
  }
  return concat(parts);
}

/** One pcapng interface: link type and timestamp resolution as 10^-n seconds. */
export type PcapngInterface = { linkType: number; tsresolDecimal: number; name: string };

/** A frame on a given pcapng interface; `simple` writes it as a Simple Packet Block. */
export type PcapngRecord = FrameRecord & { interfaceId: number; simple?: boolean };

/** Options of {@link writePcapng}. */
export type PcapngWriterOptions = { bigEndian?: boolean; skippableBlocks?: boolean };

function block(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  const b = new Uint8Array(total);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, type, le);
  dv.setUint32(4, total, le);
  b.set(body, 8);
  dv.setUint32(total - 4, total, le);
  return b;
}

function option(code: number, value: Uint8Array, le: boolean): Uint8Array {
  const o = new Uint8Array(4 + ((value.length + 3) & ~3));
  const dv = new DataView(o.buffer);
  dv.setUint16(0, code, le);
  dv.setUint16(2, value.length, le);
  o.set(value, 4);
  return o;
}

/** Writes a one-section pcapng file. */
export function writePcapng(
  interfaces: readonly PcapngInterface[],
  records: readonly PcapngRecord[],
  o: PcapngWriterOptions = {},
): Uint8Array {
  const le = !o.bigEndian;
  const parts: Uint8Array[] = [];
  const shb = new Uint8Array(16);
  const sv = new DataView(shb.buffer);
  sv.setUint32(0, 0x1a2b3c4d, le);
  sv.setUint16(4, 1, le);
  sv.setUint16(6, 0, le);
  sv.setBigInt64(8, -1n, le); // section length unknown
  parts.push(block(0x0a0d0d0a, concat([shb, option(4, new TextEncoder().encode('track-egress corpus'), le), new Uint8Array(4)]), le));
  for (const i of interfaces) {
    const h = new Uint8Array(8);
    const hv = new DataView(h.buffer);
    hv.setUint16(0, i.linkType, le);
    hv.setUint32(4, 262144, le);
    parts.push(
      block(1, concat([h, option(2, new TextEncoder().encode(i.name), le), option(9, Uint8Array.of(i.tsresolDecimal), le), new Uint8Array(4)]), le),
    );
  }
  if (o.skippableBlocks) {
    // Name Resolution Block: one IPv4 record (type 1) "127.0.0.1 localhost", then nrb_record_end.
    const rec = concat([Uint8Array.of(127, 0, 0, 1), new TextEncoder().encode('localhost\0')]);
    const nrb = new Uint8Array(4 + ((rec.length + 3) & ~3) + 4);
    const nv = new DataView(nrb.buffer);
    nv.setUint16(0, 1, le);
    nv.setUint16(2, rec.length, le);
    nrb.set(rec, 4);
    parts.push(block(4, nrb, le));
  }
  for (const r of records) {
    const iface = interfaces[r.interfaceId];
    if (!iface) throw new Error(`no interface ${r.interfaceId}`);
    if (r.simple) {
      if (r.interfaceId !== 0) throw new Error('SPB only on interface 0');
      const h = new Uint8Array(4);
      new DataView(h.buffer).setUint32(0, r.frame.length, le);
      parts.push(block(3, concat([h, r.frame]), le));
      continue;
    }
    const units = (BigInt(Math.round(r.timeUs)) * 10n ** BigInt(iface.tsresolDecimal)) / 1_000_000n;
    const h = new Uint8Array(20);
    const hv = new DataView(h.buffer);
    hv.setUint32(0, r.interfaceId, le);
    hv.setUint32(4, Number(units >> 32n), le);
    hv.setUint32(8, Number(units & 0xffffffffn), le);
    hv.setUint32(12, r.frame.length, le);
    hv.setUint32(16, r.frame.length, le);
    parts.push(block(6, concat([h, r.frame, new Uint8Array((4 - (r.frame.length % 4)) % 4)]), le));
  }
  if (o.skippableBlocks) {
    interfaces.forEach((_, id) => {
      const isb = new Uint8Array(12);
      new DataView(isb.buffer).setUint32(0, id, le);
      parts.push(block(5, isb, le));
    });
  }
  return concat(parts);
}

/** A packet for {@link writeRtpdump}. */
export type RtpdumpRecord = { timeUs: number; data: Uint8Array; rtcp: boolean };

/** Writes an rtpdump ("-F dump") file; times are relative to the first packet's second. */
export function writeRtpdump(records: readonly RtpdumpRecord[], dst: { ip: string; port: number }, sourceIp: string): Uint8Array {
  const startUs = records.length ? Math.floor((records[0]?.timeUs ?? 0) / 1e6) * 1e6 : 0;
  const head = new TextEncoder().encode(`#!rtpplay1.0 ${dst.ip}/${dst.port}\n`);
  const hdr = new Uint8Array(16);
  const hv = new DataView(hdr.buffer);
  hv.setUint32(0, startUs / 1e6);
  hv.setUint32(4, 0);
  hdr.set(sourceIp.split('.').map(Number), 8);
  hv.setUint16(12, dst.port);
  const parts: Uint8Array[] = [head, hdr];
  for (const r of records) {
    const h = new Uint8Array(8);
    const dv = new DataView(h.buffer);
    dv.setUint16(0, 8 + r.data.length);
    dv.setUint16(2, r.rtcp ? 0 : r.data.length);
    dv.setUint32(4, Math.floor((r.timeUs - startUs) / 1000));
    parts.push(h, r.data);
  }
  return concat(parts);
}
