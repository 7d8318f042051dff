import { TrackEgressError } from '../core/errors.js';

/** Error codes a user can act on, one per cause (see docs/livekit.md). */
export const LiveKitErrorCode = {
  BadUrl: 'ERR_LIVEKIT_BAD_URL',
  TokenRejected: 'ERR_LIVEKIT_TOKEN_REJECTED',
  RoomNotFound: 'ERR_LIVEKIT_ROOM_NOT_FOUND',
  TrackNotFound: 'ERR_LIVEKIT_TRACK_NOT_FOUND',
  UnsupportedCodec: 'ERR_LIVEKIT_UNSUPPORTED_CODEC',
  ConnectionFailed: 'ERR_LIVEKIT_CONNECTION_FAILED',
} as const;
export type LiveKitErrorCode = (typeof LiveKitErrorCode)[keyof typeof LiveKitErrorCode];

export class LiveKitError extends TrackEgressError {
  constructor(code: LiveKitErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
