/**
 * The WebSocket of a PCM output, as LiveKit's egress dials it (reference livekit-track-egress.md §4):
 * request header `Content-Type: audio/x-raw`, HTTP(S)_PROXY / NO_PROXY honoured (ws-proxy.ts), a
 * Ping every 30 s, Pongs answered (the `ws` library does), incoming data ignored, no compression.
 * Binary messages go through a bounded queue: while the socket's `bufferedAmount` is at least
 * 64 KiB, messages wait; when more than `maxQueuedFrames` wait, the oldest binary messages are
 * dropped and counted (LiveKit's leaky queues drop the oldest audio too, silently). Text messages
 * are never dropped and keep their order with the binary ones.
 *
 * Nothing this class logs or puts in an error names a URL query value: the URL appears only
 * redacted ({@link redactUrl}).
 */
import { EventEmitter } from 'node:events';

import type { Logger } from 'pino';
import WebSocket from 'ws';

import { nowUs } from '../../core/options.js';
import { EgressError } from '../egress-error.js';
import { redactUrl } from '../redact.js';
import { SendQueue } from './send-queue.js';
import { webSocketProxyAgent } from './ws-proxy.js';

export type PcmWebSocketOptions = {
  /** Size of one binary message, bytes (`frameBytes(options)`). */
  frameBytes: number;
  /** Most binary messages waiting for a slow receiver before the oldest are dropped. */
  maxQueuedFrames: number;
  /** Opening handshake timeout, ms. Default 10 000. */
  handshakeTimeoutMs?: number;
  /** Ping period, ms. Default 30 000 (LiveKit's). */
  pingIntervalMs?: number;
  logger?: Logger;
};

/** Counters of one socket. */
export type PcmWebSocketStats = {
  /** Binary messages handed to the socket, and their bytes. */
  framesSent: number;
  bytesSent: number;
  /** Binary messages dropped (oldest first) because the receiver did not read fast enough. */
  framesDropped: number;
  /** Text messages sent (`{"muted":true}` / `{"muted":false}`). */
  textSent: number;
  /** Bytes waiting: our queue plus the socket's bufferedAmount. */
  queuedBytes: number;
};

/** Messages are handed to `ws` while less than this is buffered in it (bytes). */
export const WS_HIGH_WATER_BYTES = 64 * 1024;
/** How long {@link PcmWebSocket.close} waits for the peer's Close before dropping TCP, ms. */
export const CLOSE_WAIT_MS = 2000;
/** Drops are logged at most this often, ms. */
const DROP_WARN_EVERY_US = 10_000_000;
/** A Close reason is at most 123 bytes (RFC 6455 §5.5: control payload ≤ 125, 2 for the code). */
const MAX_CLOSE_REASON_BYTES = 123;

