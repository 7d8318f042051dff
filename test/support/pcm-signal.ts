// A known audio signal for the WebSocket PCM tests, and the analysis that finds it again in what a
// receiver got.
//
// The signal: a sine (440 Hz, amplitude 8000) with clicks (8 ms bursts of a 1500 Hz tone, adding
// 22 000 to the sine: loud and long enough to survive Opus at any bitrate WebRTC picks). The
// publisher plays the sine until `start()`: that puts a MARKER click at the next sample it
// generates, and from then on every time is counted from the marker — the clicks at `clicksMs`
// after it, and the end of the feed exactly `durationMs` after it (to the sample). A receiver's
// stream begins wherever the egress got its first packet, so the tests find the marker (the first
// click) in the received PCM and measure everything from there.
//
//   const sig = await publishSignal(pub, { clicksMs: [500, 1500], durationMs: 2500 });
//   ... egress ACTIVE ...
//   sig.start(); await sig.ended; await sig.leave();
//   const pcm = pcmFrom(conn.pcm(), 48000, 2);
//   const clicks = findClicks(pcm);              // seconds; clicks[0] is the marker
//   dominantFrequency(pcm, 0, { fromSec: clicks[0] + 0.05, toSec: clicks[0] + 0.45 }) // ≈ 440
//
// The analysis is independent of our decoder: test/media/pcm-signal.test.ts checks it on ffmpeg's
// libopus encode/decode of the same generator.
import type { Publisher, PublishedAudioFeed } from './livekit-publisher.js';

/** Sample rate of the publisher's feed (rtc-node AudioSource), Hz. */
export const FEED_RATE = 48_000;

export type SignalShape = {
  /** Sine frequency, Hz (default 440); a second channel plays 1.5 × it. */
  frequency?: number;
  /** Sine amplitude (default 8000). */
  amplitude?: number;
};

export const CLICK = Object.freeze({
  /** Tone of a click burst, Hz. */
  frequency: 1500,
  /** Added to the sine during a click. */
  amplitude: 22_000,
  /** Length of a click, ms. */
  ms: 8,
  /** |sample| above which a click is detected (twice the sine's default amplitude). */
  threshold: 16_000,
});

/** Generates the signal frame by frame at {@link FEED_RATE}; clicks are scheduled at absolute sample positions. */
export class SignalGenerator {
  /** Index (per channel) of the next sample {@link render} writes. */
  position = 0;
  private readonly clicks: number[] = [];
  private readonly freq: number[];
  private readonly amplitude: number;
  private readonly clickSamples = Math.round((CLICK.ms * FEED_RATE) / 1000);

  constructor(
    readonly channels: number,
    shape: SignalShape = {},
  ) {
    const f = shape.frequency ?? 440;
    this.freq = Array.from({ length: channels }, (_, c) => (c === 0 ? f : 1.5 * f));
    this.amplitude = shape.amplitude ?? 8000;
  }

  /** A click starting at sample `at` (≥ {@link position}). */
  clickAt(at: number): void {
    this.clicks.push(at);
  }

  /** Fills `out` (interleaved, `out.length / channels` samples) and advances {@link position}. */
  render(out: Int16Array): void {
    const n = out.length / this.channels;
    for (let i = 0; i < n; i++) {
      const k = this.position + i;
      let click = 0;
      for (const c0 of this.clicks) {
        if (k >= c0 && k < c0 + this.clickSamples) click = CLICK.amplitude * Math.sin((2 * Math.PI * CLICK.frequency * (k - c0)) / FEED_RATE);
      }
      for (let c = 0; c < this.channels; c++) {
        out[i * this.channels + c] = Math.round(this.amplitude * Math.sin((2 * Math.PI * this.freq[c]! * k) / FEED_RATE) + click);
      }
    }
    this.position += n;
  }
}

export type SignalOptions = SignalShape & {
  /** Clicks after the marker, ms (the marker itself is at 0). Default none. */
  clicksMs?: number[];
  /** Signal after the marker, ms (a multiple of 10): the feed ends exactly there. */
  durationMs: number;
  /** Publisher channels (default 1: rtc-node publishes mono Opus, see docs/livekit-test-server.md). */
  channels?: 1 | 2;
  /** Track name (default 'signal'). */
  name?: string;
  /** The feed ends by itself after this long without start() (default 60 s): no test runs forever. */
  maxPreRollMs?: number;
  /** Audio queued ahead in the source, ms (default 150: rides out 150 ms stalls of this process). */
  leadMs?: number;
};

