/**
 * psrpc's message bus on Redis, as its Go implementation runs it
 * (`psrpc@v0.7.2: internal/bus/bus_redis.go`): classic PUBLISH/SUBSCRIBE on two connections — one
 * in subscriber mode, one for PUBLISH and the queue lock — one Redis subscription per channel
 * however many local subscribers it has (`bus_redis.go:102-125`), messages dispatched to every
 * plain subscriber and round-robin to one queue subscriber of the channel (`:296-313`).
 *
 * **Queue lock** (`bus_redis.go:346-353`): every process subscribed to a queue channel receives
 * every message; the one whose `SET <key> <random> EX 5 NX` succeeds handles it, where key =
 * standard base64 (padded) of SHA-256 of the raw payload. The others drop it.
 *
 * **Reconnects**: ioredis reconnects both connections with backoff and re-subscribes every channel
 * (`autoResubscribe`); commands issued while disconnected wait in its offline queue. Messages
 * published while a subscriber is disconnected are lost, as with Go's bus (RPC timeouts cover it).
 */
import { createHash, randomInt } from 'node:crypto';
import type { ConnectionOptions as TlsOptions } from 'node:tls';

import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/** Queue-lock expiry, seconds (`bus_redis.go:37`, `lockExpiration = 5 s`). */
export const QUEUE_LOCK_EXPIRY_SECONDS = 5;

/** Where the bus connects; the key names of LiveKit's `redis:` config block. */
export interface RedisBusOptions {
  /** `host:port` (LiveKit `redis.address`). Default `127.0.0.1:6379`. */
  address?: string;
  /** Database number (`redis.db`). Default 0. */
  db?: number;
  /** ACL user (`redis.username`). */
  username?: string;
  /** Password (`redis.password`); never logged. */
  password?: string;
  /** TLS (`redis.use_tls`): `true` for defaults, or node:tls options. Default off. */
  tls?: boolean | TlsOptions;
  /** Connection name shown by `CLIENT LIST` (suffixed `:sub` / `:cmd`). Default `track-egress`. */
  connectionName?: string;
  /** Connection errors and reconnects are logged here (warn); default: not logged. */
  logger?: Logger;
}

/** A live subscription; `close()` stops delivery at once and unsubscribes the channel if it was the last. */
export interface BusSubscription {
  readonly channel: string;
  close(): Promise<void>;
}

type Listener = (payload: Buffer) => void;

interface ChannelState {
  plain: Set<Listener>;
  queue: Listener[];
  next: number;
  /** The SUBSCRIBE (or UNSUBSCRIBE) last sent for this channel. */
  pending: Promise<unknown>;
}

/**
 * The queue-lock key of a payload: `base64(SHA-256(payload))`, standard alphabet with padding
 * (`bus_redis.go:347-348`).
 */
export function queueLockKey(payload: Uint8Array): string {
  return createHash('sha256').update(payload).digest('base64');
}

function parseAddress(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(address.trim());
  const host = m?.[1] || '127.0.0.1';
  const port = m?.[2] ? Number(m[2]) : 6379;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`invalid redis address port: ${address}`);
  return { host, port };
}

/** The psrpc bus over one Redis server: two ioredis connections. */
export class RedisBus {
  readonly #sub: Redis;
  readonly #cmd: Redis;
  readonly #channels = new Map<string, ChannelState>();
  readonly #logger: Logger | undefined;
  #closed = false;

