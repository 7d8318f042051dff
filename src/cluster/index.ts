/**
 * psrpc over Redis — the protocol layer a LiveKit cluster uses to hand egress requests to workers
 * (see docs/cluster.md). Internal to track-egress for now; the worker builds on it.
 */
export { claimRequestChannel, claimResponseChannel, formatChannel, handlerKey, requestChannel, responseChannel, sanitizeChannelPart } from './channels.js';
export { DEFAULT_CLIENT_TIMEOUT_MS, PsrpcClient, type MultiResult, type PsrpcClientOptions, type RequestOptions } from './client.js';
export { decodeEnvelope, encodeEnvelope, TYPE_URL_PREFIX, typeUrlOf, type DecodedEnvelope } from './envelope.js';
export { PsrpcCode, PsrpcError, type PsrpcCodeValue } from './errors.js';
export { newClientId, newRequestId, newServerId } from './ids.js';
export { QUEUE_LOCK_EXPIRY_SECONDS, queueLockKey, RedisBus, type BusSubscription, type RedisBusOptions } from './redis-bus.js';
export { defaultSelection, ServerSelection, type SelectionOptions } from './select-server.js';
export { PsrpcServer, type AffinityFunc, type Handler, type HandlerContext, type PsrpcServerOptions, type RegisterOptions } from './server.js';
export { EgressHandler, EgressInternal, IOInfo, type MethodSpec } from './services.js';
export { ListActiveEgressRequest, ListActiveEgressResponse, StartEgressRequest } from './gen/rpc/egress_pb.js';
export { UPSTREAM_VERSIONS } from './gen/versions.js';
export { PROBE_ROOM, probeLiveKitServer } from './probe.js';
