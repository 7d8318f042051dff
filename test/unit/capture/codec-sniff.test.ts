/**
 * Payload signatures: the corpus's VP8 and VP9 streams (made by GStreamer's encoders and
 * payloaders) are told apart by their key frames; H.264 and Opus streams match neither; the
 * H.264 parameter-set counters see SPS/PPS in STAP-A and IDR starts in FU-A.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { RtpStreamScanner, chooseTrack, guessVpCodec, readCapture } from '../../../src/capture/index.js';
import { emptyEvidence, sniffPayload } from '../../../src/capture/codec-sniff.js';
import { corpusPath, itCoversAtLeast, loadCorpus } from '../../support/corpus.js';

const corpus = loadCorpus();
const primary = corpus.files.filter((f) => f.impairment === 'none' && f.format === 'pcap' && f.name === f.stream);

function evidenceOf(path: string) {
  const scanner = new RtpStreamScanner();
  for (const p of readCapture(readFileSync(corpusPath(path)))) scanner.add(p);
  return scanner.evidence(chooseTrack(scanner.streams()).ssrcs);
}

describe('codec signatures in RTP payloads', () => {
  itCoversAtLeast(primary, 9, 'clean streams');
  it.each(primary.map((f) => [f.name, f] as const))('%s', (_n, f) => {
    const e = evidenceOf(f.path);
    expect(guessVpCodec(e)).toBe(f.codec === 'vp8' || f.codec === 'vp9' ? f.codec : undefined);
    // 90 frames with a key frame every 30: 3 key frames (VP9: one per key frame packet start).
    if (f.codec === 'vp8') expect(e.vp8Keyframes).toBe(3);
    if (f.codec === 'vp9') expect(e.vp9Keyframes).toBe(3);
    if (f.codec === 'h264') {
      expect(e.h264Idr).toBeGreaterThanOrEqual(1);
      expect(e.h264Sps).toBeGreaterThanOrEqual(1);
      expect(e.h264Pps).toBeGreaterThanOrEqual(1);
      expect(e.h264Nal).toBe(e.packets);
    }
    if (f.codec === 'opus') expect(e.vp8Keyframes + e.vp9Keyframes + e.h264Idr + e.h264Sps).toBe(0);
  });

  it('reads VP9 descriptors with flexible-mode P_DIFFs and a scalability structure', () => {
    const key = [0x82, 0x49, 0x83, 0x42, 0x00, 0x0f, 0xf0]; // frame marker 10, profile 0, KEY_FRAME, sync code
    // I=1 (15-bit PictureID) L=1 F=1 B=1 E=1 V=1: PictureID 2 bytes, layer byte, SS (N_S=1, Y, G with
    // one group of R=2 P_DIFFs).
    const flexSs = Uint8Array.of(0xbe, 0x80, 0x01, 0x00, 0x38 /* N_S-1=1, Y, G */, ...[0, 1, 0, 1, 0, 2, 0, 2], 1, 0x08, 1, 2, ...key);
    const e = emptyEvidence();
    sniffPayload(e, flexSs);
    expect(e.vp9Keyframes).toBe(1);
    // Inter frame (P=1, frame_type 1): no key frame. VP8 reading of the same bytes: none.
    sniffPayload(e, Uint8Array.of(0xd8, 0x80, 0x01, 0x02, 0x86, 0x49, 0x83, 0x42));
    expect(e.vp9Keyframes).toBe(1);
    expect(e.vp8Keyframes).toBe(0);
    // Profile 3 has a reserved bit before show_existing_frame: the sync code moves by one bit.
    const p3 = emptyEvidence();
    sniffPayload(p3, Uint8Array.of(0x08, 0xb0, 0x24, 0xc1, 0xa1, 0x00));
    expect(p3.vp9Keyframes).toBe(1);
  });

  it('reads VP8 descriptors with and without the extension byte', () => {
    const e = emptyEvidence();
    sniffPayload(e, Uint8Array.of(0x10, 0x50, 0x22, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02)); // no X
    sniffPayload(e, Uint8Array.of(0x90, 0xe0, 0x80, 0x05, 0x07, 0x40, 0x50, 0x22, 0x00, 0x9d, 0x01, 0x2a)); // I(15) L T
    sniffPayload(e, Uint8Array.of(0x90, 0x80, 0x05, 0x51, 0x22, 0x00, 0x9d, 0x01, 0x2a)); // inter frame: P=1
    sniffPayload(e, Uint8Array.of(0x11, 0x50, 0x22, 0x00, 0x9d, 0x01, 0x2a)); // PartID 1: not a frame start
    expect(e.vp8Keyframes).toBe(2);
    expect(guessVpCodec(e)).toBe('vp8');
  });
});
