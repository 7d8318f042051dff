/**
 * Minimal SDP reader (RFC 8866) for the payload formats of each media section:
 *
 *   m=<media> <port> <proto> <fmt> ...          §5.14  (payload type numbers for RTP/AVP(F))
 *   a=rtpmap:<pt> <encoding>/<clock>[/<ch>]     §6.6   (channels default 1; RFC 7587 says opus/48000/2)
 *   a=fmtp:<pt> <k>=<v>;<k>=<v>                 §6.15  (e.g. RFC 6184 packetization-mode,
 *                                                       profile-level-id, sprop-parameter-sets;
 *                                                       RFC 7587 stereo, sprop-stereo, useinbandfec)
 *
 * Static payload types without an rtpmap get their RFC 3551 §6 table entry.
 */

/** Codecs this project exports, or the lower-case encoding name of anything else. */
export type SdpCodec = 'h264' | 'vp8' | 'vp9' | 'opus' | (string & {});

/** One payload format announced by an SDP. */
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
  /** Channel count of the rtpmap (opus always announces 2; see `fmtp.stereo`). */
  channels: number;
  /** fmtp parameters, keys lower-cased, values as written (base64 '=' padding kept). */
  fmtp: Record<string, string>;
};

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

/** Parses the fmtp parameter string `k=v;k2=v2` (keys lower-cased; bare values under key ''). */
export function parseFmtpParameters(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) out[''] = out[''] !== undefined ? `${out['']};${p}` : p;
    else out[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
  }
  return out;
}

/** Parses an SDP text into its RTP payload formats, in m= line order. Unknown lines are ignored. */
export function parseSdp(text: string): SdpPayloadFormat[] {
  const out: SdpPayloadFormat[] = [];
  let section: SdpPayloadFormat[] = [];
  const byPt = () => new Map(section.map((f) => [f.payloadType, f] as const));
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('m=')) {
      const [media = '', portText = '0', , ...fmts] = line.slice(2).split(/\s+/);
      section = [];
      for (const f of fmts) {
        const pt = Number.parseInt(f, 10);
        if (!Number.isInteger(pt) || pt < 0 || pt > 127 || String(pt) !== f) continue;
        const st = STATIC[pt];
        const fmt: SdpPayloadFormat = {
          media,
          port: Number.parseInt(portText, 10) || 0,
          payloadType: pt,
          codec: st ? st[0].toLowerCase() : 'unknown',
          encodingName: st ? st[0] : '',
          clockRate: st ? st[1] : 0,
          channels: st ? st[2] : 1,
          fmtp: {},
        };
        section.push(fmt);
        out.push(fmt);
      }
      continue;
    }
    const rtpmap = /^a=rtpmap:(\d+)\s+([^/\s]+)\/(\d+)(?:\/(\d+))?/i.exec(line);
    if (rtpmap) {
      const f = byPt().get(Number(rtpmap[1]));
      if (f) {
        f.encodingName = rtpmap[2] ?? '';
        f.codec = f.encodingName.toLowerCase();
        f.clockRate = Number(rtpmap[3]);
        f.channels = rtpmap[4] !== undefined ? Number(rtpmap[4]) : 1;
      }
      continue;
    }
    const fmtp = /^a=fmtp:(\d+)\s+(.*)$/i.exec(line);
    if (fmtp) {
      const f = byPt().get(Number(fmtp[1]));
      if (f) Object.assign(f.fmtp, parseFmtpParameters(fmtp[2] ?? ''));
    }
  }
  return out;
}
