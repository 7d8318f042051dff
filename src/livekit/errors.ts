import { TrackEgressError } from '../core/errors.js';

/**
 * Error codes a user can act on, one per cause (see docs/livekit.md). Each is something only the
 * server (or the network) can tell; a missing or malformed argument (no trackSid, no credentials)
 * is an InvalidArgumentError (`ERR_TE_INVALID_ARG`) instead.
 */
export const LiveKitErrorCode = {
  /** Not a ws/wss/http/https URL, nothing listening there (ECONNREFUSED, ENOTFOUND), or no signal endpoint (HTTP 404). */
  BadUrl: 'ERR_LIVEKIT_BAD_URL',
  /** The server refused the access token (HTTP 401/403 on /rtc/validate: bad signature, expired, wrong grants). */
  TokenRejected: 'ERR_LIVEKIT_TOKEN_REJECTED',
  /** The room does not exist and the server does not auto-create rooms (HTTP 404 naming the room). */
  RoomNotFound: 'ERR_LIVEKIT_ROOM_NOT_FOUND',
  /** The track was not published within `trackTimeoutMs`, or the server answered SE_TRACK_NOTFOUND. */
  TrackNotFound: 'ERR_LIVEKIT_TRACK_NOT_FOUND',
  /** The track's codec is not H.264, VP8, VP9 or Opus (the message names the MIME type). */
  UnsupportedCodec: 'ERR_LIVEKIT_UNSUPPORTED_CODEC',
  /** The signal or media connection failed or closed before the track was subscribed. */
  ConnectionFailed: 'ERR_LIVEKIT_CONNECTION_FAILED',
} as const;
export type LiveKitErrorCode = (typeof LiveKitErrorCode)[keyof typeof LiveKitErrorCode];

/**
 * An error of the LiveKit client; `code` is one of {@link LiveKitErrorCode}.
 * @example
 * try { await subscribeTrack(opts); }
 * catch (e) { if (e instanceof LiveKitError && e.code === LiveKitErrorCode.TrackNotFound) retryLater(); else throw e; }
 */
export class LiveKitError extends TrackEgressError {
  constructor(code: LiveKitErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
