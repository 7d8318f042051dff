/**
 * The `EgressInfo` of a track egress, filled and moved through its statuses exactly as LiveKit's
 * egress does (reference livekit-track-egress.md §5.1, §5.2): STARTING → ACTIVE → ENDING →
 * COMPLETE, or FAILED / ABORTED / LIMIT_REACHED with LiveKit's `error`, `error_code` and `details`.
 * Timestamps are Unix nanoseconds (bigint). The `mark*` functions change `info` in place (and
 * return it); clone it (`info.clone()`) before handing a snapshot to listeners.
 */
import { EgressInfo, EgressSourceType, EgressStatus, type FileInfo, type StreamInfo, StreamInfoList, type TrackEgressRequest } from '@livekit/protocol';

import { EgressError } from './egress-error.js';
import { SESSION_LIMIT_REACHED } from './end-reasons.js';
import { redactTrackRequest } from './redact.js';

/** `error_code` of LIMIT_REACHED (HTTP 413; not a Twirp code). */
export const LIMIT_REACHED_ERROR_CODE = 413;
/** `error_code` of ABORTED (FailedPrecondition → 412). */
export const ABORTED_ERROR_CODE = 412;

/**
 * The wall clock as Unix nanoseconds, millisecond resolution (`Date.now()`: follows clock
 * adjustments, unlike `performance.now()` which drifts from the wall clock over days).
 */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** Microseconds (a packet's arrival, a duration) as the nanoseconds of EgressInfo's timestamps and durations. */
export function nsOfUs(us: number): bigint {
  return BigInt(Math.round(us)) * 1000n;
}

/** The proto name of a status, as LiveKit prints it: `EGRESS_COMPLETE`. */
export function egressStatusName(status: EgressStatus): string {
  return EgressStatus[status] ?? String(status);
}

/** Whether ListEgress counts the status as active (LiveKit: status < COMPLETE). */
export function isActiveStatus(status: EgressStatus): boolean {
  return status < EgressStatus.EGRESS_COMPLETE;
}

/**
 * A new EgressInfo in STARTING, as LiveKit's worker creates it: `source_type` SDK,
 * `started_at` = `updated_at` = `now` (when the request was accepted, not the first packet), and
 * `request.track` = the request with every secret redacted (`redactTrackRequest`).
 * @param p.now Unix ns; default {@link nowNs}.
 */
export function newEgressInfo(p: { egressId: string; roomName: string; roomId?: string; request: TrackEgressRequest; now?: bigint }): EgressInfo {
  const now = p.now ?? nowNs();
  return new EgressInfo({
    egressId: p.egressId,
    roomId: p.roomId ?? '',
    roomName: p.roomName,
    sourceType: EgressSourceType.SDK,
    status: EgressStatus.EGRESS_STARTING,
    startedAt: now,
    updatedAt: now,
    request: { case: 'track', value: redactTrackRequest(p.request) },
  });
}

const TERMINAL = [EgressStatus.EGRESS_COMPLETE, EgressStatus.EGRESS_FAILED, EgressStatus.EGRESS_ABORTED, EgressStatus.EGRESS_LIMIT_REACHED];

/** Moves `info` to `to` if its status is one of `from`, else throws; stamps updated_at (and ended_at when terminal). */
function transition(info: EgressInfo, from: readonly EgressStatus[], to: EgressStatus, now: bigint | undefined): EgressInfo {
  if (!from.includes(info.status)) {
    throw new EgressError('failed_precondition', `egress ${info.egressId}: illegal status change ${egressStatusName(info.status)} → ${egressStatusName(to)}`);
  }
  const t = now ?? nowNs();
  info.status = to;
  info.updatedAt = t;
  if (TERMINAL.includes(to)) info.endedAt = t;
  return info;
}

/** STARTING → ACTIVE: the first packet is written. */
export function markActive(info: EgressInfo, now?: bigint): EgressInfo {
  return transition(info, [EgressStatus.EGRESS_STARTING], EgressStatus.EGRESS_ACTIVE, now);
}

/** ACTIVE → ENDING: end of stream requested (`details`, e.g. `END_REASON_STOP_EGRESS`, `END_REASON_SOURCE_CLOSED`). */
export function markEnding(info: EgressInfo, details: string, now?: bigint): EgressInfo {
  transition(info, [EgressStatus.EGRESS_ACTIVE], EgressStatus.EGRESS_ENDING, now);
  if (details !== '') info.details = details;
  return info;
}

/** ACTIVE | ENDING → COMPLETE; `details` replaces the current details unless empty. Sets ended_at. */
export function markComplete(info: EgressInfo, details: string, now?: bigint): EgressInfo {
  transition(info, [EgressStatus.EGRESS_ACTIVE, EgressStatus.EGRESS_ENDING], EgressStatus.EGRESS_COMPLETE, now);
  if (details !== '') info.details = details;
  return info;
}

/**
 * STARTING | ACTIVE | ENDING | LIMIT_REACHED → FAILED with `error` = `err.message` and
 * `error_code` = `err.httpStatus` (LIMIT_REACHED too, as LiveKit records a failure to finalize the
 * file after the limit). The message must already be free of secrets (`scrubSecrets`). Sets ended_at.
 */
export function markFailed(info: EgressInfo, err: EgressError, now?: bigint): EgressInfo {
  const from = [EgressStatus.EGRESS_STARTING, EgressStatus.EGRESS_ACTIVE, EgressStatus.EGRESS_ENDING, EgressStatus.EGRESS_LIMIT_REACHED];
  transition(info, from, EgressStatus.EGRESS_FAILED, now);
  info.error = err.message;
  info.errorCode = err.httpStatus;
  return info;
}

/**
 * STARTING → ABORTED, `error_code` 412, with LiveKit's text: `STOP_BEFORE_START`,
 * `START_SIGNAL_NOT_RECEIVED` (the stop came while waiting for the first packet, LiveKit's final
 * text) or `SESSION_LIMIT_BEFORE_START`. Sets ended_at.
 */
export function markAborted(info: EgressInfo, error: string, now?: bigint): EgressInfo {
  transition(info, [EgressStatus.EGRESS_STARTING], EgressStatus.EGRESS_ABORTED, now);
  info.error = error;
  info.errorCode = ABORTED_ERROR_CODE;
  return info;
}

/**
 * ACTIVE → LIMIT_REACHED, `error` `Session limit reached`, `error_code` 413. Terminal (sets
 * ended_at; webhook `egress_ended`): call it once the file is finalized, as LiveKit reports it
 * only at the end. A limit before the first packet is `markAborted(info, SESSION_LIMIT_BEFORE_START)`.
 */
export function markLimitReached(info: EgressInfo, now?: bigint): EgressInfo {
  transition(info, [EgressStatus.EGRESS_ACTIVE], EgressStatus.EGRESS_LIMIT_REACHED, now);
  info.error = SESSION_LIMIT_REACHED;
  info.errorCode = LIMIT_REACHED_ERROR_CODE;
  return info;
}

/**
 * Sets the file result as LiveKit does: `file_results = [file]` and the deprecated
 * `result.file` = the same FileInfo. `file.location` must hold no secret.
 */
export function setFileResult(info: EgressInfo, file: FileInfo): EgressInfo {
  info.fileResults = [file];
  info.result = { case: 'file', value: file };
  return info;
}

/**
 * Sets the stream result of a WebSocket output as LiveKit does: `stream_results = [stream]` and the
 * deprecated `result.stream` = a StreamInfoList holding the same StreamInfo (changes to `stream`
 * show in both). `stream.url` must be redacted (`redactUrl`); LiveKit stores the raw URL there.
 */
export function setStreamResult(info: EgressInfo, stream: StreamInfo): EgressInfo {
  info.streamResults = [stream];
  info.result = { case: 'stream', value: new StreamInfoList({ info: [stream] }) };
  return info;
}
