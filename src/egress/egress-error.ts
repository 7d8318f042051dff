import { TrackEgressError } from '../core/errors.js';

/**
 * Twirp error codes the egress API returns (https://twitchtv.github.io/twirp/docs/spec_v7.html
 * "Error codes"), with the HTTP status Twirp maps each to. LiveKit's egress puts that HTTP status
 * in `EgressInfo.error_code` (reference livekit-track-egress.md §5.2).
 */
export const TWIRP_HTTP_STATUS = {
  invalid_argument: 400,
  malformed: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  failed_precondition: 412,
  resource_exhausted: 429,
  internal: 500,
  unimplemented: 501,
  unavailable: 503,
} as const;
export type TwirpCode = keyof typeof TWIRP_HTTP_STATUS;

/**
 * An error of the egress service: `twirpCode` is what the API answers, `httpStatus` its HTTP
 * status (and `EgressInfo.error_code` when the egress ends with it), `code` is
 * `ERR_EGRESS_<TWIRP CODE>` for `catch` blocks.
 * The message never holds a secret (S3 keys, tokens, URL query values): build it from redacted values.
 * @example
 * throw new EgressError('invalid_argument', 'request has missing or invalid field: track_id');
 */
export class EgressError extends TrackEgressError {
  readonly twirpCode: TwirpCode;
  readonly httpStatus: number;
  constructor(twirpCode: TwirpCode, message: string, options?: { cause?: unknown }) {
    super(`ERR_EGRESS_${twirpCode.toUpperCase()}`, message, options);
    this.twirpCode = twirpCode;
    this.httpStatus = TWIRP_HTTP_STATUS[twirpCode];
  }
}
