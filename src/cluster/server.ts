/**
 * A psrpc server on the {@link RedisBus}: registers handlers for methods (and topics) and answers
 * requests as psrpc's Go server does (`psrpc@v0.7.2: pkg/server/rpc.go`, `pkg/server/server.go`):
 *
 * 1. Subscribes the request channel (as a queue subscriber for `queue` methods) and, for methods
 *    that need a claim, the claim-response channel (`rpc.go:53-99`).
 * 2. Drops a request whose `expiry` has passed (`rpc.go:133`).
 * 3. Decodes `raw_request`; a malformed one is answered `malformed_request` (`rpc.go:172-178`).
 * 4. Claim (`rpc.go:194-246`): affinity = the method's affinity function, or 1 without one; below 0
 *    → no claim, the request is left to others. Otherwise a `ClaimRequest{request_id, server_id,
 *    affinity}` goes to the client's CLAIM channel, and the handler runs only if the
 *    `ClaimResponse` that arrives before `expiry` names this server.
 * 5. The handler's result or error goes back as a `Response` on the client's RES channel
 *    (`rpc.go:248-287`); a thrown {@link PsrpcError} keeps its code, anything else is `unknown`.
 *
 * The handler is told the request's deadline (= `expiry`) through `ctx.signal`, but its answer is
 * sent even after it, as psrpc does.
 */
import type { Message } from '@bufbuild/protobuf';
import type { Logger } from 'pino';

import { claimRequestChannel, claimResponseChannel, handlerKey, requestChannel, responseChannel } from './channels.js';
import { nowNs, nsToMs } from './clock.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';
import { PsrpcCode, PsrpcError, responseError, serverClosed } from './errors.js';
import { ClaimRequest, ClaimResponse, Request, Response } from './gen/internal_pb.js';
import { newServerId } from './ids.js';
import type { BusSubscription, RedisBus } from './redis-bus.js';
import type { MethodSpec } from './services.js';

/** What a handler knows about the request besides its message. */
export interface HandlerContext {
  readonly requestId: string;
  /** The calling psrpc client (`Request.client_id`). */
  readonly clientId: string;
  /** When the client sent it, Unix ms (its clock). */
  readonly sentAtMs: number;
  /** The request's expiry, Unix ms (its clock): the client stops waiting then. */
  readonly deadlineMs: number;
  /** psrpc metadata (`Request.metadata`). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Aborted at the deadline, or when the handler is deregistered / the server force-closed. */
  readonly signal: AbortSignal;
}

/** Serves one method. Throw a {@link PsrpcError} to answer with its code. */
export type Handler<Req, Res> = (request: Req, ctx: HandlerContext) => Res | Promise<Res>;

/**
 * psrpc's `AffinityFunc` (`rpc.go:35`): how well this server fits the request. < 0 = do not
 * claim; otherwise the client prefers the highest (LiveKit egress: 0.5 idle, 1 busy with room).
 */
export type AffinityFunc<Req> = (request: Req, ctx: HandlerContext) => number | Promise<number>;

export interface RegisterOptions<Req> {
  /** Affinity of each request (claim methods only). Default: 1 for every request. */
  affinity?: AffinityFunc<Req>;
}

export interface PsrpcServerOptions {
  /** This server's id in claims and responses. Default `SRV_` + 12 random (psrpc's format). */
  serverId?: string;
  /** Malformed payloads and failed publishes are logged here. */
  logger?: Logger;
}

/** Normalises a topic: `undefined` → none, a string → one part. */
export function topicParts(topic: string | readonly string[] | undefined): readonly string[] {
  if (topic === undefined) return [];
  return typeof topic === 'string' ? [topic] : topic;
}

class RegisteredHandler<Req extends Message<Req>, Res extends Message<Res>> {
  readonly #claims = new Map<string, (claim: ClaimResponse) => void>();
  readonly #inflight = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  #requestSub: BusSubscription | undefined;
  #claimSub: BusSubscription | undefined;
  #closed = false;

