// src/rtp/sdp-answer.ts against SDP captured from livekit-server v1.13.5 and node-datachannel 0.33.4
// (test/fixtures/livekit/, provenance in each file's header) plus a small hand-written case.
import { describe, expect, it } from 'vitest';
import { rewriteAnswer } from '../../../src/rtp/sdp-answer.js';
import { parseSessionDescription as parseSdp } from '../../../src/rtp/sdp.js';
import { sdpFixture } from './fixtures.js';

const offer = sdpFixture('subscriber-offer.sdp');
const rawAnswer = sdpFixture('subscriber-answer-raw.sdp');
const audioOffer = sdpFixture('subscriber-offer-audio.sdp');
const rawAudioAnswer = sdpFixture('subscriber-answer-audio-raw.sdp');

const VIDEO_RTX = [97, 99, 101, 126, 109, 105, 103, 36, 117];

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

/**
 * An SDP as its sections (session first, then each m= section in order), each the sorted list of
 * its lines: sdp-transform writes a section's attributes in its grammar's order, not in the order
 * they came, and `a=msid-semantic: WMS` with the space Chrome writes.
 */
function sections(sdp: string): string[][] {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  expect(sdp.endsWith(eol)).toBe(true);
  const out: string[][] = [[]];
  for (const line of sdp.slice(0, -eol.length).split(eol)) {
    if (line.startsWith('m=')) out.push([]);
    out.at(-1)!.push(line.replace(/^a=msid-semantic:\s?/, 'a=msid-semantic: '));
  }
  expect(out[0]![0]).toBe('v=0');
  return out.map((lines) => lines.sort());
}

describe('rewriteAnswer on the captured libdatachannel answers', () => {
  it('video: drops echoed msid/ssrc-group/group:LS, RTX payloads, goog-remb; recvonly; every other line kept', () => {
    const out = rewriteAnswer(rawAnswer, parseSdp(offer));
    const rawLines = rawAnswer.split('\r\n');
    const outLines = out.split('\r\n');
    // 1 group:LS + 1 ssrc-group + 1 msid + 9 RTX × (rtpmap + fmtp) + 9 goog-remb = 30 lines fewer.
    expect(rawLines.length - outLines.length).toBe(30);
    expect(sections(out)).toEqual(sections(
      expectedRewrite(rawAnswer, {
        mLine: [
          'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 125 126 108 109 104 105 102 103 35 36 116 117',
          'm=video 9 UDP/TLS/RTP/SAVPF 96 98 100 125 108 104 102 35 116',
        ],
        dropPts: VIDEO_RTX,
        recvonlyFrom: 'm=video',
      })),
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
    expect(sections(out)).toEqual(sections(
      expectedRewrite(rawAudioAnswer, {
        mLine: [mLine, mLine.replace(/ 63\b/, '')],
        dropPts: [63],
        recvonlyFrom: 'm=audio',
      })),
    );
    expect(out).toMatch(/\r\nm=audio 9 UDP\/TLS\/RTP\/SAVPF 111 0 8\r\n/);
    expect(out).toContain('a=rtpmap:111 opus/48000/2\r\n');
    expect(out).not.toMatch(/red\/48000|a=fmtp:63 /);
  });

  it('drops transport-cc (rtcp-fb and its extmap by id), ULPFEC/FlexFEC, ice-lite; keeps LF line ends', () => {
    const off = parseSdp(
      [
        'v=0', 's=-',
        'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99',
        'a=mid:0',
        'a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
        'a=extmap:5 urn:ietf:params:rtp-hdrext:sdes:mid',
        'a=rtpmap:96 VP8/90000', 'a=rtpmap:97 ulpfec/90000', 'a=rtpmap:98 flexfec-03/90000', 'a=rtpmap:99 red/90000',
        'a=sendonly',
      ].join('\n'),
    );
    const answer = [
      'v=0', 's=-', 'a=ice-lite', 'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99', 'a=mid:0',
      'a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
      'a=extmap:5 urn:ietf:params:rtp-hdrext:sdes:mid',
      'a=recvonly',
      'a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 transport-cc', 'a=rtcp-fb:96 nack',
      'a=rtpmap:97 ulpfec/90000', 'a=rtpmap:98 flexfec-03/90000', 'a=fmtp:98 repair-window=10000000', 'a=rtpmap:99 red/90000', '',
    ].join('\n');
    const out = rewriteAnswer(answer, off);
    expect(out).not.toContain('\r');
    expect(sections(out)).toEqual(sections(
      [
        'v=0', 's=-', 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:0',
        'a=extmap:5 urn:ietf:params:rtp-hdrext:sdes:mid',
        'a=recvonly', 'a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 nack', '',
      ].join('\n')),
    );
  });
});
