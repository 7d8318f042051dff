// Timing marks in a received PCM stream (websocket latency scenario, bench/lib/websocket.mjs):
// the publisher (scripts/load/click-publisher-process.ts) plays a quiet sine (1/20 of full scale)
// with 5 ms clicks at 3/4 of full scale; a click is the first sample of channel 0 above 1/5 of
// full scale at least REFRACTORY_MS after the previous one. Each detection carries its position in
// the stream (sample frames since the first byte) and the wall-clock time (µs) the chunk holding it
// arrived.

export const THRESHOLD = 6553; // 1/5 of full scale
export const REFRACTORY_MS = 100;

const wallUs = () => (performance.timeOrigin + performance.now()) * 1000;

/** Scans s16le interleaved chunks (any size, any split) for clicks. */
export class ClickDetector {
  /** @param {number} rate  @param {number} channels */
  constructor(rate, channels) {
    this.rate = rate;
    this.channels = channels;
    this.frameBytes = 2 * channels;
    this.frames = 0; // sample frames seen
    this.bytes = 0;
    this.rest = Buffer.alloc(0);
    this.lastClick = -Infinity;
    /** @type {{ pos: number, arrivalUs: number }[]} */
    this.clicks = [];
    this.firstArrivalUs = 0;
    this.lastArrivalUs = 0;
  }

  /** @param {Buffer | Int16Array} chunk s16le bytes  @param {number} [arrivalUs] */
  push(chunk, arrivalUs = wallUs()) {
    if (!Buffer.isBuffer(chunk)) chunk = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!this.firstArrivalUs) this.firstArrivalUs = arrivalUs;
    this.lastArrivalUs = arrivalUs;
    this.bytes += chunk.length;
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const whole = buf.length - (buf.length % this.frameBytes);
    const refractory = (REFRACTORY_MS * this.rate) / 1000;
    for (let o = 0; o < whole; o += this.frameBytes) {
      const v = buf.readInt16LE(o);
      const pos = this.frames++;
      if ((v > THRESHOLD || v < -THRESHOLD) && pos - this.lastClick >= refractory) {
        this.lastClick = pos;
        this.clicks.push({ pos, arrivalUs });
      }
    }
    this.rest = Buffer.from(buf.subarray(whole));
  }
}

/**
 * Pairs detections with the publisher's clicks (`{ i, captureUs, sample }`, a fixed period): the
 * first detection is click 0 (nothing loud is sent before it); each next one is placed after the
 * previous match by its distance in samples (rate `rate`; the publisher's are at 48 kHz) when that
 * lands within a fifth of a period of a click, else — a pipeline that dropped or inserted audio —
 * by its distance in arrival time (jitter must stay under half a period). Returns latencies, ms,
 * the arrival time of each matched click by index, how many clicks were never found and how many
 * detections matched nothing.
 */
export function matchClicks(detections, published, rate) {
  if (detections.length === 0 || published.length === 0) return { latMs: [], arrivals: new Map(), unmatched: detections.length, missing: published.length, byTime: 0 };
  const byIndex = new Map(published.map((c) => [c.i, c]));
  const periodSamples = published.length > 1 ? (published[1].sample - published[0].sample) * (rate / 48000) : Infinity;
  const periodUs = (periodSamples / rate) * 1e6;
  const latMs = [];
  /** click index → arrival µs of its detection */
  const arrivals = new Map();
  let unmatched = 0;
  let byTime = 0;
  const seen = new Set();
  let prev; // { k, pos, arrivalUs }
  for (const d of detections) {
    let k = 0;
    if (prev) {
      const steps = (d.pos - prev.pos) / periodSamples;
      if (Math.abs(steps - Math.round(steps)) <= 0.2 && Math.round(steps) >= 1) k = prev.k + Math.round(steps);
      else {
        k = prev.k + Math.max(1, Math.round((d.arrivalUs - prev.arrivalUs) / periodUs));
        byTime++;
      }
    }
    const c = byIndex.get(k);
    if (!c || seen.has(k)) { unmatched++; continue; }
    seen.add(k);
    prev = { k, pos: d.pos, arrivalUs: d.arrivalUs };
    latMs.push((d.arrivalUs - c.captureUs) / 1000);
    arrivals.set(k, d.arrivalUs);
  }
  return { latMs, arrivals, unmatched, missing: published.length - seen.size, byTime };
}

/** p-th percentile (0..100) of `xs`, nearest rank. */
export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
