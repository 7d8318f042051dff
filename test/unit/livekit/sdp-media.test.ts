// sdp-media.ts against SDP captured from livekit-server v1.13.5 and node-datachannel 0.33.4
// (test/fixtures/livekit/, provenance in each file's header) plus small hand-written cases.
import { describe, expect, it } from 'vitest';
import { parseFmtpParameters } from '../../../src/capture/sdp.js';
import { auxiliaryPayloadTypes, codecPayloads, parseSdp, rewriteAnswer } from '../../../src/livekit/sdp-media.js';
import { sdpFixture } from './fixtures.js';

const offer = sdpFixture('subscriber-offer.sdp');
const rawAnswer = sdpFixture('subscriber-answer-raw.sdp');
const audioOffer = sdpFixture('subscriber-offer-audio.sdp');
const rawAudioAnswer = sdpFixture('subscriber-answer-audio-raw.sdp');

const VIDEO_RTX = [97, 99, 101, 126, 109, 105, 103, 36, 117];

describe('parseSdp on a captured LiveKit subscriber offer', () => {
  it('fixtures are the raw CRLF text', () => {
    expect(offer.startsWith('v=0\r\n')).toBe(true);
    expect(offer.endsWith('a=sendrecv\r\n')).toBe(true);
    expect(offer).not.toMatch(/(^|[^\r])\n/);
  });

  it('video offer: mids, directions, msid, SSRC + RTX SSRC, payloads in m-line order, fmtp, rtcp-fb, extmaps', () => {
    const p = parseSdp(offer);
    expect(p.iceLite).toBe(false);
    expect(p.media.map((m) => [m.kind, m.mid, m.direction])).toEqual([
      ['application', '0', 'sendrecv'],
      ['video', '1', 'sendrecv'],
    ]);
    const app = p.media[0]!;
    expect(app.ssrc).toBeUndefined();
    expect(app.ssrcs).toEqual([]);
    const v = p.media[1]!;
    expect(v.msid).toEqual({ stream: 'PA_iECLaoQbfjgK|TR_VCmRJ6mUhQfrkx', track: 'TR_VCmRJ6mUhQfrkx' });
    expect(v.ssrc).toBe(1047512974);
    expect(v.rtxSsrc).toBe(2398598909);
    expect(v.ssrcs).toEqual([1047512974, 2398598909]);
    expect(v.payloads.map((x) => x.payloadType)).toEqual([96, 97, 98, 99, 100, 101, 125, 126, 108, 109, 104, 105, 102, 103, 35, 36, 116, 117]);
    expect(codecPayloads(v).map((x) => `${x.payloadType} ${x.name}/${x.clockRate}`)).toEqual([
      '96 VP8/90000', '98 VP9/90000', '100 VP9/90000', '125 H264/90000', '108 H264/90000',
      '104 H264/90000', '102 H264/90000', '35 AV1/90000', '116 H265/90000',
    ]);
    expect(auxiliaryPayloadTypes(v)).toEqual(VIDEO_RTX);
    const byPt = (pt: number) => v.payloads.find((x) => x.payloadType === pt)!;
    expect(byPt(108).fmtp).toEqual({ 'level-asymmetry-allowed': '1', 'packetization-mode': '1', 'profile-level-id': '42e01f' });
    expect(byPt(125).fmtp).toEqual({ 'level-asymmetry-allowed': '1', 'packetization-mode': '0', 'profile-level-id': '42e01f' });
    expect(byPt(100).fmtp).toEqual({ 'profile-id': '1' });
    expect(byPt(97)).toMatchObject({ name: 'rtx', clockRate: 90000, fmtp: { apt: '96' }, rtcpFb: [] });
    expect(byPt(96).rtcpFb).toEqual(['ccm fir', 'nack', 'nack pli', 'goog-remb']);
    expect(byPt(96).channels).toBeUndefined();
    expect([...v.extmaps]).toEqual([
      [1, 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension'],
      [2, 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time'],
      [3, 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time'],
    ]);
  });

  it('audio offer: Opus 48000/2 with its fmtp, RED as auxiliary, one SSRC without RTX', () => {
    const p = parseSdp(audioOffer);
    const a = p.media[1]!;
    expect([a.kind, a.mid, a.direction]).toEqual(['audio', '1', 'sendrecv']);
    expect(a.ssrc).toBe(3071921278);
    expect(a.rtxSsrc).toBeUndefined();
    expect(a.msid?.track).toBe('TR_AMYYPQJzrZWApn');
    expect(a.payloads.map((x) => `${x.payloadType} ${x.name}/${x.clockRate}/${x.channels ?? '-'}`)).toEqual([
      '111 opus/48000/2', '63 red/48000/2', '0 PCMU/8000/-', '8 PCMA/8000/-',
    ]);
    expect(a.payloads[0]!.fmtp).toEqual({ minptime: '10', useinbandfec: '1' });
    expect(a.payloads[0]!.rtcpFb).toEqual(['nack']);
    expect(auxiliaryPayloadTypes(a)).toEqual([63]);
    expect(codecPayloads(a)[0]!.name).toBe('opus');
  });

  it('port 0, explicit directions, ssrc msid fallback, ice-lite, fmtp without values', () => {
    const p = parseSdp(
      [
        'v=0', 'a=ice-lite',
        'm=audio 0 UDP/TLS/RTP/SAVPF 111', 'a=mid:a', 'a=sendonly', 'a=rtpmap:111 opus/48000/2',
        'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:v', 'a=recvonly', 'a=rtpmap:96 VP8/90000',
        'a=ssrc:5 cname:x', 'a=ssrc:5 msid:STREAM TRACK', 'a=ssrc:6 cname:x',
        'm=video 9 UDP/TLS/RTP/SAVPF 97', 'a=inactive', '',
      ].join('\n'),
    );
    expect(p.iceLite).toBe(true);
    expect(p.media.map((m) => [m.mid, m.direction])).toEqual([['a', 'inactive'], ['v', 'recvonly'], ['2', 'inactive']]);
    expect(p.media[1]!.msid).toEqual({ stream: 'STREAM', track: 'TRACK' });
    expect(p.media[1]!.ssrc).toBe(5);
    expect(p.media[1]!.rtxSsrc).toBeUndefined();
    // One fmtp parser for captures and LiveKit offers: keys lower-cased, a bare token (RED's
    // "111/111") under the key ''.
    expect(parseFmtpParameters('a=1; flag ;B = x=y')).toEqual({ a: '1', '': 'flag', b: 'x=y' });
  });
});

/** The raw answer's lines with exactly the documented removals/rewrites applied (written out by hand). */
function expectedRewrite(raw: string, opts: { mLine: [string, string]; dropPts: number[]; recvonlyFrom: string }): string {
  const out: string[] = [];
  let inMedia = false;
  const drop = new RegExp(`^a=(rtpmap|fmtp|rtcp-fb):(${opts.dropPts.join('|')}) `);
  for (const line of raw.split('\r\n').slice(0, -1)) {
    if (line.startsWith('m=')) inMedia = line.startsWith(opts.recvonlyFrom);
    if (line === opts.mLine[0]) out.push(opts.mLine[1]);
    else if (/^a=(msid:|ssrc:|ssrc-group:|group:LS)/.test(line) || line === 'a=ice-lite') continue;
    else if (opts.dropPts.length && drop.test(line)) continue;
    else if (/^a=rtcp-fb:\d+ (goog-remb|transport-cc)$/.test(line)) continue;
    else if (inMedia && line === 'a=sendrecv') out.push('a=recvonly');
    else out.push(line);
  }
  return out.map((l) => `${l}\r\n`).join('');
}

describe('rewriteAnswer on the captured libdatachannel answers', () => {
  it('video: drops echoed msid/ssrc-group/group:LS, RTX payloads, goog-remb; recvonly; the rest byte-identical', () => {
    const out = rewriteAnswer(rawAnswer, parseSdp(offer));
    const rawLines = rawAnswer.split('\r\n');
    const outLines = out.split('\r\n');
    // 1 group:LS + 1 ssrc-group + 1 msid + 9 RTX × (rtpmap + fmtp) + 9 goog-remb = 30 lines fewer.
    expect(rawLines.length - outLines.length).toBe(30);
    expect(out).toBe(
      expectedRewrite(rawAnswer, {
        mLine: [
          'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 125 126 108 109 104 105 102 103 35 36 116 117',
          'm=video 9 UDP/TLS/RTP/SAVPF 96 98 100 125 108 104 102 35 116',
        ],
        dropPts: VIDEO_RTX,
        recvonlyFrom: 'm=video',
      }),
    );
    // Spot checks of what must stay.
    expect(out).toContain('\r\na=setup:active\r\n');
    expect(out).toContain('a=rtcp-fb:108 nack pli\r\n');
    expect(out).toContain('a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n');
    expect(out).toContain('a=extmap:3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n');
    expect(out).not.toMatch(/rtx|goog-remb|a=ssrc|a=msid:|group:LS/);
    // The data-channel section keeps sendrecv; the video section says recvonly.
    const [app, video] = out.split('m=video');
    expect(app).toContain('a=sendrecv');
    expect(video).toContain('a=recvonly');
    expect(video).not.toContain('a=sendrecv');
  });

  it('audio: drops RED (m-line, rtpmap, fmtp) and the echoed SSRC lines; Opus/PCMU/PCMA stay', () => {
    const out = rewriteAnswer(rawAudioAnswer, parseSdp(audioOffer));
    const mLine = rawAudioAnswer.split('\r\n').find((l) => l.startsWith('m=audio'))!;
    expect(out).toBe(
      expectedRewrite(rawAudioAnswer, {
        mLine: [mLine, mLine.replace(/ 63\b/, '')],
        dropPts: [63],
        recvonlyFrom: 'm=audio',
      }),
    );
    expect(out).toMatch(/\r\nm=audio 9 UDP\/TLS\/RTP\/SAVPF 111 0 8\r\n/);
    expect(out).toContain('a=rtpmap:111 opus/48000/2\r\n');
    expect(out).not.toMatch(/red\/48000|a=fmtp:63 /);
  });

  it('drops transport-cc (rtcp-fb and its extmap by id), ULPFEC/FlexFEC, ice-lite; keeps LF line ends', () => {
    const off = parseSdp(
      [
        'v=0',
        'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99',
        'a=mid:0',
        'a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
        'a=extmap:5 urn:ietf:params:rtp-hdrext:sdes:mid',
        'a=rtpmap:96 VP8/90000', 'a=rtpmap:97 ulpfec/90000', 'a=rtpmap:98 flexfec-03/90000', 'a=rtpmap:99 red/90000',
        'a=sendonly',
      ].join('\n'),
    );
    const answer = [
      'v=0', 'a=ice-lite', 'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99', 'a=mid:0',
      'a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
      'a=extmap:5 urn:ietf:params:rtp-hdrext:sdes:mid',
      'a=recvonly',
      'a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 transport-cc', 'a=rtcp-fb:96 nack',
      'a=rtpmap:97 ulpfec/90000', 'a=rtpmap:98 flexfec-03/90000', 'a=fmtp:98 repair-window=10000000', 'a=rtpmap:99 red/90000', '',
    ].join('\n');
    expect(rewriteAnswer(answer, off)).toBe(
      [
        'v=0', 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:0',
        'a=extmap:5 urn:ietf:params:rtp-hdrext:sdes:mid',
        'a=recvonly', 'a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 nack', '',
      ].join('\n'),
    );
  });
});