/** Events: `failed` once, when the peer closed, the connection died or a write failed (EgressError `unavailable`, 503). */
export class PcmWebSocket extends EventEmitter<{ failed: [EgressError] }> {
  /**
   * Dials `url` (ws: or wss:), through the proxy the environment names (HTTP_PROXY for ws:,
   * HTTPS_PROXY for wss:, NO_PROXY exempting hosts), with the header `Content-Type: audio/x-raw`.
   * @throws EgressError `invalid_argument` (LiveKit: dial failure → 400) `websocket dial failed: <reason>`,
   *   the URL in it with query values redacted.
   */
  static connect(url: string, options: PcmWebSocketOptions): Promise<PcmWebSocket> {
    const redacted = redactUrl(url);
    const scrub = secretScrubber(url);
    const failed = (reason: string) => new EgressError('invalid_argument', `websocket dial failed: ${scrub(reason)}`);
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return Promise.reject(failed(`invalid url ${redacted}`));
    }
    if (target.protocol !== 'ws:' && target.protocol !== 'wss:') return Promise.reject(failed(`invalid url ${redacted}: invalid scheme`));
    return new Promise((resolve, reject) => {
      let ws: WebSocket;
      try {
        ws = new WebSocket(url, {
          headers: { 'Content-Type': 'audio/x-raw' },
          handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
          perMessageDeflate: false,
          followRedirects: false,
          agent: webSocketProxyAgent(target),
        });
      } catch (err) {
        reject(failed(errorText(err)));
        return;
      }
      const onError = (err: Error) => {
        ws.off('open', onOpen);
        ws.terminate();
        reject(failed(errorText(err)));
      };
      const onOpen = () => {
        ws.off('error', onError);
        resolve(new PcmWebSocket(ws, redacted, scrub, options));
      };
      ws.once('error', onError);
      ws.once('open', onOpen);
    });
  }

  /** The URL with query values redacted (`StreamInfo.url`). */
  readonly redactedUrl: string = '';

  private readonly ws: WebSocket;
  private readonly scrub: (text: string) => string;
  private readonly frameBytes: number;
  private readonly logger: Logger | undefined;
  /** Messages waiting for the socket (Buffer: binary, string: text). */
  private readonly queue: SendQueue;
  private framesSent = 0;
  private bytesSent = 0;
  private framesDropped = 0;
  private textSent = 0;
  private dropsUnlogged = 0;
  private lastDropWarnUs = -Infinity;
  private pingTimer: NodeJS.Timeout | undefined;
  /** Set by close()/terminate(): the socket's end is ours, not a failure. */
  private closing = false;
  private failedWith: EgressError | undefined;
  private closed: Promise<void> | undefined;
  private readonly onWritten = (err?: Error): void => {
    if (err) this.fail(`websocket connection lost: ${this.scrub(errorText(err))}`);
    else if (this.queue.length) this.pump();
  };

  private constructor(ws: WebSocket, redactedUrl: string, scrub: (text: string) => string, options: PcmWebSocketOptions) {
    super();
    this.ws = ws;
    this.redactedUrl = redactedUrl;
    this.scrub = scrub;
    this.frameBytes = options.frameBytes;
    this.queue = new SendQueue(Math.max(1, Math.floor(options.maxQueuedFrames)));
    this.logger = options.logger;
    ws.on('error', (err) => this.fail(`websocket connection lost: ${this.scrub(errorText(err))}`));
    ws.on('close', (code, reason) => {
      this.stopPing();
      if (code === 1006) this.fail('websocket connection lost: closed without a Close frame (code 1006)');
      else {
        const text = reason.toString('utf8');
        this.fail(`websocket closed by the receiver (code ${code}${text ? ` ${this.scrub(text)}` : ''})`);
      }
    });
    const pingMs = options.pingIntervalMs ?? 30_000;
    this.pingTimer = setInterval(() => this.ws.ping('ping'), pingMs);
    this.pingTimer.unref();
  }

  /** Queues one binary message (copied). Never blocks. Ignored once closing or failed. */
  sendFrame(frame: Int16Array): void {
    if (this.closing || this.failedWith) return;
    const buf = Buffer.allocUnsafe(frame.byteLength);
    buf.set(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength));
    if (this.queue.length === 0 && this.ws.bufferedAmount < WS_HIGH_WATER_BYTES) {
      this.write(buf);
      return;
    }
    if (this.queue.push(buf)) this.dropped();
    this.pump();
  }

  /** Queues one text message; never dropped. Ignored once closing or failed. */
  sendText(text: string): void {
    if (this.closing || this.failedWith) return;
    this.queue.push(text);
    this.pump();
  }

  stats(): PcmWebSocketStats {
    return {
      framesSent: this.framesSent,
      bytesSent: this.bytesSent,
      framesDropped: this.framesDropped,
      textSent: this.textSent,
      queuedBytes: this.queue.bytes + this.ws.bufferedAmount,
    };
  }

  /** Binary message size this socket was opened for, bytes. */
  get messageBytes(): number {
    return this.frameBytes;
  }

  /** The failure, once `failed` was emitted. */
  get failure(): EgressError | undefined {
    return this.failedWith;
  }

  /**
   * Sends what is queued (bounded wait), then a Close `code` + `reason`; waits ≤ 2 s for the peer's
   * Close, then drops TCP. The reason is cut to 123 bytes. Idempotent; after a failure it only drops TCP.
   */
  close(code: number, reason: string): Promise<void> {
    if (this.closed) return this.closed;
    const wasClosing = this.closing;
    this.closing = true;
    this.stopPing();
    const ws = this.ws;
    if (wasClosing || this.failedWith || ws.readyState === WebSocket.CLOSED) {
      ws.terminate();
      this.closed = Promise.resolve();
      return this.closed;
    }
    // Everything queued goes to ws at once (at most maxQueuedFrames messages: bounded).
    for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) this.write(item);
    this.closed = new Promise<void>((resolve) => {
      const timer = setTimeout(() => ws.terminate(), CLOSE_WAIT_MS);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        ws.close(code, truncateUtf8(reason, MAX_CLOSE_REASON_BYTES));
      } catch {
        ws.terminate();
      }
    });
    return this.closed;
  }

  /** Drops the connection at once. Idempotent. */
  terminate(): void {
    this.closing = true;
    this.stopPing();
    this.ws.terminate();
  }

  private pump(): void {
    while (this.queue.length && this.ws.bufferedAmount < WS_HIGH_WATER_BYTES && !this.failedWith) this.write(this.queue.shift()!);
  }

  private write(item: Buffer | string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (typeof item === 'string') {
      this.textSent++;
      this.ws.send(item, { binary: false }, this.onWritten);
    } else {
      this.framesSent++;
      this.bytesSent += item.length;
      this.ws.send(item, { binary: true }, this.onWritten);
    }
  }

  /** Counts a binary message the queue dropped; warns at most every 10 s. */
  private dropped(): void {
    this.framesDropped++;
    this.dropsUnlogged++;
    const now = nowUs();
    if (now - this.lastDropWarnUs >= DROP_WARN_EVERY_US) {
      this.lastDropWarnUs = now;
      this.logger?.warn(
        { url: this.redactedUrl, framesDropped: this.framesDropped, droppedSinceLastWarning: this.dropsUnlogged },
        `websocket receiver too slow: ${this.dropsUnlogged} PCM messages dropped (${this.framesDropped} in all)`,
      );
      this.dropsUnlogged = 0;
    }
  }

  private fail(message: string): void {
    this.stopPing();
    if (this.closing || this.failedWith) return;
    this.failedWith = new EgressError('unavailable', message);
    this.queue.clear();
    this.logger?.warn({ url: this.redactedUrl }, message);
    this.emit('failed', this.failedWith);
  }

  private stopPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** Replaces the raw URL, its query string, user info and fragment (if they appear in a text) by redacted forms. */
function secretScrubber(url: string): (text: string) => string {
  const parts: [string, string][] = [[url, redactUrl(url)]];
  try {
    const u = new URL(url);
    if (u.search.length > 1) parts.push([u.search.slice(1), '{...}']);
    if (u.password) parts.push([u.password, '{...}']);
    if (u.username) parts.push([u.username, '{...}']);
    if (u.hash.length > 1) parts.push([u.hash.slice(1), '{...}']);
    parts.push([u.href, redactUrl(u.href)]);
  } catch {
    // not a URL: only the raw string is replaced
  }
  return (text) => {
    let out = text;
    for (const [secret, replacement] of parts) if (secret && secret !== replacement) out = out.split(secret).join(replacement);
    return out;
  };
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}
