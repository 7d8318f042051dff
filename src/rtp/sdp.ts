/**
 * The one SDP model of track-egress (capture SDP files and LiveKit offers alike). sdp-transform
 * reads the text (RFC 8866); this file keeps only what a recorder needs from it:
 *
 *   m=<media> <port> <proto> <fmt> ...        §5.14  payload types, in preference order
 *   a=rtpmap:<pt> <encoding>/<clock>[/<ch>]   §6.6   static types without one: RFC 3551 §6 table
 *   a=fmtp:<pt> <parameters>                  §6.15  see fmtp.ts
 *   a=rtcp-fb:<pt> <type> [<subtype>]         RFC 4585 §4.2
 *   a=mid, a=sendonly/recvonly/…, a=extmap    RFC 5888 §4, §6.7, RFC 8285
 *   a=msid:<stream> <track>                   RFC 8830 (else the a=ssrc:<n> msid: attribute)
 *   a=ssrc, a=ssrc-group:FID <media> <rtx>    RFC 5576 §4 (FID pairs a stream with its RFC 4588 RTX)
 *
 * The LiveKit subscriber needs the offer's text for SSRCs, msid and payload types: node-datachannel's
 * Track exposes only mid, type and direction.
 *
 * sdp-transform is pinned to 2.15.0: 3.0.0 reads a=msid only up to a '|', which LiveKit puts in
 * every stream id ("PA_…|TR_…").
 */
import { parse, type MediaDescription } from 'sdp-transform';
import { parseFmtpParameters } from './fmtp.js';

/** Codecs this project exports, or the lower-case encoding name of anything else. */
export type SdpCodec = 'h264' | 'vp8' | 'vp9' | 'opus' | (string & {});

export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** One payload type of a media section. */
export type SdpPayload = {
  payloadType: number;
  /** rtpmap encoding name as written (e.g. "VP8", "opus", "rtx"); '' when unknown. */
  encodingName: string;
  /** `encodingName` lower-cased; 'unknown' without rtpmap or static entry. */
  codec: SdpCodec;
  /** Hz of the RTP clock; 0 when unknown. */
  clockRate: number;
  /** Channel count as written in the rtpmap (absent when it says none; opus always says 2). */
  channels?: number;
  /** fmtp parameters, keys lower-cased, values as written (base64 '=' padding kept). */
  fmtp: Record<string, string>;
  /** rtcp-fb values for this payload type ("nack", "nack pli", "ccm fir", …). */
  rtcpFb: string[];
};

/** One m= section. */
export type SdpMedia = {
  /** audio, video, application. */
  kind: string;
  port: number;
  /** a=mid, else the section's index. */
  mid: string;
  /** Port 0 (rejected) counts as inactive; sendrecv when not given. */
  direction: SdpDirection;
  /** "stream track" from a=msid (or the a=ssrc msid attribute). */
  msid?: { stream: string; track: string };
  /** The media SSRC (first of an FID group, else the first SSRC). */
  ssrc?: number;
  rtxSsrc?: number;
  /** Every SSRC the section announces. */
  ssrcs: number[];
  /** The m= line's payload types (0–127) in its order, with their rtpmap/fmtp/rtcp-fb. */
  payloads: SdpPayload[];
  /** extmap id → URI */
  extmaps: Map<number, string>;
};

export type ParsedSdp = { media: SdpMedia[]; iceLite: boolean };

const STATIC: Record<number, [string, number, number]> = {
  0: ['PCMU', 8000, 1],
  3: ['GSM', 8000, 1],
  4: ['G723', 8000, 1],
  8: ['PCMA', 8000, 1],
  9: ['G722', 8000, 1],
  10: ['L16', 44100, 2],
  11: ['L16', 44100, 1],
  13: ['CN', 8000, 1],
  14: ['MPA', 90000, 1],
  18: ['G729', 8000, 1],
  26: ['JPEG', 90000, 1],
  31: ['H261', 90000, 1],
  32: ['MPV', 90000, 1],
  33: ['MP2T', 90000, 1],
  34: ['H263', 90000, 1],
};

