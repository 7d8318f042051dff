/**
 * Errors raised by the capture readers. Network garbage inside a well-formed capture is never an
 * error (it is counted in {@link CaptureStats} and skipped); only an unreadable file is.
 */
import { TrackEgressError } from '../core/errors.js';

/**
 * The input is not a capture we understand (pcap, pcapng, rtpdump), or its file header is
 * truncated. `code` is `ERR_CAPTURE_FORMAT`; the message names the file and its first bytes.
 */
export class CaptureFormatError extends TrackEgressError {
  declare readonly code: 'ERR_CAPTURE_FORMAT';
  constructor(message: string) {
    super('ERR_CAPTURE_FORMAT', message);
  }
}

/**
 * No RTP stream in a capture matches the requested SSRC / payload type. `code` is
 * `ERR_STREAM_NOT_FOUND`; `available` lists the streams that are there.
 */
export class StreamNotFoundError extends TrackEgressError {
  declare readonly code: 'ERR_STREAM_NOT_FOUND';
  /** Human-readable summaries of the streams that are present (may be empty), e.g. "ssrc=0x00000001 pt=96 …". */
  readonly available: readonly string[];
  constructor(message: string, available: readonly string[]) {
    super('ERR_STREAM_NOT_FOUND', message);
    this.available = available;
  }
}
