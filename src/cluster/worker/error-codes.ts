/**
 * EgressService errors as psrpc errors: what a worker's StartEgress / StopEgress handler answers.
 * livekit-server turns the psrpc code into the Twirp code the SDK sees (psrpc `errors.go`
 * `ToHttp`/`twirp` mapping), so the caller of `EgressClient` gets the same error as from the
 * standalone Twirp API.
 */
import { EgressError, type TwirpCode } from '../../egress/egress-error.js';
import { PsrpcCode, PsrpcError, type PsrpcCodeValue } from '../errors.js';

/** Twirp code of an {@link EgressError} → psrpc code (same names except Twirp's own `malformed` / `bad_route`). */
const TWIRP_TO_PSRPC: Record<TwirpCode, PsrpcCodeValue> = {
  invalid_argument: PsrpcCode.InvalidArgument,
  malformed: PsrpcCode.MalformedRequest,
  unauthenticated: PsrpcCode.Unauthenticated,
  permission_denied: PsrpcCode.PermissionDenied,
  not_found: PsrpcCode.NotFound,
  bad_route: PsrpcCode.NotFound,
  already_exists: PsrpcCode.AlreadyExists,
  failed_precondition: PsrpcCode.FailedPrecondition,
  resource_exhausted: PsrpcCode.ResourceExhausted,
  internal: PsrpcCode.Internal,
  unimplemented: PsrpcCode.Unimplemented,
  unavailable: PsrpcCode.Unavailable,
};

/**
 * The psrpc error a handler throws for `err`: a {@link PsrpcError} as is; an {@link EgressError}
 * with its Twirp code mapped ({@link TWIRP_TO_PSRPC}) and its message (never a secret, see
 * EgressError); anything else `internal` with its message.
 */
export function toPsrpcError(err: unknown): PsrpcError {
  if (err instanceof PsrpcError) return err;
  if (err instanceof EgressError) return new PsrpcError(TWIRP_TO_PSRPC[err.twirpCode] ?? PsrpcCode.Internal, err.message);
  return new PsrpcError(PsrpcCode.Internal, err instanceof Error ? err.message : String(err));
}
