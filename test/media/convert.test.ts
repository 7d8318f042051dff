/**
 * Acceptance of the media core on real RTP made by GStreamer and ffmpeg (docs/corpus.md):
 * every output is read without errors by an independent decoder (ffprobe/ffmpeg), and decodes to
 * the same frames as GStreamer's own depayloaders produce straight from the same RTP.
 * Runs once per backend (TRACK_EGRESS_BACKEND).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { convert } from '../../src/convert/convert.js';
import { CODECS } from '../../src/core/codec.js';
import { BACKEND } from '../support/backend.js';
import { type CorpusFile, type CorpusStream, corpusPath, itCoversAtLeast, loadCorpus, rtpFrameTimes } from '../support/corpus.js';
import { decoderErrors, type FrameHash, frameHashes, run } from '../support/ffmpeg.js';
import { writeCapture } from '../support/long-capture.js';

const corpus = loadCorpus();
const out = mkdtempSync(join(tmpdir(), `te-media-${BACKEND}-`));
const streamOf = (f: CorpusFile): CorpusStream => corpus.streams.find((s) => s.name === f.stream)!;
const primary = corpus.files.filter((f) => f.impairment === 'none' && f.format === 'pcap' && f.name === f.stream);
const impaired = corpus.files.filter((f) => f.impairment !== 'none');
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function convertFile(f: CorpusFile, tag: string, extra: { seekable?: boolean } = {}): Promise<string> {
  const output = join(out, `${f.name}.${tag}${CODECS[f.codec].extension}`);
  await convert({ input: corpusPath(f.path), output, sdp: corpusPath(f.sdp), ...extra });
  return output;
}

/** Tolerance for comparing times from Matroska references (milliseconds). */
const MS = 0.0015;
const primaryOf = (f: CorpusFile): CorpusFile => primary.find((p) => p.stream === f.stream)!;

/**
 * Walks our Ogg packets and the reference packets in order. Each reference packet must appear in
 * ours with the same bytes, at its RTP time (± 312 samples: GStreamer's opusenc stamps its first
 * packet one encoder lookahead early, and Ogg lays packets back to back). Our extra packets must
 * be generated gap fillers (2 bytes: RFC 7845 §4.1 zero-length frames). Returns the match count.
 * (Clean streams only: the test tone repeats byte-identical packets, so after a loss order alone
 * is ambiguous and impaired streams are matched by RTP time instead.)
 */
function matchPackets(ours: FrameHash[], ref: FrameHash[], rtp: number[]): number {
  let j = 0;
  let matched = 0;
  let shift: number | undefined;
  for (let i = 0; i < ref.length; i++) {
    let k = j;
    while (k < ours.length && ours[k]!.hash !== ref[i]!.hash) k++;
    if (k === ours.length) expect.fail(`reference packet ${i} (${ref[i]!.hash}) missing from output`);
    for (let x = j; x < k; x++) expect(ours[x]!.size, `unmatched packet ${x} is a filler`).toBeLessThanOrEqual(2);
    shift ??= ours[k]!.pts - rtp[i]!;
    expect(Math.abs(ours[k]!.pts - shift - rtp[i]!), `packet ${i} time`).toBeLessThanOrEqual(312 / 48000 + 1e-6);
    matched++;
    j = k + 1;
  }
  return matched;
}

/** Every frame of `ours` equals the reference frame at the same (aligned) time. */
function expectSubsetAtSameTimes(ours: FrameHash[], ref: FrameHash[]): void {
  expect(ours.length).toBeGreaterThan(0);
  const anchor = ref.find((r) => r.hash === ours[0]!.hash);
  expect(anchor, 'first output frame exists in the reference').toBeDefined();
  const shift = anchor!.pts - ours[0]!.pts;
  for (const f of ours) {
    const r = ref.find((x) => Math.abs(x.pts - (f.pts + shift)) < MS);
    expect(r, `reference frame at ${(f.pts + shift).toFixed(3)} s`).toBeDefined();
    expect(f.hash, `frame at ${f.pts.toFixed(3)} s`).toBe(r!.hash);
  }
}

