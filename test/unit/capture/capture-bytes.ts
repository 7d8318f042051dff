/**
 * Hand-made capture bytes for the reader tests, written field by field from the specs (kept apart
 * from scripts/corpus so the readers are checked against a second, independent writer).
 */

/** Concatenates byte arrays / number lists. */
export function cat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

/** Big- or little-endian fixed-width integers. */
export const u16 = (v: number, le = false) => (le ? [v & 0xff, v >> 8] : [v >> 8, v & 0xff]);
export const u32 = (v: number, le = false) => {
  const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  return le ? b.reverse() : b;
};

/** A minimal RTP packet: V=2, given PT/seq/ts/SSRC and payload bytes. */
export function rtp(pt: number, seq: number, ts: number, ssrc: number, payload: number[] = [1, 2, 3, 4]): Uint8Array {
  return cat([0x80, pt & 0x7f], u16(seq), u32(ts), u32(ssrc), payload);
}

/** UDP header + payload (checksum 0). */
export function udp(sport: number, dport: number, payload: Uint8Array): Uint8Array {
  return cat(u16(sport), u16(dport), u16(8 + payload.length), [0, 0], payload);
}

/** IPv4 header (+ options) around `body`; `flagsFrag` is the raw flags/fragment-offset field. */
export function ipv4(body: Uint8Array, o: { proto?: number; flagsFrag?: number; options?: number[]; src?: number[]; dst?: number[] } = {}): Uint8Array {
  const opts = o.options ?? [];
  const ihl = 5 + opts.length / 4;
  return cat(
    [0x40 | ihl, 0],
    u16(ihl * 4 + body.length),
    [0, 1],
    u16(o.flagsFrag ?? 0x4000),
    [64, o.proto ?? 17, 0, 0],
    o.src ?? [10, 0, 0, 1],
    o.dst ?? [10, 0, 0, 2],
    opts,
    body,
  );
}

/** IPv6 header with an extension-header chain: each ext is [type, bytes (incl. next/len)]. */
export function ipv6(body: Uint8Array, exts: { type: number; bytes: number[] }[] = [], last = 17): Uint8Array {
  const chain: number[] = [];
  const types = [...exts.map((e) => e.type), last];
  exts.forEach((e, i) => {
    const b = [...e.bytes];
    b[0] = types[i + 1] ?? last;
    chain.push(...b);
  });
  const src = [0x20, 0x01, 0x0d, 0xb8, ...Array<number>(11).fill(0), 1];
  const dst = [...Array<number>(15).fill(0), 1];
  return cat([0x60, 0, 0, 0], u16(chain.length + body.length), [types[0] ?? last, 64], src, dst, chain, body);
}

/** Ethernet II (optionally with one 802.1Q tag). */
export function eth(payload: Uint8Array, etherType = 0x0800, vlan?: number): Uint8Array {
  const tag = vlan === undefined ? [] : [0x81, 0x00, ...u16(vlan)];
  return cat(Array<number>(12).fill(0xaa), tag, u16(etherType), payload);
}

/** pcap file: header + records; `ns` picks the nanosecond magic. */
export function pcap(linkType: number, records: { sec: number; frac: number; data: Uint8Array; capLen?: number }[], o: { le?: boolean; ns?: boolean } = {}): Uint8Array {
  const le = o.le ?? true;
  const head = cat(u32(o.ns ? 0xa1b23c4d : 0xa1b2c3d4, le), u16(2, le), u16(4, le), u32(0, le), u32(0, le), u32(65535, le), u32(linkType, le));
  return cat(head, ...records.map((r) => cat(u32(r.sec, le), u32(r.frac, le), u32(r.capLen ?? r.data.length, le), u32(r.data.length, le), r.data)));
}

/** One pcapng block with 32-bit padding. */
export function block(type: number, body: Uint8Array | number[], le = true): Uint8Array {
  const b = body instanceof Uint8Array ? body : Uint8Array.from(body);
  const pad = (4 - (b.length % 4)) % 4;
  const total = 12 + b.length + pad;
  return cat(u32(type, le), u32(total, le), b, Array<number>(pad).fill(0), u32(total, le));
}

/** Section Header Block. */
export function shb(le = true): Uint8Array {
  return block(0x0a0d0d0a, cat(u32(0x1a2b3c4d, le), u16(1, le), u16(0, le), Array<number>(8).fill(0xff)), le);
}

/** Interface Description Block with optional if_tsresol / if_tsoffset. */
export function idb(linkType: number, o: { tsresol?: number; tsoffset?: number; le?: boolean } = {}): Uint8Array {
  const le = o.le ?? true;
  const opts: number[] = [];
  if (o.tsresol !== undefined) opts.push(...u16(9, le), ...u16(1, le), o.tsresol, 0, 0, 0);
  if (o.tsoffset !== undefined) opts.push(...u16(14, le), ...u16(8, le), ...(le ? [...u32(o.tsoffset, true), 0, 0, 0, 0] : [0, 0, 0, 0, ...u32(o.tsoffset)]));
  if (opts.length) opts.push(0, 0, 0, 0);
  return block(1, cat(u16(linkType, le), [0, 0], u32(65535, le), opts), le);
}

/** Enhanced Packet Block with a 64-bit timestamp in interface units. */
export function epb(ifId: number, units: bigint, data: Uint8Array, le = true): Uint8Array {
  const hi = Number(units >> 32n);
  const lo = Number(units & 0xffffffffn);
  return block(6, cat(u32(ifId, le), u32(hi, le), u32(lo, le), u32(data.length, le), u32(data.length, le), data), le);
}

/** rtpdump file from (offset ms, packet, rtcp) entries. */
export function rtpdump(line: string, startSec: number, entries: { ms: number; data: Uint8Array; rtcp?: boolean }[]): Uint8Array {
  return cat(
    new TextEncoder().encode(`#!rtpplay1.0 ${line}\n`),
    u32(startSec),
    u32(250_000),
    [192, 168, 1, 7],
    u16(5004),
    [0, 0],
    ...entries.map((e) => cat(u16(8 + e.data.length), u16(e.rtcp ? 0 : e.data.length), u32(e.ms), e.data)),
  );
}
