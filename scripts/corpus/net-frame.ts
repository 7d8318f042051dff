/**
 * Builds the link-layer frames the corpus writes around each RTP packet:
 *
 *   IPv4 (RFC 791 §3.1, 20-byte header, DF set, checksum filled) / IPv6 (RFC 8200 §3, optional
 *   Hop-by-Hop header §4.3 with a PadN option) → UDP (RFC 768; checksum over the pseudo-header of
 *   RFC 768 / RFC 8200 §8.1), wrapped in Ethernet II (optional 802.1Q tag), Linux cooked v1/v2
 *   (SLL 16 bytes / SLL2 20 bytes) or BSD loopback (4-byte family in the writer's byte order).
 */

/** An IP address (IPv4 dotted or IPv6 text) and UDP port. */
export type Endpoint = { ip: string; port: number };

/** Parses IPv4 dotted-quad or IPv6 text (with at most one "::") into bytes. */
export function parseIp(ip: string): Uint8Array {
  if (!ip.includes(':')) {
    const parts = ip.split('.').map(Number);
    if (parts.length !== 4 || parts.some((x) => !(x >= 0 && x <= 255))) throw new Error(`bad IPv4 ${ip}`);
    return Uint8Array.from(parts);
  }
  const [head = '', tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) throw new Error(`bad IPv6 ${ip}`);
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

function sum16(bytes: Uint8Array, acc = 0): number {
  for (let i = 0; i < bytes.length; i += 2) acc += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  return acc;
}

function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return ~acc & 0xffff;
}

function udp(src: Endpoint, dst: Endpoint, payload: Uint8Array, pseudo: Uint8Array): Uint8Array {
  const u = new Uint8Array(8 + payload.length);
  const dv = new DataView(u.buffer);
  dv.setUint16(0, src.port);
  dv.setUint16(2, dst.port);
  dv.setUint16(4, u.length);
  u.set(payload, 8);
  const c = fold(sum16(u, sum16(pseudo)));
  dv.setUint16(6, c === 0 ? 0xffff : c);
  return u;
}

/** IPv4 + UDP datagram carrying `payload`. */
export function udpIpv4(src: Endpoint, dst: Endpoint, payload: Uint8Array, id: number): Uint8Array {
  const s = parseIp(src.ip);
  const d = parseIp(dst.ip);
  const pseudo = new Uint8Array(12);
  pseudo.set(s, 0);
  pseudo.set(d, 4);
  pseudo[9] = 17;
  new DataView(pseudo.buffer).setUint16(10, 8 + payload.length);
  const u = udp(src, dst, payload, pseudo);
  const ip = new Uint8Array(20 + u.length);
  const dv = new DataView(ip.buffer);
  ip[0] = 0x45;
  dv.setUint16(2, ip.length);
  dv.setUint16(4, id & 0xffff);
  dv.setUint16(6, 0x4000); // DF
  ip[8] = 64;
  ip[9] = 17;
  ip.set(s, 12);
  ip.set(d, 16);
  dv.setUint16(10, fold(sum16(ip.subarray(0, 20))));
  ip.set(u, 20);
  return ip;
}

/** IPv6 + UDP datagram, optionally with an 8-byte Hop-by-Hop header (PadN) before UDP. */
export function udpIpv6(src: Endpoint, dst: Endpoint, payload: Uint8Array, hopByHop = false): Uint8Array {
  const s = parseIp(src.ip);
  const d = parseIp(dst.ip);
  const pseudo = new Uint8Array(40);
  pseudo.set(s, 0);
  pseudo.set(d, 16);
  new DataView(pseudo.buffer).setUint32(32, 8 + payload.length);
  pseudo[39] = 17;
  const u = udp(src, dst, payload, pseudo);
  const ext = hopByHop ? 8 : 0;
  const ip = new Uint8Array(40 + ext + u.length);
  const dv = new DataView(ip.buffer);
  ip[0] = 0x60;
  dv.setUint16(4, ext + u.length);
  ip[6] = hopByHop ? 0 : 17;
  ip[7] = 64;
  ip.set(s, 8);
  ip.set(d, 24);
  if (hopByHop) {
    ip[40] = 17; // next header UDP, length 0 → 8 bytes; PadN option (type 1, len 4)
    ip[42] = 1;
    ip[43] = 4;
  }
  ip.set(u, 40 + ext);
  return ip;
}

/** EtherType of an IP packet by its version nibble. */
export function etherTypeOf(ip: Uint8Array): number {
  return (ip[0] ?? 0) >> 4 === 6 ? 0x86dd : 0x0800;
}

/** Ethernet II frame (locally administered MACs), optionally with one 802.1Q tag. */
export function ethernet(payload: Uint8Array, etherType: number, vlanId?: number): Uint8Array {
  const tag = vlanId === undefined ? 0 : 4;
  const f = new Uint8Array(14 + tag + payload.length);
  f.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01], 0);
  const dv = new DataView(f.buffer);
  if (vlanId !== undefined) {
    dv.setUint16(12, 0x8100);
    dv.setUint16(14, vlanId & 0x0fff);
  }
  dv.setUint16(12 + tag, etherType);
  f.set(payload, 14 + tag);
  return f;
}

/** Linux cooked-mode v1 header (packet type 0 = to us, ARPHRD_LOOPBACK 772). */
export function linuxSll(payload: Uint8Array, etherType: number): Uint8Array {
  const f = new Uint8Array(16 + payload.length);
  const dv = new DataView(f.buffer);
  dv.setUint16(2, 772);
  dv.setUint16(4, 6);
  dv.setUint16(14, etherType);
  f.set(payload, 16);
  return f;
}

/** Linux cooked-mode v2 header. */
export function linuxSll2(payload: Uint8Array, etherType: number, ifIndex = 1): Uint8Array {
  const f = new Uint8Array(20 + payload.length);
  const dv = new DataView(f.buffer);
  dv.setUint16(0, etherType);
  dv.setUint32(4, ifIndex);
  dv.setUint16(8, 772);
  f[10] = 0;
  f[11] = 6;
  f.set(payload, 20);
  return f;
}

/** BSD loopback (DLT_NULL): address family in the writer's byte order (AF_INET 2, AF_INET6 30). */
export function nullLoopback(payload: Uint8Array, littleEndian: boolean): Uint8Array {
  const f = new Uint8Array(4 + payload.length);
  new DataView(f.buffer).setUint32(0, (payload[0] ?? 0) >> 4 === 6 ? 30 : 2, littleEndian);
  f.set(payload, 4);
  return f;
}
