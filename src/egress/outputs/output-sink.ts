/**
 * The contract between an egress job and where its container bytes go (a local file, or a local
 * spool uploaded to S3-compatible storage while it records). Implemented by `file-sink.ts` and
 * `s3-sink.ts`; the job (`../egress-job.ts`) drives it.
 *
 * Rules every sink keeps (the service path depends on them):
 * - `write()` never blocks and never throws for I/O: bytes are queued and written with async I/O;
 *   a storage failure is reported once through `onFailure` (the job then ends FAILED).
 * - Memory is bounded: what is queued in memory waits for the disk only (milliseconds); uploads
 *   read back from the local file/spool, never from memory.
 * - Crash safety: what `write()` was given reaches the local file within about a second, so a
 *   `kill -9` of the process leaves a file ffmpeg plays up to ~1 s before the kill.
 */
import type { OutputChunk } from '../../core/recorder.js';
import type { EgressError } from '../egress-error.js';

/** What a finished sink reports; becomes `FileInfo.size` and `FileInfo.location`. */
export type SinkResult = {
  /** Size of the final file or object, bytes. */
  size: number;
  /** Local absolute path, or the object's URL (see `s3-location.ts`). */
  location: string;
};

/** Upload progress of a sink (`local` for a local file). */
export type UploadState = 'local' | 'uploading' | 'retrying' | 'complete' | 'failed';

/** Counters of a sink, for EgressInfo details, logs, the progress line and /metrics. */
export type SinkStats = {
  /** Bytes handed to `write()` (appends and patches). */
  bytesWritten: number;
  /** Bytes in the bucket so far (0 for a local file). */
  bytesUploaded: number;
  /** Requests to the storage that failed and were retried. */
  uploadRetries: number;
  uploadState: UploadState;
  /** Bytes accepted by `write()` but not yet on the local disk. */
  queuedBytes: number;
};

/** What every sink is created with. */
export type SinkOptions = {
  /** Called at most once when the storage fails for good (disk full, storage down past its limit). */
  onFailure: (error: EgressError) => void;
};

/** One egress's output. See the rules at the top of this file. */
export interface OutputSink {
  /** The final storage path (`FileInfo.filename`): the path under the root, or the object key. */
  readonly filename: string;
  /**
   * Queues container output: each chunk at its offset (appends while recording; positioned
   * patches at a seekable finish). Never blocks, never throws for I/O.
   */
  write(chunks: readonly OutputChunk[]): void;
  /**
   * Writes what is queued, closes the file, and for S3 uploads the rest and completes the upload.
   * @throws EgressError when the storage failed (the local file/spool is kept; its path is in the message).
   */
  finish(): Promise<SinkResult>;
  /** Stops at once (another part of the job failed); keeps what is local; aborts a multipart upload. Idempotent. */
  abort(): Promise<void>;
  stats(): SinkStats;
}
