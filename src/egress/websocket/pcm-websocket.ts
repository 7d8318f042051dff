/**
 * The WebSocket of a PCM output, as LiveKit's egress dials it (reference livekit-track-egress.md §4):
 * request header `Content-Type: audio/x-raw`, HTTP(S)_PROXY / NO_PROXY honoured, a Ping every 30 s,
 * Pongs answered (the `ws` library does), incoming data ignored. Binary messages go through a bounded
 * queue: while the socket's `bufferedAmount` is high, messages wait; when more than
 * `maxQueuedFrames` wait, the oldest binary messages are dropped and counted. Text messages are
 * never dropped and keep their order with the binary ones.
 *
 * SKELETON (issue 9 contract, /work/wt/CONTRACT9.md): branch ws-stream implements it.
 */
import { EventEmitter } from 'node:events';

import type { Logger } from 'pino';

import type { EgressError } from '../egress-error.js';

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

/** Events: `failed` once, when the peer closed, the connection died or a write failed (EgressError `unavailable`, 503). */
export class PcmWebSocket extends EventEmitter<{ failed: [EgressError] }> {
  /**
   * Dials `url` (ws: or wss:).
   * @throws EgressError `invalid_argument` (LiveKit: dial failure → 400) `websocket dial failed: <reason>`,
   *   the URL in it with query values redacted.
   */
  static connect(url: string, options: PcmWebSocketOptions): Promise<PcmWebSocket> {
    void url;
    void options;
    throw new Error('not implemented yet (branch ws-stream)');
  }

  /** The URL with query values redacted (`StreamInfo.url`). */
  readonly redactedUrl: string = '';

  /** Queues one binary message (copied). Never blocks. */
  sendFrame(frame: Int16Array): void {
    void frame;
  }

  /** Queues one text message; never dropped. */
  sendText(text: string): void {
    void text;
  }

  stats(): PcmWebSocketStats {
    return { framesSent: 0, bytesSent: 0, framesDropped: 0, textSent: 0, queuedBytes: 0 };
  }

  /** Sends what is queued (bounded wait), then a Close `code` + `reason`; waits ≤ 2 s for the peer's Close, then drops TCP. Idempotent. */
  async close(code: number, reason: string): Promise<void> {
    void code;
    void reason;
  }

  /** Drops the connection at once. Idempotent. */
  terminate(): void {}
}
