/**
 * psrpc over Redis — the protocol layer a LiveKit cluster uses to hand egress requests to workers
 * (see docs/cluster.md), and the egress worker on top of it (`worker/`). Internal to track-egress for now.
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
export { EgressWorker, DRAIN_FINISH_MS, DRAIN_FLUSH_MS, SELF_TEST_RETRY_MS, type EgressWorkerOptions } from './worker/egress-worker.js';
export { AFFINITY_BUSY, AFFINITY_IDLE, AFFINITY_REFUSE, refusal, startEgressAffinity, type ClaimState } from './worker/start-egress.js';
export { toPsrpcError } from './worker/error-codes.js';
export { CapacityMonitor, DEFAULT_MAX_CPU_UTILIZATION, DEFAULT_TRACK_CPU_COST, type CapacityOptions } from './worker/capacity.js';
export { InfoReporter, type InfoReporterOptions } from './worker/info-reporter.js';