describe(`convert: clean streams decode to the reference frames (${BACKEND})`, () => {
  itCoversAtLeast(primary, 9, 'clean streams (6 video, 3 Opus)');
  for (const f of primary.filter((x) => x.codec !== 'opus')) {
    for (const seekable of [true, false]) {
      it(`${f.name} → ${CODECS[f.codec].extension} (${seekable ? 'seekable' : 'streaming'})`, async () => {
        const file = await convertFile(f, seekable ? 'seek' : 'stream', { seekable });
        expect(decoderErrors(file)).toBe('');
        const ours = frameHashes(file);
        const ref = frameHashes(corpusPath(streamOf(f).reference));
        expect(ours.map((h) => h.hash)).toEqual(ref.map((h) => h.hash));
        // Presentation times are the RTP timestamps, exactly (B-frames included).
        const rtp = rtpFrameTimes(f);
        expect(ours.length).toBe(rtp.length);
        ours.forEach((h, i) => expect(h.pts - ours[0]!.pts, `frame ${i}`).toBeCloseTo(rtp[i]!, 4));
        // Duration within one frame of the RTP span.
        const span = ours.at(-1)!.pts + ours.at(-1)!.duration - ours[0]!.pts;
        expect(Math.abs(span - rtp.at(-1)!)).toBeLessThanOrEqual(1 / 30 + MS);
      });
    }
  }

  for (const f of primary.filter((x) => x.codec === 'opus')) {
    it(`${f.name} → .ogg is a true passthrough with the RTP timeline`, async () => {
      const file = await convertFile(f, 'ogg');
      expect(decoderErrors(file)).toBe('');
      const ours = frameHashes(file, { copy: true });
      const ref = frameHashes(corpusPath(streamOf(f).reference), { copy: true });
      const rtp = rtpFrameTimes(f);
      expect(ref.length).toBe(rtp.length);
      // Every packet GStreamer depayloaded is in our file byte for byte, in order, at its RTP time;
      // anything else is a generated gap filler.
      const matched = matchPackets(ours, ref, rtp);
      expect(matched).toBe(ref.length);
      const fillers = ours.length - matched;
      if (fillers === 0) {
        // No gap: the decoded audio is identical, except that our file drops the first packet's
        // encoder lookahead as pre-skip (RFC 7845 §4.2) where the RTP timestamps show it — the
        // second packet starts less than one packet duration after the first.
        const lookahead = Math.max(0, ref[0]!.duration * 48000 - Math.round(rtp[1]! * 48000));
        const pcm = (file: string) => {
          const r = run('ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-f', 's16le', '-']);
          const b = Buffer.from(r.stdout, 'latin1');
          return new Int16Array(b.buffer, b.byteOffset, b.byteLength >> 1);
        };
        const ours = pcm(file);
        const theirs = pcm(corpusPath(streamOf(f).reference));
        const ch = streamOf(f).channels;
        expect(theirs.length - ours.length).toBe(lookahead * ch);
        expect(Buffer.from(ours.buffer, ours.byteOffset, ours.byteLength).equals(
          Buffer.from(theirs.buffer, theirs.byteOffset + lookahead * ch * 2, ours.byteLength))).toBe(true);
      }
    });
  }
});

