/**
 * Link-layer decoding for pcap / pcapng records (LINKTYPE_* values from
 * https://www.tcpdump.org/linktypes.html):
 *
 *   0   NULL       BSD loopback: 4-byte address family in the *capturing host's* byte order
 *                  (AF_INET = 2; AF_INET6 = 10 Linux, 24/28/30 BSDs/macOS), then the IP packet.
 *   108 LOOP       OpenBSD loopback: same, but the family is big-endian.
 *   1   EN10MB     Ethernet II: dst MAC 6 | src MAC 6 | EtherType 2 (0x0800 IPv4, 0x86DD IPv6),
 *                  optionally preceded by 802.1Q / 802.1ad tags (TPID 0x8100 / 0x88A8 / 0x9100,
 *                  4 bytes each: TPID 2 | TCI 2).
 *   101 RAW        bare IPv4 or IPv6 (version nibble decides); also 228 IPV4 and 229 IPV6.
 *   113 LINUX_SLL  cooked v1, 16 bytes: packet type 2 | ARPHRD 2 | addr len 2 | addr 8 | protocol 2
 *   276 LINUX_SLL2 cooked v2, 20 bytes: protocol 2 | reserved 2 | ifindex 4 | ARPHRD 2 |
 *                  packet type 1 | addr len 1 | addr 8
 */
import type { CapturedPacket, CaptureStats } from './captured-packet.js';
import { decodeIpPacket, skip, u16, type CapturedRecord } from './ip-udp.js';

/** Link types this module decodes. */
export const LinkType = {
  NULL: 0,
  EN10MB: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** True when {@link decodeLinkFrame} understands `linkType`. */
export function isSupportedLinkType(linkType: number): boolean {
  return (Object.values(LinkType) as number[]).includes(linkType);
}

function etherTypeToIp(r: CapturedRecord, etherType: number, start: number, end: number): CapturedPacket | undefined {
  if (etherType === 0x0800 || etherType === 0x86dd) return decodeIpPacket(r, start, end);
  return skip(r, 'nonIp');
}

/**
 * Decodes one captured frame of the given link type down to its UDP payload, counting whatever
 * is skipped in `stats`. `start`/`end` delimit the captured bytes of the record inside `b`.
 */
export function decodeLinkFrame(
  linkType: number,
  b: Uint8Array,
  start: number,
  end: number,
  timeUs: number,
  stats: CaptureStats,
): CapturedPacket | undefined {
  const r: CapturedRecord = { bytes: b, timeUs, stats };
  switch (linkType) {
    case LinkType.EN10MB: {
      let off = start + 12;
      if (off + 2 > end) break;
      let etherType = u16(b, off);
      // Up to two stacked VLAN tags (802.1Q inside 802.1ad).
      for (let tags = 0; tags < 2 && (etherType === 0x8100 || etherType === 0x88a8 || etherType === 0x9100); tags++) {
        off += 4;
        if (off + 2 > end) return skip(r, 'malformed');
        etherType = u16(b, off);
      }
      return etherTypeToIp(r, etherType, off + 2, end);
    }
    case LinkType.NULL:
    case LinkType.LOOP: {
      if (start + 4 > end) break;
      const be = (((b[start] ?? 0) << 24) | ((b[start + 1] ?? 0) << 16) | u16(b, start + 2)) >>> 0;
      const le = (((b[start + 3] ?? 0) << 24) | ((b[start + 2] ?? 0) << 16) | ((b[start + 1] ?? 0) << 8) | (b[start] ?? 0)) >>> 0;
      // The writer's byte order is not recorded; families are small, so the order that yields a
      // small value is the right one (LOOP is always big-endian).
      const family = linkType === LinkType.LOOP ? be : le <= 0xffff ? le : be;
      if (family === 2 || family === 10 || family === 24 || family === 28 || family === 30) {
        return decodeIpPacket(r, start + 4, end);
      }
      return skip(r, 'nonIp');
    }
    case LinkType.RAW:
    case LinkType.IPV4:
    case LinkType.IPV6:
      return decodeIpPacket(r, start, end);
    case LinkType.LINUX_SLL:
      if (start + 16 > end) break;
      return etherTypeToIp(r, u16(b, start + 14), start + 16, end);
    case LinkType.LINUX_SLL2:
      if (start + 20 > end) break;
      return etherTypeToIp(r, u16(b, start), start + 20, end);
    default:
      return skip(r, 'unsupportedLinkType');
  }
  return skip(r, 'malformed');
}
