import { describe, expect, it } from 'vitest';
import { parseFmtpParameters, parseSdp } from '../../../src/capture/index.js';

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