  private constructor(opts: RedisBusOptions) {
    const { host, port } = parseAddress(opts.address ?? '127.0.0.1:6379');
    const name = opts.connectionName ?? 'track-egress';
    const base: RedisOptions = {
      host,
      port,
      db: opts.db ?? 0,
      lazyConnect: true,
      autoResubscribe: true,
      ...(opts.username ? { username: opts.username } : {}),
      ...(opts.password ? { password: opts.password } : {}),
      ...(opts.tls ? { tls: opts.tls === true ? {} : opts.tls } : {}),
    };
    this.#logger = opts.logger;
    this.#sub = new Redis({ ...base, connectionName: `${name}:sub` });
    this.#cmd = new Redis({ ...base, connectionName: `${name}:cmd` });
    this.#sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.#dispatch(channel.toString(), message));
    for (const [role, conn] of [
      ['subscriber', this.#sub],
      ['command', this.#cmd],
    ] as const) {
      // One warning per outage and connection (ioredis retries every ≤ 2 s and errors each time).
      let down = false;
      conn.on('error', (err: Error) => {
        if (!down) this.#logger?.warn({ err: err.message, role }, 'redis bus: connection lost, reconnecting');
        down = true;
      });
      conn.on('ready', () => {
        if (down) this.#logger?.info({ role }, 'redis bus: reconnected');
        down = false;
      });
    }
  }

  /**
   * Connects both connections.
   * @throws the connection error (refused, auth, TLS) if either cannot connect the first time.
   */
  static async connect(opts: RedisBusOptions = {}): Promise<RedisBus> {
    const bus = new RedisBus(opts);
    try {
      await Promise.all([bus.#sub.connect(), bus.#cmd.connect()]);
    } catch (err) {
      bus.#sub.disconnect();
      bus.#cmd.disconnect();
      throw err;
    }
    return bus;
  }

  /**
   * PUBLISHes `payload` on `channel` (in call order on the command connection). Resolves with the
   * number of Redis subscribers that received it.
   * @throws when the bus is closed or Redis rejects the command.
   */
  async publish(channel: string, payload: Uint8Array): Promise<number> {
    if (this.#closed) throw new Error('redis bus is closed');
    return this.#cmd.publish(channel, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
  }

  /**
   * Delivers every message of `channel` to `listener`. Resolves once Redis confirmed the
   * SUBSCRIBE, so nothing published afterwards is missed.
   * @throws when the bus is closed or the SUBSCRIBE fails.
   */
  subscribe(channel: string, listener: Listener): Promise<BusSubscription> {
    return this.#add(channel, listener, false);
  }

  /**
   * Like {@link subscribe}, but as a psrpc queue subscriber: of all processes on this channel,
   * only the one that wins the Redis lock of a message gets it; within this process one queue
   * subscriber of the channel gets it, round-robin.
   */
  subscribeQueue(channel: string, listener: Listener): Promise<BusSubscription> {
    return this.#add(channel, listener, true);
  }

  /** Closes both connections; subscriptions stop. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#channels.clear();
    await Promise.allSettled([this.#sub.quit(), this.#cmd.quit()]);
    this.#sub.disconnect();
    this.#cmd.disconnect();
  }

  /** The command connection, for callers that need plain Redis commands (tests, self-checks). */
  get commands(): Redis {
    return this.#cmd;
  }

  async #add(channel: string, listener: Listener, queue: boolean): Promise<BusSubscription> {
    if (this.#closed) throw new Error('redis bus is closed');
    let state = this.#channels.get(channel);
    if (!state) {
      state = { plain: new Set(), queue: [], next: 0, pending: Promise.resolve() };
      this.#channels.set(channel, state);
      state.pending = this.#sub.subscribe(channel);
    }
    // Wrapped so that the same function can be added twice and removed once.
    const entry: Listener = (payload) => listener(payload);
    if (queue) state.queue.push(entry);
    else state.plain.add(entry);
    const subscribed = state.pending;
    try {
      await subscribed;
    } catch (err) {
      this.#remove(channel, entry);
      throw err;
    }
    let open = true;
    return {
      channel,
      close: async () => {
        if (!open) return;
        open = false;
        await this.#remove(channel, entry);
      },
    };
  }

  async #remove(channel: string, entry: Listener): Promise<void> {
    const state = this.#channels.get(channel);
    if (!state) return;
    state.plain.delete(entry);
    const i = state.queue.indexOf(entry);
    if (i >= 0) state.queue.splice(i, 1);
    if (state.plain.size > 0 || state.queue.length > 0) return;
    this.#channels.delete(channel);
    if (this.#closed) return;
    // Sent after any SUBSCRIBE of this channel (one connection, in order); a later subscribe()
    // creates a new state whose SUBSCRIBE follows this UNSUBSCRIBE.
    await this.#sub.unsubscribe(channel).catch((err: Error) => {
      this.#logger?.warn({ err: err.message, channel }, 'redis bus: unsubscribe failed');
    });
  }

  #dispatch(channel: string, payload: Buffer): void {
    const state = this.#channels.get(channel);
    if (!state) return;
    for (const listener of state.plain) this.#deliver(listener, payload, channel);
    if (state.queue.length === 0) return;
    if (state.next >= state.queue.length) state.next = 0;
    const listener = state.queue[state.next++]!;
    // Go's value is rand.Int(); only the key's existence matters.
    this.#cmd
      .set(queueLockKey(payload), String(randomInt(0, 2 ** 48 - 1)), 'EX', QUEUE_LOCK_EXPIRY_SECONDS, 'NX')
      .then((acquired) => {
        if (acquired === 'OK' && state.queue.includes(listener)) this.#deliver(listener, payload, channel);
      })
      .catch((err: Error) => this.#logger?.warn({ err: err.message, channel }, 'redis bus: queue lock failed'));
  }

  #deliver(listener: Listener, payload: Buffer, channel: string): void {
    try {
      listener(payload);
    } catch (err) {
      this.#logger?.error({ err: (err as Error)?.message, channel }, 'redis bus: subscriber threw');
    }
  }
}
