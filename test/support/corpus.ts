import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the generated corpus (scripts/make-corpus.sh; docs/corpus.md). */
export const CORPUS_DIR = fileURLToPath(new URL('../fixtures/generated/', import.meta.url));

export type CorpusStream = {
  name: string;
  codec: 'h264' | 'vp8' | 'vp9' | 'opus';
  channels: number;
  clockRate: number;
  payloadType: number;
  ssrc: number;
  /** The stream's packets as an RFC 4571 file (no arrival times), relative to the corpus. */
  rtp: string;
  sdp: string;
  reference: string;
  rtpPackets: number;
  durationMs: number;
};

export type CorpusFile = {
  name: string;
  path: string;
  format: string;
  stream: string;
  codec: CorpusStream['codec'];
  impairment: string;
  packetCount: number;
  rtpPacketCount: number;
  uniqueRtpPacketCount: number;
  payloadType: number;
  ssrc: number;
  sdp: string;
  clockRate: number;
};

export type Corpus = { streams: CorpusStream[]; files: CorpusFile[] };

/** Loads the manifest, generating the corpus first if it is missing. */
export function loadCorpus(): Corpus {
  const manifest = join(CORPUS_DIR, 'corpus.json');
  if (!existsSync(manifest)) {
    execFileSync('bash', [fileURLToPath(new URL('../../scripts/make-corpus.sh', import.meta.url))], { stdio: 'inherit' });
  }
  return JSON.parse(readFileSync(manifest, 'utf8')) as Corpus;
}

export const corpusPath = (rel: string): string => join(CORPUS_DIR, rel);

/**
 * Presentation times of a clean capture's frames straight from RTP: the distinct RTP timestamps
 * (unwrapped across the 32-bit wrap), sorted, in seconds from the first. This is the timing
 * authority: GStreamer's reference files round B-frame times (Matroska stores milliseconds and
 * h264parse guesses), the RTP clock does not.
 */
export async function rtpFrameTimes(capture: string, clockRate: number, originCapture?: string): Promise<number[]> {
  const ticks = await rtpTicks(capture);
  // Times are relative to the first frame of `originCapture` (default: this capture).
  const origin = originCapture ? (await rtpTicks(originCapture, ticks.base))[0]! : ticks.sorted[0]!;
  return ticks.sorted.map((t) => (t - origin) / clockRate);
}

async function rtpTicks(capture: string, base?: number): Promise<{ sorted: number[]; base: number } & number[]> {
  const { readCapture, sniffRtp } = await import('../../src/capture/index.js');
  const seen = new Set<number>();
  let first = base;
  for (const p of readCapture(readFileSync(capture))) {
    const h = sniffRtp(p.data);
    if (!h) continue;
    first ??= h.timestamp;
    seen.add((h.timestamp - first) | 0); // signed 32-bit distance: unwraps
  }
  const sorted = [...seen].sort((a, b) => a - b);
  return Object.assign(sorted, { sorted, base: first ?? 0 });
}