const DIRECTIONS = new Set<string>(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

/** The m= line's payload types: integers 0–127 written canonically ("webrtc-datachannel" is none). */
function payloadTypes(fmts: string | number | undefined): number[] {
  return String(fmts ?? '')
    .split(/\s+/)
    .filter((f) => /^(0|[1-9]\d{0,2})$/.test(f) && Number(f) <= 127)
    .map(Number);
}

function payloadsOf(m: MediaDescription): SdpPayload[] {
  const byPt = new Map<number, SdpPayload>();
  for (const pt of payloadTypes(m.payloads)) {
    const st = STATIC[pt];
    byPt.set(pt, {
      payloadType: pt,
      encodingName: st?.[0] ?? '',
      codec: st ? st[0].toLowerCase() : 'unknown',
      clockRate: st?.[1] ?? 0,
      ...(st ? { channels: st[2] } : {}),
      fmtp: {},
      rtcpFb: [],
    });
  }
  for (const r of m.rtp ?? []) {
    const p = byPt.get(Number(r.payload));
    if (!p) continue;
    p.encodingName = String(r.codec);
    p.codec = p.encodingName.toLowerCase();
    p.clockRate = Number(r.rate ?? 0);
    // A number from sdp-transform; "" when the rtpmap ends in "/".
    if (r.encoding !== undefined && String(r.encoding) !== '') p.channels = Number(r.encoding);
    else delete p.channels;
  }
  for (const f of m.fmtp ?? []) {
    const p = byPt.get(Number(f.payload));
    if (p) Object.assign(p.fmtp, parseFmtpParameters(String(f.config)));
  }
  for (const fb of m.rtcpFb ?? []) {
    const p = byPt.get(Number(fb.payload));
    if (p) p.rtcpFb.push(fb.subtype ? `${fb.type} ${fb.subtype}` : fb.type);
  }
  return [...byPt.values()];
}

function msidOf(value: string | undefined): SdpMedia['msid'] {
  const [stream, track] = (value ?? '').trim().split(/\s+/);
  return stream ? { stream, track: track ?? '' } : undefined;
}

function mediaOf(m: MediaDescription, index: number): SdpMedia {
  const ssrcs = [...new Set((m.ssrcs ?? []).map((s) => Number(s.id)))];
  const fid = (m.ssrcGroups ?? []).find((g) => g.semantics === 'FID')?.ssrcs.split(/\s+/).map(Number);
  const ssrcMsid = (m.ssrcs ?? []).find((s) => s.attribute === 'msid')?.value;
  const msid = msidOf(m.msid) ?? msidOf(ssrcMsid);
  const direction = m.port === 0 ? 'inactive' : DIRECTIONS.has(m.direction ?? '') ? m.direction! : 'sendrecv';
  const ssrc = fid && fid.length >= 2 ? fid[0] : ssrcs[0];
  return {
    kind: m.type,
    port: Number(m.port),
    mid: m.mid !== undefined ? String(m.mid) : String(index),
    direction,
    ...(msid ? { msid } : {}),
    ...(ssrc !== undefined ? { ssrc } : {}),
    ...(fid && fid.length >= 2 ? { rtxSsrc: fid[1] } : {}),
    ssrcs,
    payloads: payloadsOf(m),
    extmaps: new Map((m.ext ?? []).map((e) => [Number(e.value), e.uri] as const)),
  };
}

/** Reads an SDP (CRLF or LF) into its media sections, in m= line order. Unknown lines are ignored. */
export function parseSessionDescription(text: string): ParsedSdp {
  const s = parse(text);
  return { media: s.media.map(mediaOf), iceLite: s.icelite === 'ice-lite' };
}

/** One payload format of an SDP, with its section's media and port (the `convert --sdp` view). */
export type SdpPayloadFormat = {
  /** Media of the enclosing m= section ('audio', 'video', …). */
  media: string;
  /** Port of the m= line. */
  port: number;
  payloadType: number;
  codec: SdpCodec;
  /** Encoding name as written in the rtpmap (case kept). */
  encodingName: string;
  clockRate: number;
  /** Channel count of the rtpmap, 1 when it gives none (opus always announces 2; see `fmtp.stereo`). */
  channels: number;
  /** fmtp parameters, keys lower-cased, values as written (base64 '=' padding kept). */
  fmtp: Record<string, string>;
};

/**
 * Parses an SDP text into its RTP payload formats, in m= line order.
 *
 * @example parseSdp(text).find((f) => f.payloadType === 96)?.fmtp['sprop-parameter-sets']
 */
export function parseSdp(text: string): SdpPayloadFormat[] {
  return parseSessionDescription(text).media.flatMap((m) =>
    m.payloads.map((p) => ({
      media: m.kind,
      port: m.port,
      payloadType: p.payloadType,
      codec: p.codec,
      encodingName: p.encodingName,
      clockRate: p.clockRate,
      channels: p.channels ?? 1,
      fmtp: p.fmtp,
    })),
  );
}

/** Redundancy/repair formats (RFC 4588 RTX, RFC 2198 RED, RFC 5109 ULPFEC, FlexFEC). */
const AUXILIARY = new Set(['rtx', 'red', 'ulpfec', 'flexfec-03']);

/** The payload types of RTX, RED and FEC in a section. */
export function auxiliaryPayloadTypes(m: SdpMedia): number[] {
  return m.payloads.filter((p) => AUXILIARY.has(p.codec)).map((p) => p.payloadType);
}

/** The codec payloads of a section (no rtx/red/fec, none without a name), in the offer's order. */
export function codecPayloads(m: SdpMedia): SdpPayload[] {
  return m.payloads.filter((p) => p.encodingName && !AUXILIARY.has(p.codec));
}
