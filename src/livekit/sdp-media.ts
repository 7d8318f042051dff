/**
 * Our own SDP reading and answer rewriting. node-datachannel's Track exposes only mid/type/direction,
 * so the SSRCs, msid and payload types of each media section come from the server's offer text.
 */

import { parseFmtpParameters } from '../capture/sdp.js';

export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export type SdpPayload = {
  payloadType: number;
  /** rtpmap encoding name as written (e.g. "VP8", "opus", "rtx"). */
  name: string;
  clockRate: number;
  channels?: number;
  fmtp: Record<string, string>;
  rtcpFb: string[];
};

export type SdpMedia = {
  /** audio, video, application. */
  kind: string;
  mid: string;
  /** Port 0 (rejected) counts as inactive. */
  direction: SdpDirection;
  /** "stream track" from a=msid (or the a=ssrc msid attribute). */
  msid?: { stream: string; track: string };
  /** The media SSRC (first of an FID group, else the first non-RTX SSRC). */
  ssrc?: number;
  rtxSsrc?: number;
  /** Every SSRC the section announces. */
  ssrcs: number[];
  payloads: SdpPayload[];
  /** extmap id → URI */
  extmaps: Map<number, string>;
};

export type ParsedSdp = { media: SdpMedia[]; iceLite: boolean };

const DIRECTIONS = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

function splitLines(sdp: string): string[] {
  return sdp.split(/\r?\n/).filter((l) => l.length > 0);
}

export function parseSdp(sdp: string): ParsedSdp {
  const media: SdpMedia[] = [];
  let iceLite = false;
  let cur: (SdpMedia & { port: number; fid?: [number, number]; ssrcMsid?: string; pts: number[] }) | undefined;
  const byPt = (pt: number): SdpPayload => {
    let p = cur!.payloads.find((x) => x.payloadType === pt);
    if (!p) {
      p = { payloadType: pt, name: '', clockRate: 0, fmtp: {}, rtcpFb: [] };
      cur!.payloads.push(p);
    }
    return p;
  };
  const flush = (): void => {
    if (!cur) return;
    const c = cur;
    if (c.port === 0) c.direction = 'inactive';
    if (!c.msid && c.ssrcMsid) {
      const [stream, track] = c.ssrcMsid.split(' ');
      if (stream) c.msid = { stream, track: track ?? '' };
    }
    if (c.fid) {
      c.ssrc = c.fid[0];
      c.rtxSsrc = c.fid[1];
    } else if (c.ssrcs.length > 0) {
      c.ssrc = c.ssrcs[0];
    }
    // Keep the m-line's payload order.
    c.payloads.sort((a, b) => c.pts.indexOf(a.payloadType) - c.pts.indexOf(b.payloadType));
    const { port: _p, fid: _f, ssrcMsid: _s, pts: _pts, ...m } = c;
    media.push(m);
    cur = undefined;
  };
  for (const line of splitLines(sdp)) {
    if (line.startsWith('m=')) {
      flush();
      const [kind, port, , ...fmts] = line.slice(2).split(' ');
      cur = {
        kind: kind ?? '',
        mid: String(media.length),
        direction: 'sendrecv',
        ssrcs: [],
        payloads: [],
        extmaps: new Map(),
        port: Number(port),
        pts: fmts.map(Number).filter((n) => Number.isInteger(n)),
      };
      for (const pt of cur.pts) byPt(pt);
      continue;
    }
    if (!line.startsWith('a=')) continue;
    const attr = line.slice(2);
    if (attr === 'ice-lite') {
      iceLite = true;
      continue;
    }
    if (!cur) continue;
    const colon = attr.indexOf(':');
    const name = colon < 0 ? attr : attr.slice(0, colon);
    const value = colon < 0 ? '' : attr.slice(colon + 1);
    if (DIRECTIONS.has(name)) {
      cur.direction = name as SdpDirection;
    } else if (name === 'mid') {
      cur.mid = value.trim();
    } else if (name === 'msid') {
      const [stream, track] = value.trim().split(' ');
      if (stream) cur.msid = { stream, track: track ?? '' };
    } else if (name === 'ssrc') {
      const m = /^(\d+)\s+([^:\s]+)(?::(.*))?$/.exec(value);
      if (!m) continue;
      const ssrc = Number(m[1]);
      if (!cur.ssrcs.includes(ssrc)) cur.ssrcs.push(ssrc);
      if (m[2] === 'msid' && m[3] && !cur.ssrcMsid) cur.ssrcMsid = m[3].trim();
    } else if (name === 'ssrc-group') {
      const [sem, a, b] = value.trim().split(/\s+/);
      if (sem === 'FID' && a && b) cur.fid = [Number(a), Number(b)];
    } else if (name === 'rtpmap') {
      const m = /^(\d+)\s+([^/]+)\/(\d+)(?:\/(\d+))?/.exec(value);
      if (!m) continue;
      const p = byPt(Number(m[1]));
      p.name = m[2]!;
      p.clockRate = Number(m[3]);
      if (m[4]) p.channels = Number(m[4]);
    } else if (name === 'fmtp') {
      const sp = value.indexOf(' ');
      if (sp < 0) continue;
      byPt(Number(value.slice(0, sp))).fmtp = parseFmtpParameters(value.slice(sp + 1));
    } else if (name === 'rtcp-fb') {
      const sp = value.indexOf(' ');
      if (sp < 0) continue;
      const pt = value.slice(0, sp);
      if (pt === '*') continue;
      byPt(Number(pt)).rtcpFb.push(value.slice(sp + 1).trim());
    } else if (name === 'extmap') {
      const m = /^(\d+)(?:\/\w+)?\s+(\S+)/.exec(value);
      if (m) cur.extmaps.set(Number(m[1]), m[2]!);
    }
  }
  flush();
  return { media, iceLite };
}

