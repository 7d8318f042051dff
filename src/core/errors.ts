/** Base class of every error track-egress throws; `code` is stable and machine-readable. */
export class TrackEgressError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An option or argument has the wrong type or is out of range. */
export class InvalidArgumentError extends TrackEgressError {
  constructor(message: string) {
    super('ERR_TE_INVALID_ARG', message);
  }
}

/** The object was used after close() or finish(). */
export class InvalidStateError extends TrackEgressError {
  constructor(message: string) {
    super('ERR_TE_STATE', message);
  }
}

/** Neither the native addon nor the wasm build could be loaded. */
export class BackendLoadError extends TrackEgressError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_TE_BACKEND_LOAD', message, options);
  }
}

/** sharp-style message: "Expected <what> for <name> but received <value>". */
export function invalidParameter(name: string, expected: string, value: unknown): InvalidArgumentError {
  const shown = typeof value === 'string' ? `"${value}"` : String(value);
  return new InvalidArgumentError(`Expected ${expected} for ${name} but received ${shown} of type ${typeof value}`);
}
