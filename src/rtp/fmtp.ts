/**
 * The format-specific parameters of an a=fmtp attribute (RFC 8866 §6.15): the text after the
 * payload type, `k=v;k2=v2` by the convention of most payload formats (RFC 6184 §8.1 H.264,
 * RFC 7587 §6.1 Opus, RFC 7741 §6.1 VP8). sdp-transform hands it over unparsed (`fmtp[].config`);
 * its own parseParams turns numeric values into numbers and drops one-letter bare tokens, so the
 * values the core receives ("packetization-mode=1", base64 with '=' padding) are read here.
 */

/** Parses `k=v;k2=v2`: keys trimmed and lower-cased, values trimmed as written, bare tokens under ''. */
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

