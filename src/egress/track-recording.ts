import type { OutputChunk, Recorder, RecorderStats } from '../core/recorder.js';
import { nowUs } from '../core/options.js';
import type { TrackSource } from '../livekit/track-source.js';
import { NackScheduler } from './nack-scheduler.js';

/** Options of {@link TrackRecording}. */
export type TrackRecordingOptions = {
  /**
   * Where container output goes: an OutputSink's `write` (FileSink, S3Sink), which queues and
   * never blocks the event loop, or ChunkFileWriter.write for a one-recording CLI.
   */
  write: (chunks: readonly OutputChunk[]) => void;
  /** Feedback/poll/read period, ms: output reaches `write` at most this late. Default 50. */
  intervalMs?: number;
};

/** {@link RecorderStats} plus what the recording saw arrive and asked for. */
export type TrackRecordingStats = RecorderStats & {
  /** RTP packets received from the source. */
  packets: number;
  /** Arrival times of the first and last RTP packet, µs (0 before the first). */
  firstArrivalUs: number;
  lastArrivalUs: number;
  /** Largest gap between consecutive RTP arrivals, ms. */
  maxGapMs: number;
  /** Sequence numbers NACKed (RFC 4585 §6.2.1), retries included. */
  nacksSent: number;
};

/**
 * The file path of a track egress: RTP from a TrackSource into the media core's Recorder, output
 * to `write`, and the feedback the core asks for sent back to the SFU — a PLI (throttled by the
 * source to 1/s) while the core waits for a keyframe, NACKs for packets the reorder buffer is still
 * waiting for ({@link NackScheduler}). It does not own the source or the recorder: close them after {@link stop}.
 *
 * ```ts
 * const rec = await Recorder.create({ codec: 'vp8', seekable: true });
 * const sink = await FileSink.open('track.webm', { onFailure: (e) => console.error(e) });
 * const recording = new TrackRecording(source, rec, { write: (chunks) => sink.write(chunks) });
 * source.once('ended', async () => { recording.stop(); rec.close(); await sink.finish(); });
 * ```
 */
export class TrackRecording {
  private packets = 0;
  private first = 0;
  private last = 0;
  private maxGapMs = 0;
  private readonly nacks = new NackScheduler();
  private readonly timer: NodeJS.Timeout;
  private stopped = false;
  /** The recorder's counters at stop(): the owner may close the recorder right after. */
  private finalRecorderStats: RecorderStats | undefined;

  constructor(
    private readonly source: TrackSource,
    private readonly recorder: Recorder,
    private readonly options: TrackRecordingOptions,
  ) {
    source.on('rtp', this.onRtp);
    this.timer = setInterval(() => this.tick(), options.intervalMs ?? 50);
  }

  /** Milliseconds of media received so far (last arrival − first arrival). */
  get receivedMs(): number {
    return this.packets ? (this.last - this.first) / 1000 : 0;
  }

  /** Stops listening, finishes the container and writes its trailer. Idempotent. */
  stop(): TrackRecordingStats {
    if (!this.stopped) {
      this.stopped = true;
      clearInterval(this.timer);
      this.source.off('rtp', this.onRtp);
      this.options.write(this.recorder.finish());
      this.finalRecorderStats = this.recorder.stats();
    }
    return this.stats();
  }

  /** Counters so far (the recorder's and the recording's); after {@link stop}, the final ones. */
  stats(): TrackRecordingStats {
    return {
      ...(this.finalRecorderStats ?? this.recorder.stats()),
      packets: this.packets,
      firstArrivalUs: this.first,
      lastArrivalUs: this.last,
      maxGapMs: this.maxGapMs,
      nacksSent: this.nacks.sent,
    };
  }

  private readonly onRtp = (packet: Uint8Array, arrivalUs: number): void => {
    if (this.packets++ === 0) this.first = arrivalUs;
    else this.maxGapMs = Math.max(this.maxGapMs, (arrivalUs - this.last) / 1000);
    this.last = arrivalUs;
    // Output is read on the tick (every intervalMs), not per packet: one core read and one sink
    // write per 50 ms instead of per packet. Containers are cut in ~1 s pieces anyway, so this
    // delays no byte by more than intervalMs.
    this.recorder.push(packet, arrivalUs);
  };

  private tick(): void {
    const now = nowUs();
    this.recorder.poll(now);
    this.options.write(this.recorder.read());
    if (this.recorder.takeKeyframeRequest() || this.recorder.waitingForKeyframe) this.source.requestKeyframe();
    const due = this.nacks.due(this.recorder.missingSequences(), now);
    if (due.length) this.source.requestRetransmission(due);
  }
}
