/**
 * The claim rule of `EgressInternal.StartEgress` (LiveKit egress `pkg/server/server_rpc.go`
 * `StartEgressAffinity`, reference livekit-track-egress.md §7-§8), as pure functions of the
 * worker's state, and the same checks as errors for the handler (a claim is not a promise: state
 * may change between the claim and the ClaimResponse).
 */
import { StartEgressRequest } from '../gen/rpc/egress_pb.js';
import { PsrpcCode, PsrpcError } from '../errors.js';

/** Affinity of an idle worker (LiveKit: 0.5; livekit-server waits its 500 ms short circuit for a busier one). */
export const AFFINITY_IDLE = 0.5;
/** Affinity of a worker already running egresses with room for more (LiveKit: 1, taken at once). */
export const AFFINITY_BUSY = 1;
/** No claim. (0 would never be selected by psrpc either; −1 keeps the worker silent.) */
export const AFFINITY_REFUSE = -1;

/** What the worker knows when a StartEgress arrives. */
export type ClaimState = {
  /** SIGTERM received: no new claims. */
  draining: boolean;
  /** The InfoReporter reaches the server (LiveKit: IO unhealthy → refuse). */
  healthy: boolean;
  /** The CapacityMonitor admits one more track egress. */
  canAccept: boolean;
  /** The service knows this egress id (running, ended, or being started): a retry of the server. */
  known: boolean;
  /** Egresses running on this worker now. */
  running: number;
};

/**
 * Why this worker must not take `request`, as the psrpc error its handler answers; `undefined`
 * when it may. Order: not a track request (`unimplemented`), a known id (`already_exists`, what
 * livekit-server's 9 retries with the same id get), draining or IO unhealthy (`unavailable`),
 * over capacity (`resource_exhausted`).
 */
export function refusal(request: StartEgressRequest, s: ClaimState): PsrpcError | undefined {
  if (request.request.case !== 'track') {
    return new PsrpcError(PsrpcCode.Unimplemented, `track-egress serves track egress only, not ${request.request.case ?? 'an empty request'}`);
  }
  if (s.known) return new PsrpcError(PsrpcCode.AlreadyExists, 'egress already exists');
  if (s.draining) return new PsrpcError(PsrpcCode.Unavailable, 'egress worker is shutting down');
  if (!s.healthy) return new PsrpcError(PsrpcCode.Unavailable, 'egress worker cannot reach the livekit-server (IOInfo unhealthy)');
  if (!s.canAccept) return new PsrpcError(PsrpcCode.ResourceExhausted, 'not enough CPU or memory for another egress');
  return undefined;
}

/**
 * The StartEgress claim affinity: {@link AFFINITY_REFUSE} whenever {@link refusal} gives a reason,
 * else {@link AFFINITY_IDLE} with no egress running, {@link AFFINITY_BUSY} otherwise (LiveKit packs
 * egresses onto busy workers).
 */
export function startEgressAffinity(request: StartEgressRequest, s: ClaimState): number {
  if (refusal(request, s)) return AFFINITY_REFUSE;
  return s.running === 0 ? AFFINITY_IDLE : AFFINITY_BUSY;
}
