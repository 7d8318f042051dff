/**
 * The PCM timeline of a WebSocket output: decoded PCM (which follows the RTP clock, gaps in the
 * timestamps already concealed by the decoder) plus real-time silence while no packet comes, cut
 * into fixed-size messages. Pure: no timers, no I/O; the caller passes the clock.
 *
 * Continuity (issue 9 contract §3):
 * - {@link PcmTimeline.tick}: once the last PCM is older than `silenceAfterUs` (G), zero samples are
 *   inserted so that the timeline advances in real time, G behind the last PCM's arrival:
 *   after the last PCM at time T, at time t the timeline holds (t − T − G) · rate inserted frames.
 * - {@link PcmTimeline.pcm} after such a gap: the decoder's concealment of the timestamp jump (the
 *   same span, at the front of its output) is dropped up to the amount of silence inserted. If the
 *   packets came back without a jump (nothing concealed), the inserted silence stays: the timeline
 *   re-anchors on the new packets.
 * Net: the timeline has as many frames as the RTP clock says, plus only the silence that no
 * timestamp jump accounted for; each message is handed out as soon as it is complete.
 *
 * ```ts
 * const t = new PcmTimeline({ sampleRate: 48000, channels: 2, frameSamples: 480, silenceAfterUs: 150_000 },
 *   (message) => socket.sendFrame(message)); // copy it: the array is reused
 * t.pcm(decoded, 0, nowUs());
 * setInterval(() => t.tick(nowUs()), 20);
 * t.end(); // the last partial message, zero-padded
 * ```
 */

export type PcmTimelineOptions = {
  /** Output rate, Hz (frames per second per channel). */
  sampleRate: number;
  /** Interleaved channels, 1 or 2. */
  channels: number;
  /** Frames (samples per channel) in one message; messages hold frameSamples × channels values. */
  frameSamples: number;
  /** G: how old the last PCM must be before silence is inserted, µs (reorder wait + margin). */
  silenceAfterUs: number;
  /** A tick this long after the previous one means the event loop stalled (see {@link PcmTimeline.onTime}), µs. Default 60 000. */
  lateTickUs?: number;
};

/**
 * Called with each complete message, in order: `frameSamples × channels` interleaved s16 values.
 * The array may be a view of the caller's PCM or a buffer the timeline reuses: copy it before
 * returning if it must outlive the call.
 */
export type PcmMessageSink = (message: Int16Array) => void;

export class PcmTimeline {
  private readonly rate: number;
  private readonly channels: number;
  private readonly frameValues: number;
  private readonly silenceAfterUs: number;
  /** The partial message being filled, and how many values it holds. */
  private readonly part: Int16Array;
  private fill = 0;
  private readonly zeros: Int16Array;
  private frames = 0;
  private messageCount = 0;
  private inserted = 0;
  private kept = 0;
  /** Silence inserted in gaps that the decoder's concealment has not matched yet, frames. */
  private pending = 0;
  /** Time and position of the last PCM (-1: none yet); silence inserted since then. */
  private anchorUs = -1;
  private sinceAnchor = 0;
  private ended = false;
  private readonly lateTickUs: number;
  private lastTickUs = -1;
  private skippedTick = false;

  constructor(
    options: PcmTimelineOptions,
    private readonly emit: PcmMessageSink,
  ) {
    const { sampleRate, channels, frameSamples, silenceAfterUs } = options;
    if (!(Number.isInteger(frameSamples) && frameSamples > 0)) throw new RangeError(`frameSamples must be a positive integer, got ${frameSamples}`);
    if (!(Number.isInteger(channels) && channels > 0)) throw new RangeError(`channels must be a positive integer, got ${channels}`);
    if (!(sampleRate > 0)) throw new RangeError(`sampleRate must be positive, got ${sampleRate}`);
    this.rate = sampleRate;
    this.channels = channels;
    this.frameValues = frameSamples * channels;
    this.silenceAfterUs = Math.max(0, silenceAfterUs);
    this.lateTickUs = options.lateTickUs ?? 60_000;
    this.part = new Int16Array(this.frameValues);
    this.zeros = new Int16Array(this.frameValues);
  }

  /** Frames on the timeline so far: PCM kept plus silence kept, plus the end padding (the partial message included). */
  get positionFrames(): number {
    return this.frames;
  }

  /** Complete messages handed to the sink. */
  get messages(): number {
    return this.messageCount;
  }

  /** Frames of silence {@link tick} inserted (each of them was sent, whether or not concealment matched it later). */
  get silenceInsertedFrames(): number {
    return this.inserted;
  }

  /**
   * Frames of inserted silence that no concealed timestamp jump matched (gaps the RTP clock did not
   * count: a stall, a sender that resumed without a jump): the timeline is this much longer than
   * the RTP clock says. Counted once the first decoded PCM after the gap arrives.
   */
  get silenceKeptFrames(): number {
    return this.kept;
  }

