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
  /** Sidecar with the media packets' RTP timestamps (see {@link rtpTimestamps}). */
  rtpTimestamps: string;
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
 * RTP timestamps of a capture's media packets, in capture order, from the sidecar the corpus
 * builder wrote with the file (scripts/corpus/rtp-info.ts, not src/capture: the timing authority
 * must not be the reader under test). Inserted malformed packets are not listed.
 */
export function rtpTimestamps(f: CorpusFile): number[] {
  return (JSON.parse(readFileSync(corpusPath(f.rtpTimestamps), 'utf8')) as { timestamps: number[] }).timestamps;
}

/**
 * Presentation times of a capture's frames straight from RTP: the distinct RTP timestamps
 * (unwrapped across the 32-bit wrap), sorted, in seconds from the first frame of `origin`
 * (default: this capture; unwrapped from origin's first packet). This is the timing authority:
 * GStreamer's reference files round B-frame times (Matroska stores milliseconds and h264parse
 * guesses), the RTP clock does not.
 */
export function rtpFrameTimes(f: CorpusFile, origin: CorpusFile = f): number[] {
  const base = rtpTimestamps(origin)[0]!;
  const ticks = (x: CorpusFile) => [...new Set(rtpTimestamps(x).map((t) => (t - base) | 0))].sort((a, b) => a - b); // signed: unwraps
  const zero = ticks(origin)[0]!;
  return ticks(f).map((t) => (t - zero) / f.clockRate);
}

/** Samples per packet of the corpus Opus streams (scripts/corpus/streams.ts: opusenc frame-size=20). */
export const CORPUS_OPUS_PACKET_SAMPLES = 960;

/**
 * Length of an Opus capture's RTP time line in 48 kHz samples: from the first packet's RTP
 * timestamp (capture order) to the end of the latest packet.
 */
export function opusTimelineSamples(f: CorpusFile): number {
  const ts = rtpTimestamps(f);
  return Math.max(...ts.map((t) => (t - ts[0]!) | 0)) + CORPUS_OPUS_PACKET_SAMPLES;
}
