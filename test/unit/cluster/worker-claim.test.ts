// The StartEgress claim rule (src/cluster/worker/start-egress.ts) and the EgressError → psrpc code
// mapping (error-codes.ts), written from the contract's table (LiveKit egress: 0.5 idle, 1 busy,
// −1 refuse; only track requests).
import { DirectFileOutput, ParticipantEgressRequest, RoomCompositeEgressRequest, TrackEgressRequest, WebEgressRequest } from '@livekit/protocol';
import { describe, expect, it } from 'vitest';

import { PsrpcError } from '../../../src/cluster/errors.js';
import { StartEgressRequest } from '../../../src/cluster/gen/rpc/egress_pb.js';
import { toPsrpcError } from '../../../src/cluster/worker/error-codes.js';
import { refusal, startEgressAffinity, type ClaimState } from '../../../src/cluster/worker/start-egress.js';
import { EgressError } from '../../../src/egress/egress-error.js';

const track = new StartEgressRequest({
  egressId: 'EG_a',
  request: { case: 'track', value: new TrackEgressRequest({ roomName: 'r', trackId: 'TR_x', output: { case: 'file', value: new DirectFileOutput({ filepath: 'x' }) } }) },
});
const ok: ClaimState = { draining: false, healthy: true, canAccept: true, known: false, running: 0 };

describe('StartEgress affinity', () => {
  it('track request: 0.5 when idle, 1 when busy', () => {
    expect(startEgressAffinity(track, ok)).toBe(0.5);
    expect(startEgressAffinity(track, { ...ok, running: 3 })).toBe(1);
    expect(refusal(track, ok)).toBeUndefined();
  });

  it.each([
    ['room composite', new StartEgressRequest({ egressId: 'EG_b', request: { case: 'roomComposite', value: new RoomCompositeEgressRequest({ roomName: 'r' }) } })],
    ['web', new StartEgressRequest({ egressId: 'EG_c', request: { case: 'web', value: new WebEgressRequest({ url: 'https://x' }) } })],
    ['participant', new StartEgressRequest({ egressId: 'EG_d', request: { case: 'participant', value: new ParticipantEgressRequest({ roomName: 'r', identity: 'i' }) } })],
    ['empty', new StartEgressRequest({ egressId: 'EG_e' })],
  ])('%s request: −1, unimplemented', (_name, req) => {
    expect(startEgressAffinity(req, ok)).toBe(-1);
    expect(refusal(req, ok)?.code).toBe('unimplemented');
  });

  it.each([
    [{ known: true }, 'already_exists'],
    [{ draining: true }, 'unavailable'],
    [{ healthy: false }, 'unavailable'],
    [{ canAccept: false }, 'resource_exhausted'],
    [{ known: true, draining: true, canAccept: false }, 'already_exists'],
  ] as [Partial<ClaimState>, string][])('%j: −1, %s', (change, code) => {
    expect(startEgressAffinity(track, { ...ok, running: 2, ...change })).toBe(-1);
    expect(refusal(track, { ...ok, ...change })?.code).toBe(code);
  });
});

describe('toPsrpcError', () => {
  it.each([
    ['invalid_argument', 'invalid_argument'],
    ['malformed', 'malformed_request'],
    ['not_found', 'not_found'],
    ['bad_route', 'not_found'],
    ['already_exists', 'already_exists'],
    ['failed_precondition', 'failed_precondition'],
    ['resource_exhausted', 'resource_exhausted'],
    ['unimplemented', 'unimplemented'],
    ['unavailable', 'unavailable'],
    ['internal', 'internal'],
    ['permission_denied', 'permission_denied'],
    ['unauthenticated', 'unauthenticated'],
  ] as const)('EgressError %s → psrpc %s, same message', (twirp, psrpc) => {
    const e = toPsrpcError(new EgressError(twirp, `msg ${twirp}`));
    expect(e).toBeInstanceOf(PsrpcError);
    expect(e.code).toBe(psrpc);
    expect(e.message).toBe(`msg ${twirp}`);
  });

  it('a PsrpcError passes as is; anything else is internal', () => {
    const p = new PsrpcError('aborted', 'x');
    expect(toPsrpcError(p)).toBe(p);
    expect(toPsrpcError(new Error('boom'))).toMatchObject({ code: 'internal', message: 'boom' });
    expect(toPsrpcError('text')).toMatchObject({ code: 'internal', message: 'text' });
  });
});
