/**
 * The `livekit.Egress` Twirp service (`protobufs/livekit_egress.proto`) mapped onto an
 * {@link EgressServiceLike}: StartTrackEgress, StopEgress and ListEgress; the other methods of the
 * service exist but answer `unimplemented` (this server records single tracks only).
 */
import { ListEgressRequest, ListEgressResponse, StopEgressRequest, TrackEgressRequest } from '@livekit/protocol';

import type { EgressServiceLike } from '../egress/service-types.js';
import type { DecodableType, EncodableMessage } from './twirp.js';

/** The Twirp service name the SDK's EgressClient calls. */
export const EGRESS_SERVICE = 'livekit.Egress';

/** One implemented RPC: how to decode its input and what to call. */
export type EgressRpc = {
  input: DecodableType<unknown>;
  call(service: EgressServiceLike, input: unknown): Promise<EncodableMessage>;
};

function rpc<T>(input: DecodableType<T>, call: (service: EgressServiceLike, input: T) => Promise<EncodableMessage>): EgressRpc {
  return { input, call: (service, value) => call(service, value as T) };
}

/** Implemented methods of `livekit.Egress`, by method name. */
export const EGRESS_RPCS: ReadonlyMap<string, EgressRpc> = new Map([
  ['StartTrackEgress', rpc(TrackEgressRequest, (service, req) => service.startTrackEgress(req))],
  ['StopEgress', rpc(StopEgressRequest, (service, req) => service.stopEgress(req.egressId))],
  [
    'ListEgress',
    rpc(ListEgressRequest, async (service, req) => {
      const items = await service.listEgress({
        roomName: req.roomName || undefined,
        egressId: req.egressId || undefined,
        active: req.active || undefined,
      });
      return new ListEgressResponse({ items });
    }),
  ],
]);

/** Methods of `livekit.Egress` this server knows but does not implement (→ `unimplemented`). */
export const UNIMPLEMENTED_EGRESS_METHODS: ReadonlySet<string> = new Set([
  'StartEgress',
  'UpdateLayout',
  'UpdateStream',
  'StartRoomCompositeEgress',
  'StartWebEgress',
  'StartParticipantEgress',
  'StartTrackCompositeEgress',
]);