/** Redundancy/repair formats we refuse in the answer, so the SFU sends the plain codec. */
const AUXILIARY = new Set(['rtx', 'red', 'ulpfec', 'flexfec-03']);

/** The payload types of RTX, RED and FEC in a section. */
export function auxiliaryPayloadTypes(m: SdpMedia): number[] {
  return m.payloads.filter((p) => AUXILIARY.has(p.name.toLowerCase())).map((p) => p.payloadType);
}

/** The codec payloads of a section (no rtx/red/fec), in the offer's preference order. */
export function codecPayloads(m: SdpMedia): SdpPayload[] {
  return m.payloads.filter((p) => p.name && !AUXILIARY.has(p.name.toLowerCase()));
}

const TRANSPORT_CC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

/**
 * Rewrites node-datachannel's answer before it goes to the server:
 * - drops echoed remote attributes (a=msid, a=ssrc-group, a=ssrc, a=ice-lite): we send nothing;
 * - drops the RTX payload types the offer had (so the SFU retransmits on the primary SSRC, and its
 *   bandwidth probes become padding on the primary SSRC, which the core drops), and RED/FEC (so a
 *   RED-published Opus track reaches us as plain Opus);
 * - answers a sendrecv media section with recvonly;
 * - drops transport-cc (we never send TWCC feedback) and goog-remb (we never send REMB).
 */
export function rewriteAnswer(answer: string, offer: ParsedSdp): string {
  const eol = answer.includes('\r\n') ? '\r\n' : '\n';
  const out: string[] = [];
  let drop = new Set<number>();
  let ccIds = new Set<number>();
  let inMedia = false;
  for (const line of splitLines(answer)) {
    if (line.startsWith('m=')) {
      inMedia = line.startsWith('m=audio') || line.startsWith('m=video');
      drop = new Set();
      ccIds = new Set();
      // Find this section's offer by position: answers keep the offer's m-line order.
      const index = out.filter((l) => l.startsWith('m=')).length;
      const om = offer.media[index];
      if (om) {
        drop = new Set(auxiliaryPayloadTypes(om));
        for (const [id, uri] of om.extmaps) if (uri === TRANSPORT_CC) ccIds.add(id);
      }
      const parts = line.split(' ');
      const fmts = parts.slice(3).filter((f) => !drop.has(Number(f)));
      out.push([...parts.slice(0, 3), ...fmts].join(' '));
      continue;
    }
    if (
      line.startsWith('a=msid:') ||
      line.startsWith('a=ssrc-group:') ||
      line.startsWith('a=ssrc:') ||
      line.startsWith('a=group:LS') ||
      line === 'a=ice-lite'
    ) {
      continue;
    }
    const ptAttr = /^a=(rtpmap|fmtp|rtcp-fb):(\d+)[ ]/.exec(line);
    if (ptAttr && drop.has(Number(ptAttr[2]))) continue;
    if (/^a=rtcp-fb:\S+ (transport-cc|goog-remb)\s*$/.test(line)) continue;
    // We only receive: answer a sendrecv media section with recvonly (libdatachannel echoes sendrecv).
    if (line === 'a=sendrecv' && inMedia) {
      out.push('a=recvonly');
      continue;
    }
    const ext = /^a=extmap:(\d+)/.exec(line);
    if (ext && ccIds.has(Number(ext[1]))) continue;
    out.push(line);
  }
  return out.join(eol) + eol;
}
