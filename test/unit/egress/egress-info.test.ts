import { DirectFileOutput, EgressInfo, EgressStatus, FileInfo, S3Upload, TrackEgressRequest } from '@livekit/protocol';
import { describe, expect, it } from 'vitest';

import { EgressError } from '../../../src/egress/egress-error.js';
import {
  markAborted,
  markActive,
  markComplete,
  markEnding,
  markFailed,
  markLimitReached,
  newEgressInfo,
  nowNs,
  setFileResult,
} from '../../../src/egress/egress-info.js';
import { END_REASON_STOP_EGRESS, STOP_BEFORE_START, trackNotFound } from '../../../src/egress/end-reasons.js';

const T0 = 1_787_000_000_123_456_789n; // ns, > 2^53: must survive JSON exactly
const request = new TrackEgressRequest({
  roomName: 'my-room',
  trackId: 'TR_AMx',
  output: { case: 'file', value: new DirectFileOutput({ filepath: 'a/{track_id}', output: { case: 's3', value: new S3Upload({ accessKey: 'AK-0001', secret: 'SK-0002', bucket: 'b' }) } }) },
});
const fresh = (): EgressInfo => newEgressInfo({ egressId: 'EG_23456789ABCD', roomName: 'my-room', roomId: 'RM_x', request, now: T0 });

/** An info in `status`, reached through legal steps. */
function infoIn(status: EgressStatus): EgressInfo {
  const info = fresh();
  const steps: Record<EgressStatus, (i: EgressInfo) => void> = {
    [EgressStatus.EGRESS_STARTING]: () => {},
    [EgressStatus.EGRESS_ACTIVE]: (i) => markActive(i, T0 + 1n),
    [EgressStatus.EGRESS_ENDING]: (i) => markEnding(markActive(i, T0 + 1n), END_REASON_STOP_EGRESS, T0 + 2n),
    [EgressStatus.EGRESS_COMPLETE]: (i) => markComplete(markActive(i, T0 + 1n), '', T0 + 2n),
    [EgressStatus.EGRESS_FAILED]: (i) => markFailed(i, new EgressError('internal', 'x'), T0 + 2n),
    [EgressStatus.EGRESS_ABORTED]: (i) => markAborted(i, STOP_BEFORE_START, T0 + 2n),
    [EgressStatus.EGRESS_LIMIT_REACHED]: (i) => markLimitReached(markActive(i, T0 + 1n), T0 + 2n),
  };
  steps[status](info);
  expect(info.status).toBe(status);
  return info;
}

const ALL = [
  EgressStatus.EGRESS_STARTING,
  EgressStatus.EGRESS_ACTIVE,
  EgressStatus.EGRESS_ENDING,
  EgressStatus.EGRESS_COMPLETE,
  EgressStatus.EGRESS_FAILED,
  EgressStatus.EGRESS_ABORTED,
  EgressStatus.EGRESS_LIMIT_REACHED,
];
const S = EgressStatus;
// Legal source statuses of each transition (reference §5.2 / §3.6), written from the spec.
const TRANSITIONS: [string, (i: EgressInfo, now: bigint) => EgressInfo, EgressStatus[], EgressStatus][] = [
  ['markActive', (i, n) => markActive(i, n), [S.EGRESS_STARTING], S.EGRESS_ACTIVE],
  ['markEnding', (i, n) => markEnding(i, END_REASON_STOP_EGRESS, n), [S.EGRESS_ACTIVE], S.EGRESS_ENDING],
  ['markComplete', (i, n) => markComplete(i, 'End reason: Source closed', n), [S.EGRESS_ACTIVE, S.EGRESS_ENDING], S.EGRESS_COMPLETE],
  ['markFailed', (i, n) => markFailed(i, new EgressError('not_found', 'track TR_AMx not found'), n), [S.EGRESS_STARTING, S.EGRESS_ACTIVE, S.EGRESS_ENDING, S.EGRESS_LIMIT_REACHED], S.EGRESS_FAILED],
  ['markAborted', (i, n) => markAborted(i, 'Stop called before pipeline could start', n), [S.EGRESS_STARTING], S.EGRESS_ABORTED],
  ['markLimitReached', (i, n) => markLimitReached(i, n), [S.EGRESS_ACTIVE], S.EGRESS_LIMIT_REACHED],
];