  constructor(
    private readonly server: PsrpcServer,
    private readonly bus: RedisBus,
    private readonly spec: MethodSpec<Req, Res>,
    private readonly topic: readonly string[],
    private readonly handler: Handler<Req, Res>,
    private readonly affinity: AffinityFunc<Req> | undefined,
    private readonly logger: Logger | undefined,
  ) {}

  async open(): Promise<void> {
    const { service, method } = this.spec;
    if (this.spec.requireClaim) {
      this.#claimSub = await this.bus.subscribe(claimResponseChannel(service, method, this.topic), (p) => this.#onClaim(p));
    }
    const channel = requestChannel(service, method, this.topic);
    const onRequest = (p: Buffer) => this.#onRequest(p);
    try {
      this.#requestSub = this.spec.queue ? await this.bus.subscribeQueue(channel, onRequest) : await this.bus.subscribe(channel, onRequest);
    } catch (err) {
      await this.#claimSub?.close();
      throw err;
    }
  }

  /** Stops taking requests; unless `force`, lets running ones finish first (`rpc.go:289-300`). */
  async close(force: boolean): Promise<void> {
    this.#closed = true;
    await this.#requestSub?.close();
    if (force) this.#abort.abort(serverClosed());
    else await Promise.allSettled([...this.#inflight]);
    await this.#claimSub?.close();
  }

  #onClaim(payload: Buffer): void {
    const decoded = decodeEnvelope(payload, ClaimResponse);
    if (!decoded.ok) return this.#malformed(decoded.reason, 'claim response');
    this.#claims.get(decoded.message.requestId)?.(decoded.message);
  }

  #onRequest(payload: Buffer): void {
    if (this.#closed) return;
    const decoded = decodeEnvelope(payload, Request);
    if (!decoded.ok) return this.#malformed(decoded.reason, 'request');
    const ir = decoded.message;
    if (nowNs() >= ir.expiry) return;
    const run = this.#handle(ir).catch((err: unknown) => {
      const fields = { err: (err as Error)?.message, requestId: ir.requestId, method: this.spec.method };
      this.logger?.warn(fields, 'psrpc server: failed to handle request');
    });
    this.#inflight.add(run);
    void run.finally(() => this.#inflight.delete(run));
  }

  async #handle(ir: Request): Promise<void> {
    const deadlineMs = nsToMs(ir.expiry);
    const controller = new AbortController();
    const expire = () => controller.abort(new PsrpcError(PsrpcCode.DeadlineExceeded, 'request timed out'));
    const timer = setTimeout(expire, Math.max(0, deadlineMs - Date.now()));
    timer.unref?.();
    const onServerAbort = () => controller.abort(this.#abort.signal.reason);
    this.#abort.signal.addEventListener('abort', onServerAbort, { once: true });
    const ctx: HandlerContext = {
      requestId: ir.requestId,
      clientId: ir.clientId,
      sentAtMs: nsToMs(ir.sentAt),
      deadlineMs,
      metadata: { ...ir.metadata },
      signal: controller.signal,
    };
    try {
      let request: Req;
      try {
        request = this.spec.requestType.fromBinary(ir.rawRequest);
      } catch (err) {
        await this.#respond(ir, undefined, new PsrpcError(PsrpcCode.MalformedRequest, (err as Error).message));
        return;
      }
      if (this.spec.requireClaim && !(await this.#claim(ir, request, ctx))) return;
      let response: Res;
      try {
        response = await this.handler(request, ctx);
      } catch (err) {
        await this.#respond(ir, undefined, err);
        return;
      }
      await this.#respond(ir, response, undefined);
    } finally {
      clearTimeout(timer);
      this.#abort.signal.removeEventListener('abort', onServerAbort);
    }
  }

  async #claim(ir: Request, request: Req, ctx: HandlerContext): Promise<boolean> {
    const affinity = this.affinity ? await this.affinity(request, ctx) : 1;
    if (!(affinity >= 0)) return false;
    let settle!: (claim: ClaimResponse | undefined) => void;
    const answered = new Promise<ClaimResponse | undefined>((resolve) => (settle = resolve));
    this.#claims.set(ir.requestId, settle);
    const timer = setTimeout(() => settle(undefined), Math.max(0, ctx.deadlineMs - Date.now()));
    timer.unref?.();
    try {
      const claim = new ClaimRequest({ requestId: ir.requestId, serverId: this.server.id, affinity });
      await this.bus.publish(claimRequestChannel(this.spec.service, ir.clientId), encodeEnvelope(claim));
      const response = await answered;
      return response?.serverId === this.server.id;
    } finally {
      clearTimeout(timer);
      this.#claims.delete(ir.requestId);
    }
  }

  async #respond(ir: Request, response: Res | undefined, err: unknown): Promise<void> {
    const res = new Response({ requestId: ir.requestId, serverId: this.server.id, sentAt: nowNs() });
    if (err !== undefined) {
      const { code, error } = responseError(err);
      res.code = code;
      res.error = error;
    } else if (response !== undefined) {
      try {
        res.rawResponse = response.toBinary() as Uint8Array<ArrayBuffer>;
      } catch (e) {
        res.code = PsrpcCode.MalformedResponse;
        res.error = (e as Error).message;
      }
    }
    await this.bus.publish(responseChannel(this.spec.service, ir.clientId), encodeEnvelope(res));
  }

