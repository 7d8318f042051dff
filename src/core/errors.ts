import { STATUS } from './abi.generated.js';

/** Base class of every error track-egress throws; `code` is stable and machine-readable. */
export class TrackEgressError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An option or argument has the wrong type or is out of range (TE_E_INVALID_ARG). */
export class InvalidArgumentError extends TrackEgressError {
  constructor(message: string) {
    super('ERR_TE_INVALID_ARG', message);
  }
}

/** The object was used after close() or finish(), or an option was set too late (TE_E_STATE). */
export class InvalidStateError extends TrackEgressError {
  constructor(message: string) {
    super('ERR_TE_STATE', message);
  }
}

/** A valid request the core does not implement, e.g. H.264 packetization-mode=2 (TE_E_UNSUPPORTED). */
export class UnsupportedError extends TrackEgressError {
  constructor(message: string) {
    super('ERR_TE_UNSUPPORTED', message);
  }
}

/** The core could not allocate memory (TE_E_NOMEM). */
export class OutOfMemoryError extends TrackEgressError {
  constructor(message: string) {
    super('ERR_TE_NOMEM', message);
  }
}

/** libopus refused a request, e.g. an output rate it does not support (TE_E_CODEC). */
export class CodecError extends TrackEgressError {
  constructor(message: string) {
    super('ERR_TE_CODEC', message);
  }
}

/** A bug in the core: an unexpected exception or an unknown status (TE_E_INTERNAL). */
export class InternalError extends TrackEgressError {
  constructor(message: string) {
    super('ERR_TE_INTERNAL', message);
  }
}

/** Neither the native addon nor the wasm build could be loaded. */
export class BackendLoadError extends TrackEgressError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_TE_BACKEND_LOAD', message, options);
  }
}

/** The error class of each negative te_status (TE_E_* in native/include/te/te.h). */
const STATUS_ERRORS: Readonly<Record<number, new (message: string) => TrackEgressError>> = {
  [STATUS.E_INVALID_ARG]: InvalidArgumentError,
  [STATUS.E_STATE]: InvalidStateError,
  [STATUS.E_UNSUPPORTED]: UnsupportedError,
  [STATUS.E_NOMEM]: OutOfMemoryError,
  [STATUS.E_CODEC]: CodecError,
  [STATUS.E_INTERNAL]: InternalError,
};

/**
 * The one error factory of both backends: the error for a failed C ABI call, from its te_status and
 * te_last_error() message. The native addon calls it (registered with setErrorFactory at load),
 * the wasm adapter calls it directly, so the same failure has the same class and `code` on both.
 * An unknown status becomes an InternalError.
 */
export function errorFromStatus(status: number, message: string): TrackEgressError {
  const ErrorClass = STATUS_ERRORS[status];
  return ErrorClass ? new ErrorClass(message) : new InternalError(`${message} (unknown status ${status})`);
}

/** sharp-style message: "Expected <what> for <name> but received <value>". */
export function invalidParameter(name: string, expected: string, value: unknown): InvalidArgumentError {
  const shown = typeof value === 'string' ? `"${value}"` : String(value);
  return new InvalidArgumentError(`Expected ${expected} for ${name} but received ${shown} of type ${typeof value}`);
}
