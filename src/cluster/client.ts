/**
 * A psrpc client on the {@link RedisBus}, as psrpc's Go client calls (`psrpc@v0.7.2:
 * pkg/client/client.go`, `rpc.go`, `multi.go`):
 *
 * - Before its first request to a service it subscribes that service's `<Service>|<clientID>|RES`
 *   and `|CLAIM` channels (`client.go:53-67`).
 * - Unary ({@link PsrpcClient.request}, `rpc.go:76-163`): publishes an `internal.Request{request_id,
 *   client_id, sent_at, expiry = sent_at + timeout, raw_request}` on the request channel; for
 *   claim methods it picks a server from the claims ({@link ServerSelection}) and publishes
 *   `ClaimResponse{request_id, server_id}` on the claim-response channel; then waits for the
 *   `Response`. Errors: the server's code and text; no claim → `unavailable`; no response in time
 *   → `deadline_exceeded` "request timed out".
 * - Multi ({@link PsrpcClient.requestMulti}, `multi.go`): `multi = true`, every server answers;
 *   responses are collected until the timeout.
 */
import type { Message } from '@bufbuild/protobuf';

import { claimRequestChannel, claimResponseChannel, requestChannel, responseChannel } from './channels.js';
import { msToNs, nowNs } from './clock.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';
import { clientClosed, PsrpcCode, PsrpcError, requestCanceled, requestTimedOut } from './errors.js';
import { ClaimRequest, ClaimResponse, Request, Response } from './gen/internal_pb.js';
import { newClientId, newRequestId } from './ids.js';
import type { BusSubscription, RedisBus } from './redis-bus.js';
import { defaultSelection, DEFAULT_AFFINITY_TIMEOUT_MS, ServerSelection, type SelectionOptions } from './select-server.js';
import { topicParts } from './server.js';
import type { MethodSpec } from './services.js';

/** `DefaultClientTimeout` (`psrpc@v0.7.2: client.go:25`), ms. */
export const DEFAULT_CLIENT_TIMEOUT_MS = 3000;

export interface PsrpcClientOptions {
  /** This client's id (`CLI_` + 12 random by default). */
  clientId?: string;
  /** Default request timeout, ms (`WithClientTimeout`). Default 3000. */
  timeoutMs?: number;
  /** Default selection window of claim methods, ms (`WithClientSelectTimeout`). Default 1000. */
  selectionTimeoutMs?: number;
}

export interface RequestOptions {
  /** This request's timeout, ms (`WithRequestTimeout`). Default: the client's. */
  timeoutMs?: number;
  /** Replaces the whole default selection (`WithSelectionOpts`), like psrpc. */
  selection?: SelectionOptions;
  /** psrpc metadata sent in `Request.metadata`. */
  metadata?: Record<string, string>;
  /** Cancels the wait: rejects with `canceled` "request canceled". */
  signal?: AbortSignal;
}

/** One server's answer to a multi request. */
export type MultiResult<Res> =
  | { serverId: string; result: Res; error?: undefined }
  | { serverId: string; result?: undefined; error: PsrpcError };

interface Pending {
  onClaim?: (claim: ClaimRequest) => void;
  onResponse: (res: Response) => void;
}

/** A psrpc client; one per process is enough (any number of services and concurrent requests). */
export class PsrpcClient {
  /** The id servers answer to (`CLI_…`). */
  readonly id: string;
  readonly #bus: RedisBus;
  readonly #timeoutMs: number;
  readonly #selectionTimeoutMs: number;
  readonly #services = new Map<string, Promise<BusSubscription[]>>();
  readonly #pending = new Map<string, Pending>();
  #closed = false;

  constructor(bus: RedisBus, opts: PsrpcClientOptions = {}) {
    this.#bus = bus;
    this.id = opts.clientId ?? newClientId();
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_CLIENT_TIMEOUT_MS;
    this.#selectionTimeoutMs = opts.selectionTimeoutMs ?? DEFAULT_AFFINITY_TIMEOUT_MS;
  }