  /**
   * True while inserted silence waits for the decoder's concealment of the same span: the caller
   * must then pass the count of concealed frames to {@link pcm} (e.g. from the decoder's
   * `samplesConcealed` counter); otherwise 0 will do.
   */
  get reconciling(): boolean {
    return this.pending > 0;
  }

  /** True once the first PCM came: {@link tick} inserts nothing before it. */
  get started(): boolean {
    return this.anchorUs >= 0;
  }

  /**
   * Appends decoded PCM (interleaved, a whole number of frames) produced at `nowUs` (the arrival
   * of the packet that released it, or the poll that did). `concealedFrames`: how many of its
   * first frames are the decoder's concealment (timestamp gap); while {@link reconciling}, up to
   * that many are dropped to match silence already inserted. Complete messages go to the sink now.
   */
  pcm(samples: Int16Array, concealedFrames: number, nowUs: number): void {
    if (this.ended || samples.length === 0) return;
    const ch = this.channels;
    const total = Math.floor(samples.length / ch);
    let skip = 0;
    if (this.pending > 0) {
      const concealed = Math.max(0, Math.floor(concealedFrames));
      skip = Math.min(this.pending, concealed, total);
      this.pending -= skip;
      // Decoded (not concealed) audio after the gap: the jump, if any, is fully accounted for;
      // what silence is left over stays in (re-anchor).
      if (concealed < total) {
        this.kept += this.pending;
        this.pending = 0;
      }
    }
    this.anchorUs = nowUs;
    this.sinceAnchor = 0;
    if (skip < total) this.append(samples, skip * ch, total * ch);
  }

  /**
   * Records a periodic tick at `nowUs`; false when it came more than `lateTickUs` after the
   * previous one and the previous one was on time. Then the event loop stalled: packets that
   * arrived meanwhile are still queued behind this timer (libuv runs timers before I/O), and the
   * caller should skip this tick (no reorder-buffer poll, no {@link tick}), so that a stall is not
   * taken for a gap in the stream. The next tick catches up on whatever silence is really due. At
   * most one tick in a row is skipped, so a loop that is slow all the time still gets silence.
   */
  onTime(nowUs: number): boolean {
    const late = this.lastTickUs >= 0 && nowUs - this.lastTickUs > this.lateTickUs && !this.skippedTick;
    this.lastTickUs = nowUs;
    this.skippedTick = late;
    return !late;
  }

  /**
   * Inserts the silence due at `nowUs`: nothing before the first PCM or while the last PCM is
   * younger than `silenceAfterUs`; then frames so that the timeline follows real time.
   */
  tick(nowUs: number): void {
    if (this.ended || this.anchorUs < 0) return;
    const due = Math.floor(((nowUs - this.anchorUs - this.silenceAfterUs) * this.rate) / 1e6);
    if (due <= this.sinceAnchor) return;
    const n = due - this.sinceAnchor;
    this.sinceAnchor = due;
    this.pending += n;
    this.inserted += n;
    this.appendSilence(n);
  }

  /**
   * Ends the timeline: silence still waiting for a match stays, the last partial message is
   * zero-padded to full size and handed out. Later calls do nothing. Idempotent.
   */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.kept += this.pending;
    this.pending = 0;
    if (this.fill > 0) {
      this.frames += (this.frameValues - this.fill) / this.channels;
      this.part.fill(0, this.fill);
      this.fill = 0;
      this.out(this.part);
    }
  }

  private append(samples: Int16Array, from: number, to: number): void {
    const F = this.frameValues;
    let i = from;
    this.frames += (to - from) / this.channels;
    if (this.fill > 0) {
      const k = Math.min(F - this.fill, to - i);
      this.part.set(samples.subarray(i, i + k), this.fill);
      this.fill += k;
      i += k;
      if (this.fill < F) return;
      this.fill = 0;
      this.out(this.part);
    }
    for (; to - i >= F; i += F) this.out(samples.subarray(i, i + F));
    if (i < to) {
      this.part.set(samples.subarray(i, to), 0);
      this.fill = to - i;
    }
  }

  private appendSilence(frames: number): void {
    const F = this.frameValues;
    let left = frames * this.channels;
    this.frames += frames;
    if (this.fill > 0) {
      const k = Math.min(F - this.fill, left);
      this.part.fill(0, this.fill, this.fill + k);
      this.fill += k;
      left -= k;
      if (this.fill < F) return;
      this.fill = 0;
      this.out(this.part);
    }
    for (; left >= F; left -= F) this.out(this.zeros);
    if (left > 0) {
      this.part.fill(0, 0, left);
      this.fill = left;
    }
  }

  private out(message: Int16Array): void {
    this.messageCount++;
    this.emit(message);
  }
}
