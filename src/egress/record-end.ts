/**
 * When a {@link record} run ends: the track ends, `durationSec` passes, `signal` is aborted, or
 * the output fails. Shared by the file path (record.ts) and the WebSocket path (record-websocket.ts).
 */
import type { TrackEndReason, TrackSource } from '../livekit/track-source.js';
import type { EgressError } from './egress-error.js';

/** Why a {@link record} run stopped. */
export type RecordEndReason = TrackEndReason | 'duration' | 'aborted';

/** A run's end: `ended` resolves once; `fail` ends it with the output's error (reason `'aborted'`). */
export type RecordEnd = {
  readonly ended: Promise<RecordEndReason>;
  /** The output's failure, if one ended the run. */
  readonly failure: EgressError | undefined;
  fail(error: EgressError): void;
  /** Ends the watch (`'aborted'`) without a failure: the output could not be opened. */
  stop(): void;
};

/**
 * Starts watching `source`, `signal` and the `durationSec` timer (from now). Call it as soon as
 * the source exists: an end that comes while the output is being opened is kept.
 */
export function watchRecordEnd(source: TrackSource, opts: { signal?: AbortSignal; durationSec?: number }): RecordEnd {
  let failure: EgressError | undefined;
  let done!: (why: RecordEndReason) => void;
  const ended = new Promise<RecordEndReason>((resolve) => {
    let settled = false;
    done = (why) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      source.off('ended', onEnded);
      clearTimeout(timer);
      resolve(why);
    };
  });
  const onAbort = () => done('aborted');
  const onEnded = (why: TrackEndReason) => done(why);
  source.once('ended', onEnded);
  const timer = opts.durationSec ? setTimeout(() => done('duration'), opts.durationSec * 1000).unref() : undefined;
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    ended,
    get failure() {
      return failure;
    },
    fail(error) {
      failure ??= error;
      done('aborted');
    },
    stop() {
      done('aborted');
    },
  };
}

/** The `record` progress lines of a source's events: first packet, mute, unmute, connection lost / recovered. */
export function logSourceEvents(source: TrackSource, log: (line: string) => void): void {
  source.once('rtp', () => log('receiving RTP'));
  source.on('muted', () => log('track muted'));
  source.on('unmuted', () => log('track unmuted'));
  source.on('connectionLost', (why) => log(`connection lost (${why}), recovering`));
  source.on('resumed', () => log('connection recovered'));
}
