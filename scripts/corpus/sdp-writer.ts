/**
 * SDP text for each corpus stream, as a WebRTC peer would announce it (RFC 8866 m=/c=/a=rtpmap/
 * a=fmtp). H.264 fmtp (RFC 6184 §8.1): packetization-mode=1, profile-level-id = the three bytes
 * after the SPS NAL header (profile_idc, constraint flags, level_idc), sprop-parameter-sets = base64
 * SPS,PPS — found in the RTP stream itself (single NAL units, or inside STAP-A, §5.7.1).
 */
import { write } from 'sdp-transform';
import { rtpFields } from './rtp-info.js';

/** Inputs of {@link writeSdp}. */
export type SdpSpec = {
  media: 'audio' | 'video';
  port: number;
  payloadType: number;
  encodingName: string;
  clockRate: number;
  channels?: number;
  fmtp?: Record<string, string>;
  ssrc?: number;
};

/** Renders a one-media SDP session (CRLF line ends), written by sdp-transform. */
export function writeSdp(s: SdpSpec): string {
  const fmtp = Object.entries(s.fmtp ?? {}).map(([k, v]) => `${k}=${v}`).join(';');
  return write({
    version: 0,
    origin: { username: '-', sessionId: 0, sessionVersion: 0, netType: 'IN', ipVer: 4, address: '127.0.0.1' },
    name: 'track-egress corpus',
    connection: { version: 4, ip: '127.0.0.1' },
    timing: { start: 0, stop: 0 },
    media: [
      {
        type: s.media,
        port: s.port,
        protocol: 'RTP/AVP',
        payloads: String(s.payloadType),
        rtp: [{ payload: s.payloadType, codec: s.encodingName, rate: s.clockRate, ...(s.channels ? { encoding: s.channels } : {}) }],
        fmtp: fmtp ? [{ payload: s.payloadType, config: fmtp }] : [],
        ...(s.ssrc !== undefined ? { ssrcs: [{ id: s.ssrc >>> 0, attribute: 'cname', value: 'track-egress' }] } : {}),
        direction: 'recvonly',
      },
    ],
  });
}

/** Finds the first SPS and PPS carried as single NAL units or in STAP-A packets. */
export function findH264ParameterSets(packets: readonly Uint8Array[]): { sps?: Uint8Array; pps?: Uint8Array } {
  const found: { sps?: Uint8Array; pps?: Uint8Array } = {};
  const take = (nal: Uint8Array) => {
    const t = (nal[0] ?? 0) & 0x1f;
    if (t === 7 && !found.sps) found.sps = nal;
    if (t === 8 && !found.pps) found.pps = nal;
  };
  for (const p of packets) {
    const f = rtpFields(p);
    if (!f) continue;
    const pl = p.subarray(f.payloadOffset);
    const type = (pl[0] ?? 0) & 0x1f;
    if (type === 24) {
      for (let o = 1; o + 2 <= pl.length; ) {
        const n = ((pl[o] ?? 0) << 8) | (pl[o + 1] ?? 0);
        if (o + 2 + n > pl.length) break;
        take(pl.subarray(o + 2, o + 2 + n));
        o += 2 + n;
      }
    } else if (type >= 1 && type <= 23) take(pl);
    if (found.sps && found.pps) break;
  }
  return found;
}

/** RFC 6184 fmtp for a stream, from its in-band parameter sets. */
export function h264Fmtp(packets: readonly Uint8Array[]): Record<string, string> {
  const { sps, pps } = findH264ParameterSets(packets);
  const fmtp: Record<string, string> = { 'level-asymmetry-allowed': '1', 'packetization-mode': '1' };
  if (sps && sps.length >= 4) {
    fmtp['profile-level-id'] = Buffer.from(sps.subarray(1, 4)).toString('hex');
    if (pps) fmtp['sprop-parameter-sets'] = `${Buffer.from(sps).toString('base64')},${Buffer.from(pps).toString('base64')}`;
  }
  return fmtp;
}
