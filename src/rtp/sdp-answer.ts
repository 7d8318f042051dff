/**
 * The receive-only answer a recorder sends: node-datachannel's own answer, edited as an
 * sdp-transform object and written back (RFC 8866 text, the attributes in sdp-transform's order).
 */
import { parse, write, type MediaDescription, type SessionDescription } from 'sdp-transform';
import { auxiliaryPayloadTypes, type ParsedSdp } from './sdp.js';

const TRANSPORT_CC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
/** rtcp-fb types that would promise feedback we never send (TWCC, REMB). */
const UNSENT_FEEDBACK = new Set(['transport-cc', 'goog-remb']);

/** Removes the offer's RTX/RED/FEC payload types, echoed SSRC/msid lines and unsent feedback. */
function editMedia(m: MediaDescription, offered: ParsedSdp['media'][number] | undefined): void {
  const drop = new Set(offered ? auxiliaryPayloadTypes(offered) : []);
  const ccIds = new Set([...(offered?.extmaps ?? [])].filter(([, uri]) => uri === TRANSPORT_CC).map(([id]) => id));
  const kept = (pt: number | string) => !drop.has(Number(pt));
  if (m.payloads !== undefined) {
    m.payloads = String(m.payloads).split(' ').filter(kept).join(' ');
  }
  m.rtp = m.rtp.filter((r) => kept(r.payload));
  m.fmtp = m.fmtp.filter((f) => kept(f.payload));
  if (m.rtcpFb) {
    m.rtcpFb = m.rtcpFb.filter((fb) => kept(fb.payload) && !(UNSENT_FEEDBACK.has(fb.type) && !fb.subtype));
  }
  if (m.ext) m.ext = m.ext.filter((e) => !ccIds.has(Number(e.value)));
  delete m.msid;
  delete m.ssrcs;
  delete m.ssrcGroups;
  delete (m as { icelite?: string }).icelite;
  // We only receive: libdatachannel echoes sendrecv.
  if ((m.type === 'audio' || m.type === 'video') && m.direction === 'sendrecv') m.direction = 'recvonly';
}

/**
 * Rewrites node-datachannel's answer before it goes to the server:
 * - drops echoed remote attributes (a=msid, a=ssrc-group, a=ssrc, a=group:LS, a=ice-lite): we send nothing;
 * - drops the RTX payload types the offer had (so the SFU retransmits on the primary SSRC, and its
 *   bandwidth probes become padding on the primary SSRC, which the core drops), and RED/FEC (so a
 *   RED-published Opus track reaches us as plain Opus);
 * - answers a sendrecv media section with recvonly;
 * - drops transport-cc (rtcp-fb and its extmap: we never send TWCC feedback) and goog-remb.
 * Sections are matched to the offer's by position (answers keep the offer's m-line order). The
 * answer's line ends (CRLF or LF) are kept.
 */
export function rewriteAnswer(answer: string, offer: ParsedSdp): string {
  const s: SessionDescription = parse(answer);
  delete s.icelite;
  if (s.groups) s.groups = s.groups.filter((g) => g.type !== 'LS');
  s.media.forEach((m, i) => editMedia(m, offer.media[i]));
  const text = write(s);
  return answer.includes('\r\n') ? text : text.replace(/\r\n/g, '\n');
}
