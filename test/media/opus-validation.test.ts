/**
 * Opus payload validation (RFC 6716 §3.1–3.4 framing, RFC 7587 §4.1 timing): video RTP recorded
 * as Opus is recognisable from the stats — invalid packets (payloadMalformed + timingInvalid)
 * outnumber the frames written — while every real Opus stream of the corpus and the field cases
 * (20/60/10/40/2.5 ms switches, DTX, loss, reordering, duplicates) has no invalid packet at all.
 * The Recorder (Ogg) and the PcmDecoder (PCM) count the same way, on both backends.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { readCapture, selectStream } from '../../src/capture/index.js';
import { corpusPath, itCoversAtLeast, loadCorpus } from '../support/corpus.js';
import { pcmStats, recorderStats } from '../support/core-run.js';

const corpus = loadCorpus();
const captures = corpus.files.filter((f) => f.format === 'pcap' && f.name !== 'mixed');
const video = captures.filter((f) => f.codec !== 'opus');
const opus = captures.filter((f) => f.codec === 'opus');
// Copies of the shared field cases (../shared/field-cases/): one Opus encoder switching 20 → 60 →
// 10 → 40 → 2.5 ms, and 150 packets of which one is stamped +1 h.
const fieldOpus = ['opus-framesize-switch.pcap', 'opus-one-packet-plus-1h.pcap'].map((n) =>
  fileURLToPath(new URL(`../fixtures/field-cases/${n}`, import.meta.url)),
);

function packets(path: string, ssrc?: number) {
  const all = readCapture(readFileSync(path));
  return ssrc === undefined ? selectStream(all, {}) : selectStream(all, { ssrc });
}

const recordAsOpus = (path: string, ssrc?: number) => recorderStats('opus', 2, packets(path, ssrc));
const decodeAsOpus = (path: string, ssrc?: number) => pcmStats(2, packets(path, ssrc));

const invalid = (s: Record<string, number>) => s.payloadMalformed! + s.timingInvalid!;

describe('Opus validation: video bytes are not Opus', () => {
  itCoversAtLeast(video, 17, 'video captures');
  it.each(video.map((f) => [f.name, f] as const))('%s as Opus: invalid packets outnumber frames', async (_n, f) => {
    const s = await recordAsOpus(corpusPath(f.path), f.ssrc);
    expect(s.timingInvalid).toBeGreaterThan(0);
    expect(invalid(s), JSON.stringify(s)).toBeGreaterThan(s.frames!);
    const p = await decodeAsOpus(corpusPath(f.path), f.ssrc);
    expect(invalid(p), JSON.stringify(p)).toBeGreaterThan(p.framesDecoded!);
  });
});

describe('Opus validation: real Opus is never invalid', () => {
  itCoversAtLeast(opus, 10, 'Opus captures');
  itCoversAtLeast(fieldOpus, 2, 'Opus field cases');
  it.each(opus.map((f) => [f.name, f] as const))('%s: no invalid packet', async (_n, f) => {
    const s = await recordAsOpus(corpusPath(f.path), f.ssrc);
    // Only the deliberately malformed capture has unparsable payloads.
    if (f.impairment !== 'malformed') expect(s.payloadMalformed).toBe(0);
    expect(s.timingInvalid).toBe(0);
    expect(s.frames).toBeGreaterThan(50);
    const p = await decodeAsOpus(corpusPath(f.path), f.ssrc);
    expect(p.timingInvalid).toBe(0);
  });

  it.each(fieldOpus.map((p) => [p.split('/').pop()!, p] as const))(
    'field case %s: no timing-invalid packet',
    async (_n, path) => {
      const s = await recordAsOpus(path);
      expect(s.timingInvalid).toBe(0);
      // opus-framesize-switch ends with one oversized datagram that is not an Opus packet ([R3]).
      expect(s.payloadMalformed).toBeLessThanOrEqual(1);
      expect(invalid(s)).toBeLessThan(s.frames! / 100);
    },
  );
});
