/**
 * Errors raised by the capture readers. Network garbage inside a well-formed capture is never an
 * error (it is counted in {@link CaptureStats} and skipped); only an unreadable file is.
 */

/** The input is not a capture we understand, or its file header is truncated. */
export class CaptureFormatError extends Error {
  /** Stable machine-readable code. */
  readonly code = 'ERR_CAPTURE_FORMAT' as const;
  constructor(message: string) {
    super(message);
    this.name = 'CaptureFormatError';
  }
}

/** No RTP stream in a capture matches the requested SSRC / payload type. */
export class StreamNotFoundError extends Error {
  /** Stable machine-readable code. */
  readonly code = 'ERR_STREAM_NOT_FOUND' as const;
  /** Human-readable summaries of the streams that are present (may be empty). */
  readonly available: readonly string[];
  constructor(message: string, available: readonly string[]) {
    super(message);
    this.name = 'StreamNotFoundError';
    this.available = available;
  }
}