export interface SignalTrack {
  readonly sid: string;
  readonly track: PublishedAudioFeed;
  /** The marker and the clicks after it, seconds from the marker (the marker is 0). */
  readonly clicksSec: readonly number[];
  /** Published signal after the marker, seconds. */
  readonly durationSec: number;
  /**
   * Wall time (performance.now(), ms) at which the marker's frame was handed to the source plus the
   * `leadMs` the feed keeps queued: when the marker is captured, to within a frame or two.
   */
  readonly markerWallMs: number | undefined;
  /** Puts the marker at the next generated sample; the schedule counts from there. Once. */
  start(): void;
  /**
   * Silence the source played since the marker because this process fed it late, ms (see
   * PublishedAudioFeed.underrunMs): everything after it reaches any receiver that much later.
   * Tests check it is (nearly) 0 before blaming the egress for a shifted signal.
   */
  underrunSinceMarkerMs(): number;
  /** Resolves when the whole signal (marker + durationMs) has been captured and played out by the source. */
  readonly ended: Promise<void>;
  /** Publisher-side mute / unmute; resolve with the wall time (performance.now(), ms) of the request. */
  mute(): Promise<number>;
  unmute(): Promise<number>;
  /** The publisher leaves the room (disconnect); resolves with the wall time at which it began. */
  leave(): Promise<number>;
}

/** Publishes the signal as an Opus microphone track of `publisher` (paced in real time). */
export async function publishSignal(publisher: Publisher, opts: SignalOptions): Promise<SignalTrack> {
  if (opts.durationMs % 10 !== 0) throw new Error('durationMs must be a multiple of 10 ms (whole frames)');
  const channels = opts.channels ?? 1;
  const gen = new SignalGenerator(channels, opts);
  const clicksMs = [0, ...(opts.clicksMs ?? [])];
  const maxPreRoll = ((opts.maxPreRollMs ?? 60_000) * FEED_RATE) / 1000;
  let marker: number | undefined;
  let wantMarker = false;
  let markerWallMs: number | undefined;
  let endSample = Infinity;

  const leadMs = opts.leadMs ?? 150;
  const track = await publisher.publishAudioFeed({
    channels,
    name: opts.name ?? 'signal',
    leadMs,
    next(out) {
      if (wantMarker && marker === undefined) {
        marker = gen.position;
        for (const ms of clicksMs) gen.clickAt(marker + (ms * FEED_RATE) / 1000);
        endSample = marker + (opts.durationMs * FEED_RATE) / 1000;
        markerWallMs = performance.now() + leadMs;
      }
      if (gen.position >= endSample || (marker === undefined && gen.position >= maxPreRoll)) return false;
      gen.render(out);
      return true;
    },
  });

  const now = () => performance.now();
  return {
    sid: track.sid,
    track,
    clicksSec: clicksMs.map((ms) => ms / 1000),
    durationSec: opts.durationMs / 1000,
    get markerWallMs() {
      return markerWallMs;
    },
    start() {
      wantMarker = true;
    },
    underrunSinceMarkerMs() {
      if (marker === undefined) return 0;
      const frame = marker / 480;
      return track.underruns.filter((u) => u.frame > frame).reduce((a, u) => a + u.ms, 0);
    },
    ended: track.ended,
    async mute() {
      const t = now();
      await track.mute();
      return t;
    },
    async unmute() {
      const t = now();
      await track.unmute();
      return t;
    },
    async leave() {
      const t = now();
      await publisher.disconnect();
      return t;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Analysis of received s16le PCM (any rate, any channel count)

/** Interleaved s16 PCM. */
export type Pcm = { data: Int16Array; sampleRate: number; channels: number };

/**
 * s16le bytes → {@link Pcm} (copied, so any byte offset works).
 * @throws when the length is not a whole number of sample frames.
 */
export function pcmFrom(bytes: Uint8Array, sampleRate: number, channels: number): Pcm {
  if (bytes.byteLength % (2 * channels) !== 0) throw new Error(`${bytes.byteLength} bytes is not a whole number of ${channels}-channel s16 frames`);
  const data = new Int16Array(bytes.byteLength / 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < data.length; i++) data[i] = view.getInt16(2 * i, true);
  return { data, sampleRate, channels };
}

/** Samples per channel. */
export const pcmFrames = (pcm: Pcm): number => pcm.data.length / pcm.channels;
/** Duration, seconds. */
export const pcmSeconds = (pcm: Pcm): number => pcmFrames(pcm) / pcm.sampleRate;

/** Max |sample| over all channels of frame `i`. */
function peakAt(pcm: Pcm, i: number): number {
  let m = 0;
  for (let c = 0; c < pcm.channels; c++) m = Math.max(m, Math.abs(pcm.data[i * pcm.channels + c]!));
  return m;
}

/**
 * Onsets of the clicks, seconds from the start of `pcm`: the first sample (any channel) above
 * `threshold`, then nothing for `minGapMs` (one click's samples above the threshold are one click).
 */
export function findClicks(pcm: Pcm, opts: { threshold?: number; minGapMs?: number } = {}): number[] {
  const threshold = opts.threshold ?? CLICK.threshold;
  const gap = Math.round(((opts.minGapMs ?? 100) * pcm.sampleRate) / 1000);
  const out: number[] = [];
  let last = -Infinity;
  const n = pcmFrames(pcm);
  for (let i = 0; i < n; i++) {
    if (peakAt(pcm, i) <= threshold) continue;
    if (i - last > gap) out.push(i / pcm.sampleRate);
    last = i;
  }
  return out;
}

/** In-place iterative radix-2 FFT (re/im of length 2^k). */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b]! * cr - im[b]! * ci;
        const ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
        const ncr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = ncr;
      }
    }
  }
}

