import { TrackEgressError } from '../core/errors.js';

/** Error the CLI reports as a usage/input problem (exit code 2). */
export class ConvertInputError extends TrackEgressError {
  constructor(message: string) {
    super('ERR_TE_CONVERT_INPUT', message);
  }
}
