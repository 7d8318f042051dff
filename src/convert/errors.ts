import { TrackEgressError } from '../core/errors.js';

/**
 * The input of {@link convert} cannot give what was asked: a missing capture or SDP, no RTP in the
 * capture, a codec in the wrong container, a stream that is not the codec it claims, no frame
 * could be written. The message names the file and the cause. `code` is `ERR_TE_CONVERT_INPUT`.
 * The CLI exits 2.
 */
export class ConvertInputError extends TrackEgressError {
  constructor(message: string) {
    super('ERR_TE_CONVERT_INPUT', message);
  }
}
