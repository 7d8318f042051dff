/**
 * SDP text for each corpus stream, as a WebRTC peer would announce it (RFC 8866 m=/c=/a=rtpmap/
 * a=fmtp). H.264 fmtp (RFC 6184 §8.1): packetization-mode=1, profile-level-id = the three bytes
 * after the SPS NAL header (profile_idc, constraint flags, level_idc), sprop-parameter-sets = base64
 * SPS,PPS — found in the RTP stream itself (single NAL units, or inside STAP-A, §5.7.1).
 */
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

/** Renders a one-media SDP session. */
export function writeSdp(s: SdpSpec): string {
  const lines = [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=track-egress corpus',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=${s.media} ${s.port} RTP/AVP ${s.payloadType}`,
    `a=rtpmap:${s.payloadType} ${s.encodingName}/${s.clockRate}${s.channels ? `/${s.channels}` : ''}`,
  ];
  const f = Object.entries(s.fmtp ?? {});
  if (f.length) lines.push(`a=fmtp:${s.payloadType} ${f.map(([k, v]) => `${k}=${v}`).join(';')}`);
  if (s.ssrc !== undefined) lines.push(`a=ssrc:${s.ssrc >>> 0} cname:track-egress`);
  lines.push('a=recvonly');
  return `${lines.join('\r\n')}\r\n`;
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
