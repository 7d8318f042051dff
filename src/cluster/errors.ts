/**
 * psrpc errors: the code strings that travel in `internal.Response.code` and the client-side
 * errors psrpc makes itself (`psrpc@v0.7.2: errors.go`).
 */

/**
 * psrpc's error codes (`errors.go:279-327`), as sent in `Response.code`. `''` is OK.
 */
export const PsrpcCode = {
  OK: '',
  Canceled: 'canceled',
  MalformedRequest: 'malformed_request',
  MalformedResponse: 'malformed_result',
  DeadlineExceeded: 'deadline_exceeded',
  Unavailable: 'unavailable',
  Unknown: 'unknown',
  InvalidArgument: 'invalid_argument',
  NotFound: 'not_found',
  NotAcceptable: 'not_acceptable',
  AlreadyExists: 'already_exists',
  PermissionDenied: 'permission_denied',
  ResourceExhausted: 'resource_exhausted',
  FailedPrecondition: 'failed_precondition',
  Aborted: 'aborted',
  OutOfRange: 'out_of_range',
  Unimplemented: 'unimplemented',
  Internal: 'internal',
  DataLoss: 'data_loss',
  Unauthenticated: 'unauthenticated',
  UnprocessableEntity: 'unprocessable_entity',
  UpstreamServerError: 'upstream_server_error',
  UpstreamClientError: 'upstream_client_error',
} as const;

/** A psrpc error code string; a peer may send one this version does not know. */
export type PsrpcCodeValue = (typeof PsrpcCode)[keyof typeof PsrpcCode] | (string & {});

/**
 * An error with a psrpc code. A handler that throws one answers with its `code` and `message`
 * (`pkg/server/rpc.go:261-267`); any other thrown value answers `unknown` with its message
 * (`rpc.go:272-274`). The client rejects with one for every failure.
 */
export class PsrpcError extends Error {
  override readonly name = 'PsrpcError';
  /**
   * @param code psrpc code string (`unavailable`, `deadline_exceeded`, …).
   * @param message the error text as psrpc sends it (`Response.error`).
   */
  constructor(
    readonly code: PsrpcCodeValue,
    message: string,
  ) {
    super(message);
  }

  /** An error from a `Response`'s `error` and `code`; an empty code is `unknown` (`errors.go:267-277`). */
  static fromResponse(code: string, error: string): PsrpcError {
    return new PsrpcError(code === '' ? PsrpcCode.Unknown : code, error);
  }
}

/** `ErrRequestTimedOut` (`errors.go:33`): no response before the request's timeout. */
export const requestTimedOut = (): PsrpcError => new PsrpcError(PsrpcCode.DeadlineExceeded, 'request timed out');
/** `ErrNoResponse` (`errors.go:34`): no server claimed the request. */
export const noResponse = (): PsrpcError => new PsrpcError(PsrpcCode.Unavailable, 'no response from servers');
/** `ErrRequestCanceled` (`errors.go:32`). */
export const requestCanceled = (): PsrpcError => new PsrpcError(PsrpcCode.Canceled, 'request canceled');
/** `ErrClientClosed` (`errors.go:37`). */
export const clientClosed = (): PsrpcError => new PsrpcError(PsrpcCode.Canceled, 'client is closed');
/** `ErrServerClosed` (`errors.go:38`). */
export const serverClosed = (): PsrpcError => new PsrpcError(PsrpcCode.Canceled, 'server is closed');
/** Claims arrived but none was acceptable (`pkg/client/rpc.go:198-199`). */
export const noServersAvailable = (claims: number): PsrpcError =>
  new PsrpcError(PsrpcCode.Unavailable, `no servers available (received ${claims} responses)`);

/** `code` and `error` for a `Response` answering a failed handler (`pkg/server/rpc.go:261-275`). */
export function responseError(err: unknown): { code: string; error: string } {
  if (err instanceof PsrpcError) return { code: err.code, error: err.message };
  if (err instanceof Error) return { code: PsrpcCode.Unknown, error: err.message };
  return { code: PsrpcCode.Unknown, error: String(err) };
}
