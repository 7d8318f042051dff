/**
 * When to NACK (RFC 4585 §6.2.1 generic NACK) the RTP sequence numbers a reorder buffer is still
 * waiting for: each missing sequence number at most {@link NACK_MAX_TRIES} times, at least
 * {@link NACK_RETRY_US} apart, and forgotten as soon as it is no longer missing (it arrived, or the
 * buffer gave up and concealed it). Shared by the file path (TrackRecording) and the WebSocket PCM
 * path (TrackPcmStream). Pure: the caller passes the clock.
 */

/** Each missing sequence number is NACKed at most this often… */
export const NACK_MAX_TRIES = 3;
/** …and this far apart, µs (about one SFU round trip plus its retransmission pacing). */
export const NACK_RETRY_US = 150_000;

export class NackScheduler {
  /** Sequence numbers NACKed so far, retries included. */
  sent = 0;
  private readonly nacked = new Map<number, { tries: number; atUs: number }>();

  /**
   * The sequence numbers to NACK now, out of `missing` (the reorder buffer's current list, e.g.
   * `Recorder.missingSequences()`); counts them in {@link sent}. `nowUs`: µs on any monotonic clock.
   * Returns an empty array when nothing is due (the common case: no allocation beyond it).
   */
  due(missing: readonly number[], nowUs: number): number[] {
    if (missing.length === 0) {
      if (this.nacked.size) this.nacked.clear();
      return [];
    }
    if (this.nacked.size) {
      const still = new Set(missing);
      for (const seq of this.nacked.keys()) if (!still.has(seq)) this.nacked.delete(seq);
    }
    const due = missing.filter((seq) => {
      const n = this.nacked.get(seq);
      return !n || (n.tries < NACK_MAX_TRIES && nowUs - n.atUs >= NACK_RETRY_US);
    });
    for (const seq of due) this.nacked.set(seq, { tries: (this.nacked.get(seq)?.tries ?? 0) + 1, atUs: nowUs });
    this.sent += due.length;
    return due;
  }
}