describe(`convert: every capture format gives the same output (${BACKEND})`, () => {
  const variants = corpus.files.filter((f) => f.impairment === 'none' && !primary.includes(f) && f.name !== 'mixed');
  itCoversAtLeast(variants, 9, 'capture-format variants');
  it.each(variants.map((f) => [f.name, f.format, f] as const))('%s (%s)', async (_n, _fmt, f) => {
    const base = primary.find((p) => p.stream === f.stream)!;
    expect(sha(await convertFile(f, 'variant'))).toBe(sha(await convertFile(base, 'base')));
  });

  it('picks one stream out of a capture with several (mixed.pcapng, --ssrc)', async () => {
    const mixed = corpus.files.find((f) => f.name === 'mixed')!;
    const vp8 = primary.find((p) => p.stream === 'vp8')!;
    const output = join(out, 'mixed.webm');
    await convert({ input: corpusPath(mixed.path), output, codec: 'vp8', ssrc: vp8.ssrc });
    expect(sha(output)).toBe(sha(await convertFile(vp8, 'mixed-base')));
  });
});

describe(`convert: impaired streams lose frames, never break them (${BACKEND})`, () => {
  itCoversAtLeast(impaired, 13, 'impaired captures');
  for (const f of impaired) {
    it(`${f.name}`, async () => {
      const file = await convertFile(f, 'impaired');
      expect(decoderErrors(file)).toBe('');
      const ref = corpusPath(streamOf(f).reference);
      if (f.codec === 'opus') {
        // Packets are passed through: the file holds reference packets in order at their RTP
        // times, with generated fillers where packets were lost.
        const refs = frameHashes(ref, { copy: true });
        const rtp = rtpFrameTimes(primaryOf(f));
        const firstKept = rtp.indexOf(rtpFrameTimes(f, primaryOf(f))[0]!);
        const ours = frameHashes(file, { copy: true });
        const real = ours.filter((o) => o.size > 2);
        expect(real.length).toBeGreaterThan(refs.length / 2);
        const shift = ours[0]!.pts - rtp[firstKept]!;
        for (const o of real) {
          const i = rtp.findIndex((t) => Math.abs(o.pts - shift - t) <= 312 / 48000 + MS);
          expect(i, `packet at ${o.pts.toFixed(4)} s has an RTP time`).toBeGreaterThanOrEqual(0);
          expect(o.hash, `packet at ${o.pts.toFixed(4)} s`).toBe(refs[i]!.hash);
        }
      } else {
        const rtp = rtpFrameTimes(primaryOf(f));
        const refs = frameHashes(ref);
        expect(refs.length).toBe(rtp.length);
        expectSubsetAtSameTimes(frameHashes(file), refs.map((r, i) => ({ ...r, pts: rtp[i]! })));
      }
    });
  }
});

describe(`convert: a sender that restarts with a new SSRC is one recording (${BACKEND})`, () => {
  // Two corpus streams back to back on the same addresses, ports and payload type, the second
  // with another SSRC and new sequence/timestamp origins (a publisher reconnect, RFC 3550 §8.2).
  for (const [name, codec] of [['h264-baseline', 'h264'], ['vp8', 'vp8']] as const) {
    it(`${name}: both SSRCs' frames, in order, decode to the reference twice`, async () => {
      const f = primary.find((p) => p.name === name)!;
      const input = join(out, `${name}.restart.pcap`);
      writeCapture(input, [
        { source: corpusPath(f.path) },
        { source: corpusPath(f.path), ssrc: 0x5eed0001, firstSequence: 40000, firstTimestamp: 0x70000000, gapUs: 700_000 },
      ], 90000);
      const output = join(out, `${name}.restart${CODECS[codec].extension}`);
      const s = await convert({ input, output, codec });
      expect(s.packets).toBe(2 * f.rtpPacketCount);
      expect(decoderErrors(output)).toBe('');
      const ref = frameHashes(corpusPath(streamOf(f).reference)).map((h) => h.hash);
      const ours = frameHashes(output);
      expect(ours.map((h) => h.hash)).toEqual([...ref, ...ref]);
      // The second SSRC starts where the wall clock says: ~3 s of media + 0.7 s gap later.
      const second = ours[ref.length]!.pts - ours[0]!.pts;
      expect(second).toBeGreaterThan(3.0);
      expect(second).toBeLessThan(3.0 + 0.7 + 0.1);
    });
  }
});