  #malformed(reason: string, what: string): void {
    this.logger?.warn({ reason, method: this.spec.method, service: this.spec.service }, `psrpc server: dropped a ${what} payload`);
  }
}

/** A psrpc server: any number of (method, topic) handlers on one bus, under one server id. */
export class PsrpcServer {
  /** The id claims and responses carry (`SRV_…`). */
  readonly id: string;
  readonly #bus: RedisBus;
  readonly #logger: Logger | undefined;
  readonly #handlers = new Map<string, RegisteredHandler<any, any>>();
  #closed = false;

  constructor(bus: RedisBus, opts: PsrpcServerOptions = {}) {
    this.#bus = bus;
    this.id = opts.serverId ?? newServerId();
    this.#logger = opts.logger;
  }

  /**
   * Serves `spec` on `topic` (a string is one topic part; omit for methods without topics).
   * Resolves once the channels are subscribed.
   * @throws PsrpcError `canceled` "server is closed" after {@link close};
   *   Error "handler already exists" for a (method, topic) already registered (`server.go:72-80`);
   *   the bus's error if a SUBSCRIBE fails.
   */
  async register<Req extends Message<Req>, Res extends Message<Res>>(
    spec: MethodSpec<Req, Res>,
    topic: string | readonly string[] | undefined,
    handler: Handler<Req, Res>,
    opts: RegisterOptions<Req> = {},
  ): Promise<void> {
    if (this.#closed) throw serverClosed();
    const parts = topicParts(topic);
    const key = `${spec.service}|${handlerKey(spec.method, parts)}`;
    if (this.#handlers.has(key)) throw new Error('handler already exists');
    const h = new RegisteredHandler(this, this.#bus, spec, parts, handler, opts.affinity, this.#logger);
    this.#handlers.set(key, h);
    try {
      await h.open();
    } catch (err) {
      this.#handlers.delete(key);
      throw err;
    }
  }

  /** Whether (method, topic) has a handler. */
  isRegistered(spec: MethodSpec, topic: string | readonly string[] | undefined): boolean {
    return this.#handlers.has(`${spec.service}|${handlerKey(spec.method, topicParts(topic))}`);
  }

  /**
   * Stops serving (method, topic) at once; running calls of it see `ctx.signal` abort
   * (`server.go:87-96`, `DeregisterHandler` closes with force). No-op if not registered.
   */
  async deregister(spec: MethodSpec, topic: string | readonly string[] | undefined): Promise<void> {
    const key = `${spec.service}|${handlerKey(spec.method, topicParts(topic))}`;
    const h = this.#handlers.get(key);
    if (!h) return;
    this.#handlers.delete(key);
    await h.close(true);
  }

  /**
   * Stops taking requests on every handler; unless `force`, waits for running calls to answer
   * (`server.go:103-124`). Further {@link register} calls throw. Idempotent. Does not close the bus.
   */
  async close(force = false): Promise<void> {
    this.#closed = true;
    const handlers = [...this.#handlers.values()];
    this.#handlers.clear();
    await Promise.all(handlers.map((h) => h.close(force)));
  }
}
