// src/rtp/sdp.ts against SDP as WebRTC peers write it (a GStreamer/Chrome-style offer written out
// below) and SDP captured from livekit-server v1.13.5 (test/fixtures/livekit/, provenance in each
// file's header), plus small hand-written cases.
import { describe, expect, it } from 'vitest';
import { parseFmtpParameters } from '../../../src/rtp/fmtp.js';
import { auxiliaryPayloadTypes, codecPayloads, parseSdp, parseSessionDescription as parseOffer } from '../../../src/rtp/sdp.js';
import { sdpFixture } from './fixtures.js';

const WEBRTC = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 0 13',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1; stereo=1;sprop-stereo=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 98',
  'a=rtpmap:96 VP8/90000',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:102 H264/90000',
  'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f;sprop-parameter-sets=Z0LADdoFB+wFqDAwNSgAAAMACAAAAwHkeKFV,aM48gA==',
  'a=rtpmap:98 VP9/90000',
  'a=fmtp:98 profile-id=0',
  '',
].join('\r\n');

describe('parseSdp', () => {
  const f = parseSdp(WEBRTC);
  const pt = (n: number) => f.find((x) => x.payloadType === n);

  it('lists every payload format in m= order with rtpmap data', () => {
    expect(f.map((x) => x.payloadType)).toEqual([111, 63, 0, 13, 96, 97, 102, 98]);
    expect(pt(111)).toMatchObject({ media: 'audio', codec: 'opus', encodingName: 'opus', clockRate: 48000, channels: 2, port: 9 });
    expect(pt(96)).toMatchObject({ media: 'video', codec: 'vp8', clockRate: 90000, channels: 1 });
    expect(pt(98)).toMatchObject({ codec: 'vp9', fmtp: { 'profile-id': '0' } });
    expect(pt(97)).toMatchObject({ codec: 'rtx', fmtp: { apt: '96' } });
  });

  it('fills static payload types from RFC 3551', () => {
    expect(pt(0)).toMatchObject({ codec: 'pcmu', clockRate: 8000, channels: 1 });
    expect(pt(13)).toMatchObject({ codec: 'cn', clockRate: 8000 });
  });

  it('parses fmtp parameters, keeping base64 padding and bare values', () => {
    expect(pt(111)!.fmtp).toEqual({ minptime: '10', useinbandfec: '1', stereo: '1', 'sprop-stereo': '1' });
    expect(pt(102)!.fmtp['sprop-parameter-sets']).toBe('Z0LADdoFB+wFqDAwNSgAAAMACAAAAwHkeKFV,aM48gA==');
    expect(pt(102)!.fmtp['profile-level-id']).toBe('42e01f');
    expect(pt(63)!.fmtp['']).toBe('111/111');
    expect(parseFmtpParameters('A=1; b = 2 ;;x')).toEqual({ a: '1', b: '2', '': 'x' });
  });

  it('ignores rtpmap/fmtp for payload types not in the m= line and tolerates LF endings', () => {
    const g = parseSdp('m=audio 5004 RTP/AVP 111\na=rtpmap:112 opus/48000/2\na=rtpmap:111 OPUS/48000/2\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\n');
    expect(g).toHaveLength(1);
    expect(g[0]).toMatchObject({ codec: 'opus', encodingName: 'OPUS', port: 5004 });
  });
});

const offer = sdpFixture('subscriber-offer.sdp');
const audioOffer = sdpFixture('subscriber-offer-audio.sdp');

const VIDEO_RTX = [97, 99, 101, 126, 109, 105, 103, 36, 117];

describe('parseSessionDescription on a captured LiveKit subscriber offer', () => {
  it('fixtures are the raw CRLF text', () => {
    expect(offer.startsWith('v=0\r\n')).toBe(true);
    expect(offer.endsWith('a=sendrecv\r\n')).toBe(true);
    expect(offer).not.toMatch(/(^|[^\r])\n/);
  });

  it('video offer: mids, directions, msid, SSRC + RTX SSRC, payloads in m-line order, fmtp, rtcp-fb, extmaps', () => {
    const p = parseOffer(offer);
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
    expect(codecPayloads(v).map((x) => `${x.payloadType} ${x.encodingName}/${x.clockRate}`)).toEqual([
      '96 VP8/90000', '98 VP9/90000', '100 VP9/90000', '125 H264/90000', '108 H264/90000',
      '104 H264/90000', '102 H264/90000', '35 AV1/90000', '116 H265/90000',
    ]);
    expect(auxiliaryPayloadTypes(v)).toEqual(VIDEO_RTX);
    const byPt = (pt: number) => v.payloads.find((x) => x.payloadType === pt)!;
    expect(byPt(108).fmtp).toEqual({ 'level-asymmetry-allowed': '1', 'packetization-mode': '1', 'profile-level-id': '42e01f' });
    expect(byPt(125).fmtp).toEqual({ 'level-asymmetry-allowed': '1', 'packetization-mode': '0', 'profile-level-id': '42e01f' });
    expect(byPt(100).fmtp).toEqual({ 'profile-id': '1' });
    expect(byPt(97)).toMatchObject({ encodingName: 'rtx', clockRate: 90000, fmtp: { apt: '96' }, rtcpFb: [] });
    expect(byPt(96).rtcpFb).toEqual(['ccm fir', 'nack', 'nack pli', 'goog-remb']);
    expect(byPt(96).channels).toBeUndefined();
    expect([...v.extmaps]).toEqual([
      [1, 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension'],
      [2, 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time'],
      [3, 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time'],
    ]);
  });

  it('audio offer: Opus 48000/2 with its fmtp, RED as auxiliary, one SSRC without RTX', () => {
    const p = parseOffer(audioOffer);
    const a = p.media[1]!;
    expect([a.kind, a.mid, a.direction]).toEqual(['audio', '1', 'sendrecv']);
    expect(a.ssrc).toBe(3071921278);
    expect(a.rtxSsrc).toBeUndefined();
    expect(a.msid?.track).toBe('TR_AMYYPQJzrZWApn');
    expect(a.payloads.map((x) => `${x.payloadType} ${x.encodingName}/${x.clockRate}/${x.channels ?? '-'}`)).toEqual([
      '111 opus/48000/2', '63 red/48000/2', '0 PCMU/8000/-', '8 PCMA/8000/-',
    ]);
    expect(a.payloads[0]!.fmtp).toEqual({ minptime: '10', useinbandfec: '1' });
    expect(a.payloads[0]!.rtcpFb).toEqual(['nack']);
    expect(auxiliaryPayloadTypes(a)).toEqual([63]);
    expect(codecPayloads(a)[0]!.encodingName).toBe('opus');
  });

  it('port 0, explicit directions, ssrc msid fallback, ice-lite, fmtp without values', () => {
    const p = parseOffer(
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
