/**
 * What an {@link EgressJob} (egress-job.ts) asks of its output: the file output
 * (file-job-output.ts: TrackRecording → FileSink/S3Sink, FileInfo) or the WebSocket output
 * (websocket-job-output.ts: TrackPcmStream → PcmWebSocket, StreamInfo). The job owns the common
 * lifecycle (join, ACTIVE at the first packet, stop, session limits, the final status); the output
 * owns its media path and its entry in `file_results` / `stream_results`.
 */
import type { EgressInfo, TrackEgressRequest } from '@livekit/protocol';
import type { Logger } from 'pino';

import type { TrackEndReason, TrackSource } from '../livekit/track-source.js';
import type { EgressError } from './egress-error.js';
import type { JobRecord } from './job-journal.js';
import type { EgressJobStats, EgressServiceConfig } from './service-types.js';
import type { ResolvedPcmStreamOptions } from './websocket/pcm-stream-options.js';

/** The service configuration with its defaults filled in. */
export type JobConfig = Required<Pick<EgressServiceConfig, 'apiKey' | 'apiSecret' | 'wsUrl' | 'recordingsDir' | 'spoolDir' | 'trackTimeoutMs'>> &
  Pick<EgressServiceConfig, 's3' | 'upload' | 'sessionLimits'> & { logger: Logger; websocket: ResolvedPcmStreamOptions };

/** How a running job comes to its end. */
export type EndCause =
  | { kind: 'stop'; details: string }
  | { kind: 'source'; reason: TrackEndReason }
  | { kind: 'failure'; error: EgressError }
  | { kind: 'limit' };

/** What the job lends its output. */
export type JobContext = {
  readonly egressId: string;
  readonly request: TrackEgressRequest;
  /** The job's EgressInfo: the output sets its own result (`setFileResult` / `setStreamResult`). */
  readonly info: EgressInfo;
  readonly config: JobConfig;
  readonly log: Logger;
  /** When the request was accepted (filepath templates). */
  readonly startTime: Date;
  /** Ends the job with `error` (the storage or the socket failed while running). */
  fail(error: EgressError): void;
  /** Records where the output goes in the job journal (crash recovery). */
  journalOutput(output: NonNullable<JobRecord['output']>): void;
};

/** The output counters of {@link EgressJobStats}. */
export type OutputStats = Omit<EgressJobStats, 'egressId' | 'roomName' | 'status'>;

/**
 * One output of a job, called in this order: `open` → (`started` at the first packet) →
 * `stopMedia` → `discard` (no packet came) or `finish` (it did); `abort` instead after a throw.
 */
export interface JobOutput {
  /**
   * Opens the output for the subscribed `source` and starts the media flowing into it. The job
   * already listens for the source's end.
   * @throws EgressError with LiveKit's text (the job ends FAILED with it).
   */
  open(source: TrackSource): Promise<void>;
  /** The first RTP packet arrived at `arrivalUs` (µs, Unix): the result's `started_at`. */
  started(arrivalUs: number): void;
  /** Whether a session limit is reached; asked every 250 ms while ACTIVE. `activeSinceMs`: the first packet's arrival, Unix ms. */
  limitReached(activeSinceMs: number): boolean;
  /**
   * Stops taking media (before the source is closed); `cause` says why.
   * @throws when the media path cannot be ended cleanly (the job ends FAILED, `abort` follows).
   */
  stopMedia(cause: EndCause): Promise<void>;
  /** No packet ever came (the job ends ABORTED or FAILED): drops what was opened. Never throws. */
  discard(cause: EndCause): Promise<void>;
  /**
   * Finalizes the output after media came: fills the result (`ended_at`, `duration`, size or
   * status). `endedAt` is the terminal update's time (Unix ns).
   * @throws EgressError when finalizing fails (the job ends FAILED with it).
   */
  finish(cause: EndCause, source: TrackSource, endedAt: bigint): Promise<void>;
  /** After a throw anywhere (`error`: what the job reports): drops everything at once. Never throws. */
  abort(error: EgressError): Promise<void>;
  /** Live counters. */
  stats(): OutputStats;
  /** Appended to `details` at the end (`''`: nothing), e.g. the WebSocket's drop report. */
  detailsSuffix(): string;
}