  /**
   * Calls a unary method and resolves with its response.
   * @param topic a string is one topic part; omit for methods without topics.
   * @throws PsrpcError: the server's code and text; `unavailable` when no server claimed it;
   *   `deadline_exceeded` "request timed out"; `canceled` on `signal` or after {@link close};
   *   `malformed_result` for an undecodable response; `internal` if publishing fails.
   */
  async request<Req extends Message<Req>, Res extends Message<Res>>(
    spec: MethodSpec<Req, Res>,
    topic: string | readonly string[] | undefined,
    request: Req,
    opts: RequestOptions = {},
  ): Promise<Res> {
    if (spec.multi) throw new PsrpcError(PsrpcCode.InvalidArgument, `${spec.service}.${spec.method} is a multi method: use requestMulti`);
    const parts = topicParts(topic);
    const timeoutMs = opts.timeoutMs ?? this.#timeoutMs;
    const selection = opts.selection ?? defaultSelection(spec.affinityEnabled, this.#selectionTimeoutMs);
    const requestId = newRequestId();
    const ir = await this.#prepare(spec, request, requestId, timeoutMs, false, opts.metadata);

    let resolveRes!: (res: Response) => void;
    const response = new Promise<Response>((resolve) => (resolveRes = resolve));
    const sel = spec.requireClaim ? new ServerSelection(selection) : undefined;
    sel?.result.catch(() => {}); // observed below; never an unhandled rejection if publishing fails first
    this.#pending.set(requestId, {
      onClaim: sel ? (c) => sel.onClaim(c.serverId, c.affinity) : undefined,
      onResponse: (res) => {
        // Before a server is chosen only errors matter (`rpc.go:224-228`).
        if (sel && res.error !== '') sel.onErrorResponse(PsrpcError.fromResponse(res.code, res.error));
        resolveRes(res);
      },
    });

    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        sel?.close();
        reject(requestTimedOut());
      }, timeoutMs);
      onAbort = () => {
        sel?.close();
        reject(requestCanceled());
      };
      if (opts.signal?.aborted) onAbort();
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
    stop.catch(() => {});
    try {
      await this.#publish(requestChannel(spec.service, spec.method, parts), ir);
      if (sel) {
        const serverId = await Promise.race([sel.result, stop]);
        await this.#publish(claimResponseChannel(spec.service, spec.method, parts), new ClaimResponse({ requestId, serverId }));
      }
      // A response received during selection that was not an error is kept, as Go's buffered channel does.
      const res = await Promise.race([response, stop]);
      if (res.error !== '') throw PsrpcError.fromResponse(res.code, res.error);
      try {
        return spec.responseType.fromBinary(res.rawResponse);
      } catch (err) {
        throw new PsrpcError(PsrpcCode.MalformedResponse, (err as Error).message);
      }
    } finally {
      clearTimeout(timer);
      if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
      this.#pending.delete(requestId);
    }
  }

  /**
   * Calls a multi method (every server answers) and resolves, after the timeout, with every
   * answer received (`multi.go`).
   * @throws PsrpcError `canceled` after {@link close}; `internal` if publishing fails.
   */
  async requestMulti<Req extends Message<Req>, Res extends Message<Res>>(
    spec: MethodSpec<Req, Res>,
    topic: string | readonly string[] | undefined,
    request: Req,
    opts: Omit<RequestOptions, 'selection'> = {},
  ): Promise<MultiResult<Res>[]> {
    const timeoutMs = opts.timeoutMs ?? this.#timeoutMs;
    const requestId = newRequestId();
    const ir = await this.#prepare(spec, request, requestId, timeoutMs, true, opts.metadata);
    const results: MultiResult<Res>[] = [];
    this.#pending.set(requestId, {
      onResponse: (res) => {
        if (res.error !== '') {
          results.push({ serverId: res.serverId, error: PsrpcError.fromResponse(res.code, res.error) });
          return;
        }
        try {
          results.push({ serverId: res.serverId, result: spec.responseType.fromBinary(res.rawResponse) });
        } catch (err) {
          results.push({ serverId: res.serverId, error: new PsrpcError(PsrpcCode.MalformedResponse, (err as Error).message) });
        }
      },
    });
    try {
      await this.#publish(requestChannel(spec.service, spec.method, topicParts(topic)), ir);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        opts.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
      return results;
    } finally {
      this.#pending.delete(requestId);
    }
  }

  /** Unsubscribes; later requests fail with `canceled`, pending ones time out. Idempotent. Does not close the bus. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const subs = await Promise.allSettled([...this.#services.values()]);
    this.#services.clear();
    for (const s of subs) if (s.status === 'fulfilled') await Promise.all(s.value.map((sub) => sub.close()));
  }

  async #prepare<Req extends Message<Req>>(
    spec: MethodSpec<Req, any>,
    request: Req,
    requestId: string,
    timeoutMs: number,
    multi: boolean,
    metadata: Record<string, string> | undefined,
  ): Promise<Request> {
    if (this.#closed) throw clientClosed();
    try {
      await this.#ensureService(spec.service);
    } catch (err) {
      throw new PsrpcError(PsrpcCode.Internal, `subscribing the response channels failed: ${(err as Error).message}`);
    }
    let raw: Uint8Array;
    try {
      raw = request.toBinary();
    } catch (err) {
      throw new PsrpcError(PsrpcCode.MalformedRequest, (err as Error).message);
    }
    const sentAt = nowNs();
    return new Request({
      requestId,
      clientId: this.id,
      sentAt,
      expiry: sentAt + msToNs(timeoutMs),
      multi,
      rawRequest: raw as Uint8Array<ArrayBuffer>, // toBinary() returns a fresh, non-shared buffer
      metadata: { ...(metadata ?? {}) },
    });
  }

  async #publish(channel: string, message: Request | ClaimResponse): Promise<void> {
    try {
      await this.#bus.publish(channel, encodeEnvelope(message));
    } catch (err) {
      throw new PsrpcError(PsrpcCode.Internal, (err as Error).message);
    }
  }

  #ensureService(service: string): Promise<BusSubscription[]> {
    let ready = this.#services.get(service);
    if (!ready) {
      ready = Promise.all([
        this.#bus.subscribe(responseChannel(service, this.id), (p) => {
          const d = decodeEnvelope(p, Response);
          if (d.ok) this.#pending.get(d.message.requestId)?.onResponse(d.message);
        }),
        this.#bus.subscribe(claimRequestChannel(service, this.id), (p) => {
          const d = decodeEnvelope(p, ClaimRequest);
          if (d.ok) this.#pending.get(d.message.requestId)?.onClaim?.(d.message);
        }),
      ]);
      this.#services.set(service, ready);
      ready.catch(() => this.#services.delete(service));
    }
    return ready;
  }
}