describe('newEgressInfo', () => {
  it('is STARTING, source type SDK, started_at = updated_at = now, request.track redacted', () => {
    const info = fresh();
    expect(info.status).toBe(EgressStatus.EGRESS_STARTING);
    expect(info.startedAt).toBe(T0);
    expect(info.updatedAt).toBe(T0);
    expect(info.endedAt).toBe(0n);
    const json = info.toJson() as Record<string, unknown>;
    expect(json).toMatchObject({
      egressId: 'EG_23456789ABCD',
      roomId: 'RM_x',
      roomName: 'my-room',
      sourceType: 'EGRESS_SOURCE_TYPE_SDK',
      startedAt: '1787000000123456789',
      updatedAt: '1787000000123456789',
      track: { roomName: 'my-room', trackId: 'TR_AMx', file: { filepath: 'a/{track_id}', s3: { accessKey: '{access_key}', secret: '{secret}', bucket: 'b' } } },
    });
    expect(json.status).toBeUndefined(); // STARTING = 0 is proto3's default: omitted by toJson()
    expect(info.toJsonString()).not.toMatch(/AK-0001|SK-0002/);
  });
  it('round-trips through JSON and binary with int64 exact', () => {
    const info = markActive(fresh(), T0 + 5n);
    expect(EgressInfo.fromJson(info.toJson(), { ignoreUnknownFields: true }).equals(info)).toBe(true);
    expect(EgressInfo.fromBinary(info.toBinary()).updatedAt).toBe(T0 + 5n);
    expect((info.toJson() as Record<string, unknown>).status).toBe('EGRESS_ACTIVE');
  });
  it('defaults now to the wall clock in ns', () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const info = newEgressInfo({ egressId: 'EG_23456789ABCD', roomName: 'r', request });
    const after = BigInt(Date.now() + 1) * 1_000_000n;
    expect(info.startedAt >= before - 1_000_000n && info.startedAt <= after).toBe(true);
    expect(nowNs() >= info.startedAt).toBe(true);
    expect(info.roomId).toBe('');
  });
});

describe('status transitions', () => {
  for (const [name, fn, from, to] of TRANSITIONS) {
    for (const status of ALL) {
      const legal = from.includes(status);
      it(`${name} from ${EgressStatus[status]}: ${legal ? `→ ${EgressStatus[to]}` : 'refused'}`, () => {
        const info = infoIn(status);
        const before = info.clone();
        if (legal) {
          fn(info, T0 + 10n);
          expect(info.status).toBe(to);
          expect(info.updatedAt).toBe(T0 + 10n);
          const terminal = [S.EGRESS_COMPLETE, S.EGRESS_FAILED, S.EGRESS_ABORTED, S.EGRESS_LIMIT_REACHED].includes(to);
          expect(info.endedAt).toBe(terminal ? T0 + 10n : 0n);
          expect(info.startedAt).toBe(T0);
        } else {
          let err: unknown;
          try {
            fn(info, T0 + 10n);
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(EgressError);
          expect((err as EgressError).twirpCode).toBe('failed_precondition');
          expect((err as EgressError).httpStatus).toBe(412);
          expect(info.equals(before)).toBe(true); // unchanged
        }
      });
    }
  }
});

describe('error, error_code and details (LiveKit texts and codes)', () => {
  it('StopEgress on ACTIVE: ENDING then COMPLETE with details "End reason: StopEgress API"', () => {
    const info = markEnding(markActive(fresh(), T0 + 1n), 'End reason: StopEgress API', T0 + 2n);
    expect(info.details).toBe('End reason: StopEgress API');
    markComplete(info, '', T0 + 3n);
    expect(info.details).toBe('End reason: StopEgress API');
    expect(info.error).toBe('');
    expect(info.errorCode).toBe(0);
  });
  it('unknown track: FAILED, error "track TR_AMx not found", error_code 404', () => {
    const info = markFailed(fresh(), new EgressError('not_found', trackNotFound('TR_AMx')), T0 + 1n);
    expect(info.toJson()).toMatchObject({ status: 'EGRESS_FAILED', error: 'track TR_AMx not found', errorCode: 404, endedAt: String(T0 + 1n) });
  });
  it('unsupported codec: FAILED 400 "video/AV1 is not yet supported"', () => {
    const info = markFailed(fresh(), new EgressError('invalid_argument', 'video/AV1 is not yet supported'));
    expect([info.error, info.errorCode]).toEqual(['video/AV1 is not yet supported', 400]);
  });
  it('stop before the first packet: ABORTED 412', () => {
    const info = markAborted(fresh(), 'Start signal not received', T0 + 1n);
    expect([info.status, info.error, info.errorCode]).toEqual([S.EGRESS_ABORTED, 'Start signal not received', 412]);
  });
  it('session limit: LIMIT_REACHED 413 "Session limit reached"; a later finalize failure becomes FAILED', () => {
    const info = markLimitReached(markActive(fresh(), T0 + 1n), T0 + 2n);
    expect([info.error, info.errorCode]).toEqual(['Session limit reached', 413]);
    markFailed(info, new EgressError('invalid_argument', 'S3 upload failed: x'), T0 + 3n);
    expect([info.status, info.error, info.errorCode, info.endedAt]).toEqual([S.EGRESS_FAILED, 'S3 upload failed: x', 400, T0 + 3n]);
  });
  it('setFileResult fills file_results and the deprecated result.file, int64 as strings', () => {
    const file = new FileInfo({ filename: 'a/TR_AMx.ogg', startedAt: T0 + 1n, endedAt: T0 + 2_000_000_001n, duration: 2_000_000_000n, size: 12345n, location: '/rec/a/TR_AMx.ogg' });
    const info = setFileResult(markActive(fresh(), T0), file);
    const json = info.toJson() as Record<string, unknown>;
    const expected = { filename: 'a/TR_AMx.ogg', startedAt: String(T0 + 1n), endedAt: String(T0 + 2_000_000_001n), duration: '2000000000', size: '12345', location: '/rec/a/TR_AMx.ogg' };
    expect(json.fileResults).toEqual([expected]);
    expect(json.file).toEqual(expected);
  });
});
