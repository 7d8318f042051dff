/**
 * The psrpc methods track-egress serves or calls, with the flags LiveKit's generated code
 * registers them with (`sd.RegisterMethod(name, affinityEnabled, multi, requireClaim, queue)`,
 * `psrpc@v0.7.2: pkg/info/info.go:28-35`) and their request/response messages.
 * Source: `protocol@v1.50.5-0.20260728075222-28e604c046c6: rpc/egress.psrpc.go:113-121,275-284`
 * and `rpc/io.psrpc.go:117-125` (the versions livekit-server v1.13.5 is built with).
 */
import { Empty, type Message, type MessageType } from '@bufbuild/protobuf';
import { EgressInfo, ListEgressRequest, ListEgressResponse, StopEgressRequest, UpdateStreamRequest } from '@livekit/protocol';

import { ListActiveEgressRequest, ListActiveEgressResponse, StartEgressRequest } from './gen/rpc/egress_pb.js';

/** One psrpc method: where it lives, how it is routed, what it carries. */
export interface MethodSpec<Req extends Message<Req> = any, Res extends Message<Res> = any> {
  /** psrpc service name (the proto service), e.g. `EgressInternal`. */
  readonly service: string;
  /** Method name, e.g. `StartEgress`. */
  readonly method: string;
  readonly requestType: MessageType<Req>;
  readonly responseType: MessageType<Res>;
  /** Servers compute an affinity and clients wait for the best claim (`affinity_func` option). */
  readonly affinityEnabled: boolean;
  /** Every server answers; no claim (`multi` option). */
  readonly multi: boolean;
  /** A server must be chosen by the client before it runs the handler. */
  readonly requireClaim: boolean;
  /** Only one subscriber per process group gets each request (Redis `SET NX` lock). */
  readonly queue: boolean;
}

const spec = <Req extends Message<Req>, Res extends Message<Res>>(
  service: string,
  method: string,
  requestType: MessageType<Req>,
  responseType: MessageType<Res>,
  [affinityEnabled, multi, requireClaim, queue]: [boolean, boolean, boolean, boolean],
): MethodSpec<Req, Res> => ({ service, method, requestType, responseType, affinityEnabled, multi, requireClaim, queue });

/** `rpc.EgressInternal` (`egress.psrpc.go:120-121`): served by egress workers. */
export const EgressInternal = {
  /** Topic = cluster id; livekit-server always calls topic `""`. `rpc.StartEgressRequest` → EgressInfo. */
  StartEgress: spec('EgressInternal', 'StartEgress', StartEgressRequest, EgressInfo, [true, false, true, false]),
  /** Multi: every worker answers with its egress ids. */
  ListActiveEgress: spec('EgressInternal', 'ListActiveEgress', ListActiveEgressRequest, ListActiveEgressResponse, [
    false,
    true,
    false,
    false,
  ]),
} as const;

/** `rpc.EgressHandler` (`egress.psrpc.go:282-284`): registered by a worker per egress (topic = egress id). */
export const EgressHandler = {
  StopEgress: spec('EgressHandler', 'StopEgress', StopEgressRequest, EgressInfo, [false, false, true, true]),
  UpdateStream: spec('EgressHandler', 'UpdateStream', UpdateStreamRequest, EgressInfo, [false, false, true, true]),
} as const;

/** `rpc.IOInfo` (`io.psrpc.go:121-124`): served by livekit-server nodes, no topic. */
export const IOInfo = {
  /** Stores a new egress (ignored when it exists) and sends `egress_started`. EgressInfo → Empty. */
  CreateEgress: spec('IOInfo', 'CreateEgress', EgressInfo, Empty, [false, false, true, true]),
  /** Stores an update and sends `egress_updated` / `egress_ended`. EgressInfo → Empty. */
  UpdateEgress: spec('IOInfo', 'UpdateEgress', EgressInfo, Empty, [false, false, true, true]),
  /** Reads the server's egress store (by id, or by room, optionally active only). No side effects. */
  ListEgress: spec('IOInfo', 'ListEgress', ListEgressRequest, ListEgressResponse, [false, false, true, true]),
} as const;
