/**
 * LiveKit egress's exact texts for `EgressInfo.details`, `EgressInfo.error` and the Twirp error
 * messages of a track egress (livekit/egress `pkg/errors/errors.go`, `pkg/pipeline/controller.go`,
 * `pkg/pipeline/source/sdk.go`; reference livekit-track-egress.md §1.4, §3.6, §5.2). Users match on
 * these strings, so they are copied letter for letter; the HTTP status that goes with each is noted.
 */

/** `details` of an egress that ended because the track was unpublished, the publisher left or the room closed (COMPLETE). */
export const END_REASON_SOURCE_CLOSED = 'End reason: Source closed';
/** `details` of an egress ended by the StopEgress API after it became ACTIVE (ENDING → COMPLETE). */
export const END_REASON_STOP_EGRESS = 'End reason: StopEgress API';
/** `error` of an egress stopped before its first packet (ABORTED, 412). */
export const STOP_BEFORE_START = 'Stop called before pipeline could start';
/** `error` that replaces the above when the stop came while still waiting for the first packet (ABORTED, 412). */
export const START_SIGNAL_NOT_RECEIVED = 'Start signal not received';
/** `details` of jobs ended by `EgressService.close()` (LiveKit's text when its worker is stopped: SIGTERM). */
export const END_REASON_SHUTDOWN = 'End reason: Process killed';
/** `error` of LIMIT_REACHED (413). */
export const SESSION_LIMIT_REACHED = 'Session limit reached';
/** `error` of a limit hit before the first packet (ABORTED, 412). */
export const SESSION_LIMIT_BEFORE_START = 'Session limit reached before start signal';
/** `error` when the finished file never got its end of stream (FAILED, 500). */
export const PIPELINE_FROZEN = 'pipeline frozen';
/** `error` when the room connection is lost for good (FAILED, 503). */
export const ROOM_CONNECTION_FAILED = 'recording ended early: connection to room failed';
/** Sync error when the service is closing (Twirp `unavailable`). */
export const SHUTTING_DOWN = 'server is shutting down';
/** Sync error of a duplicate egress id (Twirp `already_exists`). */
export const EGRESS_ALREADY_EXISTS = 'egress already exists';
/** Error of StopEgress/ListEgress for an unknown id (Twirp `not_found`). */
export const EGRESS_NOT_FOUND = 'egress not found';

/** `track <id> not found`: the track was not published within the track timeout (FAILED, 404). */
export const trackNotFound = (trackId: string): string => `track ${trackId} not found`;
/** `<mime> is not yet supported`: a codec the core cannot write, e.g. `video/AV1` (FAILED, 400). */
export const notYetSupported = (mimeType: string): string => `${mimeType} is not yet supported`;
/** `format <format> incompatible with codec <mime>`, e.g. a video track with WebSocket output (FAILED, 400). */
export const incompatibleFormat = (format: string, mimeType: string): string => `format ${format} incompatible with codec ${mimeType}`;
/** `request has missing or invalid field: <field>` (Twirp `invalid_argument`), e.g. `track_id`, `output`. */
export const missingField = (field: string): string => `request has missing or invalid field: ${field}`;
/**
 * `invalid url <url>: <reason>` (Twirp `invalid_argument`). Pass a redacted URL (`redactUrl`):
 * LiveKit prints the raw one, query tokens included.
 */
export const invalidUrl = (redactedUrl: string, reason: string): string => `invalid url ${redactedUrl}: ${reason}`;
/** `<S3|GCP|Azure|AliOSS|Local> upload failed: <cause>` (FAILED, 400). */
export const uploadFailed = (storage: string, cause: string): string => `${storage} upload failed: ${cause}`;
/**
 * `egress with status <STATUS> cannot be stopped` (Twirp `failed_precondition`); `statusName` is the
 * proto enum name, e.g. `EGRESS_COMPLETE` (see `egressStatusName` in egress-info.ts).
 */
export const cannotBeStopped = (statusName: string): string => `egress with status ${statusName} cannot be stopped`;

/**
 * The end of `details` of a WebSocket egress whose receiver did not read fast enough (ours; LiveKit
 * drops silently): `<n> PCM messages (<seconds> s) dropped: receiver too slow`.
 * @param count binary messages dropped; @param frameDurationMs duration of one message, ms.
 * @example pcmFramesDropped(150, 10) // → '150 PCM messages (1.5 s) dropped: receiver too slow'
 */
export const pcmFramesDropped = (count: number, frameDurationMs: number): string =>
  `${count} PCM messages (${Number(((count * frameDurationMs) / 1000).toFixed(3))} s) dropped: receiver too slow`;

/**
 * The reason of the Close frame (code 1000) a WebSocket output sends at its end (ours: LiveKit
 * sends an empty Close). Short ASCII (a Close reason holds at most 123 bytes).
 */
export const WEBSOCKET_CLOSE_REASONS = {
  unpublished: 'track unpublished',
  participantLeft: 'participant left',
  roomClosed: 'room closed',
  roomConnectionLost: 'room connection lost',
  stopped: 'egress stopped',
  limit: 'session limit reached',
  shutdown: 'service shutting down',
} as const;