/**
 * The strongest frequency of channel `channel` between `fromSec` and `toSec` (default: the whole
 * stream, at most 2^16 samples from `fromSec`), Hz: Hann-windowed FFT, zero-padded ×4, peak above
 * 20 Hz refined by parabolic interpolation of the log magnitudes (error well under 1 Hz for a
 * 0.3 s window). A stereo stream read as mono, or a 16 kHz stream read as 48 kHz, moves it by ×2/×3.
 */
export function dominantFrequency(pcm: Pcm, channel: number, opts: { fromSec?: number; toSec?: number } = {}): number {
  if (channel < 0 || channel >= pcm.channels) throw new Error(`no channel ${channel} in ${pcm.channels}-channel PCM`);
  const from = Math.max(0, Math.round((opts.fromSec ?? 0) * pcm.sampleRate));
  const to = Math.min(pcmFrames(pcm), opts.toSec === undefined ? Infinity : Math.round(opts.toSec * pcm.sampleRate), from + 65_536);
  const len = to - from;
  if (len < 256) throw new Error(`too few samples (${len}) to estimate a frequency`);
  let size = 1;
  while (size < 4 * len) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < len; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (len - 1));
    re[i] = w * pcm.data[(from + i) * pcm.channels + channel]!;
  }
  fft(re, im);
  const mag = (k: number) => Math.log(re[k]! * re[k]! + im[k]! * im[k]! + 1e-9);
  const first = Math.max(1, Math.ceil((20 * size) / pcm.sampleRate));
  let best = first;
  for (let k = first; k < size / 2 - 1; k++) if (mag(k) > mag(best)) best = k;
  const a = mag(best - 1);
  const b = mag(best);
  const c = mag(best + 1);
  const delta = a - 2 * b + c === 0 ? 0 : (0.5 * (a - c)) / (a - 2 * b + c);
  return ((best + delta) * pcm.sampleRate) / size;
}

/** A run of (near) silence. */
export type SilentRun = { startSec: number; endSec: number; durationSec: number };

/**
 * Runs of at least `minMs` where every sample of every channel is within ±`threshold` (default
 * 300, far below the sine), at 1 ms resolution. Digital silence and Opus-coded silence both count.
 */
export function silentRuns(pcm: Pcm, opts: { threshold?: number; minMs?: number } = {}): SilentRun[] {
  const threshold = opts.threshold ?? 300;
  const minMs = opts.minMs ?? 50;
  const block = Math.max(1, Math.round(pcm.sampleRate / 1000));
  const n = pcmFrames(pcm);
  const runs: SilentRun[] = [];
  let start = -1;
  const close = (end: number) => {
    if (start >= 0 && ((end - start) * 1000) / pcm.sampleRate >= minMs) {
      runs.push({ startSec: start / pcm.sampleRate, endSec: end / pcm.sampleRate, durationSec: (end - start) / pcm.sampleRate });
    }
    start = -1;
  };
  for (let b = 0; b < n; b += block) {
    let quiet = true;
    for (let i = b; i < Math.min(n, b + block) && quiet; i++) quiet = peakAt(pcm, i) <= threshold;
    if (quiet && start < 0) start = b;
    if (!quiet) close(b);
  }
  close(n);
  return runs;
}

/**
 * For each expected click time (seconds after the first click found), the found click nearest to
 * it and the error, seconds. `found[0]` is taken as the marker. Unmatched expected clicks give
 * `error: Infinity`; found clicks nobody expected are listed in `extra`.
 */
export function matchClicks(found: readonly number[], expectedSec: readonly number[]): { errors: number[]; extra: number[] } {
  if (found.length === 0) return { errors: expectedSec.map(() => Infinity), extra: [] };
  const origin = found[0]!;
  const rel = found.map((t) => t - origin);
  const used = new Set<number>();
  const errors = expectedSec.map((e) => {
    let best = -1;
    for (let i = 0; i < rel.length; i++) if (!used.has(i) && (best < 0 || Math.abs(rel[i]! - e) < Math.abs(rel[best]! - e))) best = i;
    if (best < 0 || Math.abs(rel[best]! - e) > 0.5) return Infinity;
    used.add(best);
    return rel[best]! - e;
  });
  return { errors, extra: rel.filter((_, i) => !used.has(i)) };
}

/**
 * Where the sound ends: the start of the silent run that reaches the end of `pcm` (seconds), and
 * that run's length (0 if the stream ends in sound). After the signal, an rtc-node source keeps
 * sending Opus-coded silence until the track goes away; the zero padding of a last message is silence too.
 */
export function soundEnd(pcm: Pcm): { endSec: number; tailSec: number } {
  const total = pcmSeconds(pcm);
  const last = silentRuns(pcm, { minMs: 1 }).pop();
  if (last && last.endSec >= total - 1e-9) return { endSec: last.startSec, tailSec: last.durationSec };
  return { endSec: total, tailSec: 0 };
}

/** Assertion message for {@link SignalTrack.underrunSinceMarkerMs} ≠ 0. */
export const UNDERRUN_HINT =
  'the test process fed its rtc-node audio source late (an overloaded machine): the source played silence and the signal after it is shifted — not an egress fault';
