// A real `ws` server on loopback standing in for a user's speech-to-text endpoint: it records
// everything a WebSocket PCM output does to it — the upgrade request (URL with its query, headers),
// every message (binary size or text, where it falls in the PCM byte stream, when it arrived), the
// Close code and reason — and can misbehave on demand: stop reading its socket for a while (a slow
// receiver; the kernel buffers fill, then the sender's), or close its end.
//
//   const rx = await startPcmReceiver();
//   ... start an egress to `${rx.url}/stt?token=abc` ...
//   const conn = await rx.connection();           // the first connection (waits for it)
//   conn.headers['content-type']                   // 'audio/x-raw'
//   const { code, reason } = await conn.closed;    // 1000, 'participant left'
//   conn.pcm()                                     // every binary byte, in order
//   await rx.close();
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

import { WebSocketServer, type WebSocket } from 'ws';

/** One message as received; `offset` = PCM bytes received before it; `atMs` = performance.now(). */
export type ReceivedMessage =
  | { kind: 'binary'; size: number; offset: number; atMs: number }
  | { kind: 'text'; text: string; offset: number; atMs: number };

export type CloseRecord = { code: number; reason: string; atMs: number };

export interface ReceivedConnection {
  /** Request path and query, e.g. `/stt?token=abc`. */
  readonly url: string;
  /** The upgrade request's headers (lower-case names). */
  readonly headers: IncomingHttpHeaders;
  readonly openedAtMs: number;
  readonly messages: readonly ReceivedMessage[];
  /** PCM bytes received so far. */
  readonly pcmBytes: number;
  /** Every binary message concatenated. */
  pcm(): Buffer;
  /** Text messages in order. */
  texts(): string[];
  /** Pings received (the `ws` server answers them with Pongs by itself). */
  readonly pings: number;
  /** Resolves when the connection is gone: the peer's Close code/reason (1005 = none, 1006 = dropped). */
  readonly closed: Promise<CloseRecord>;
  /** Stops reading the socket for `ms` (Infinity: until {@link resume}), then reads again. */
  pause(ms: number): Promise<void>;
  /** Reads the socket again now (ends a pause). */
  resume(): void;
  /** Whether the socket is being read. */
  readonly paused: boolean;
  /** Sends a Close (default 1000) from our side. */
  close(code?: number, reason?: string): void;
  /** Drops TCP without a Close. */
  terminate(): void;
}

export type PcmReceiverOptions = {
  /** Every new connection stops reading its socket for this long right after the upgrade (ms; Infinity: until resume()). */
  pauseOnConnectMs?: number;
};

export interface PcmReceiver {
  /** `ws://127.0.0.1:PORT` (append a path and query). */
  readonly url: string;
  readonly port: number;
  readonly connections: readonly ReceivedConnection[];
  /** Upgrade requests seen (including ones that never completed). */
  readonly upgrades: number;
  /** Connection number `index` (default 0), waiting up to `timeoutMs` (default 15 s) for it. */
  connection(index?: number, timeoutMs?: number): Promise<ReceivedConnection>;
  /** Terminates every connection and closes the server. Idempotent. */
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function record(ws: WebSocket, url: string, headers: IncomingHttpHeaders, opts: PcmReceiverOptions): ReceivedConnection {
  const chunks: Buffer[] = [];
  const messages: ReceivedMessage[] = [];
  let pcmBytes = 0;
  let pings = 0;
  ws.on('ping', () => pings++);
  ws.on('message', (data, isBinary) => {
    const atMs = performance.now();
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) {
      messages.push({ kind: 'binary', size: buf.byteLength, offset: pcmBytes, atMs });
      chunks.push(buf);
      pcmBytes += buf.byteLength;
    } else {
      messages.push({ kind: 'text', text: buf.toString('utf8'), offset: pcmBytes, atMs });
    }
  });
  ws.on('error', () => {});
  const closed = new Promise<CloseRecord>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8'), atMs: performance.now() }));
  });
  let wake: (() => void) | undefined;
  const resume = () => {
    ws.resume();
    wake?.();
  };
  const pause = async (ms: number) => {
    ws.pause();
    await new Promise<void>((r) => {
      const timer = Number.isFinite(ms) ? setTimeout(r, ms) : undefined;
      wake = () => {
        clearTimeout(timer);
        r();
      };
    });
    wake = undefined;
    ws.resume();
  };
  if (opts.pauseOnConnectMs) void pause(opts.pauseOnConnectMs);
  return {
    url,
    headers,
    openedAtMs: performance.now(),
    messages,
    get pcmBytes() {
      return pcmBytes;
    },
    pcm: () => Buffer.concat(chunks),
    texts: () => messages.flatMap((m) => (m.kind === 'text' ? [m.text] : [])),
    get pings() {
      return pings;
    },
    closed,
    pause,
    resume,
    get paused() {
      return ws.isPaused;
    },
    close: (code = 1000, reason = '') => ws.close(code, reason),
    terminate: () => ws.terminate(),
  };
}

/** Starts a receiver on 127.0.0.1 (a free port). */
export async function startPcmReceiver(opts: PcmReceiverOptions = {}): Promise<PcmReceiver> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 16 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const port = (wss.address() as AddressInfo).port;
  const connections: ReceivedConnection[] = [];
  const sockets: WebSocket[] = [];
  let upgrades = 0;
  wss.on('headers', () => upgrades++);
  wss.on('connection', (ws, req) => {
    sockets.push(ws);
    connections.push(record(ws, req.url ?? '', req.headers, opts));
  });
  let closing: Promise<void> | undefined;
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    connections,
    get upgrades() {
      return upgrades;
    },
    async connection(index = 0, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!connections[index]) {
        if (Date.now() > deadline) throw new Error(`no WebSocket connection #${index} within ${timeoutMs} ms (${connections.length} so far)`);
        await sleep(20);
      }
      return connections[index]!;
    },
    close() {
      closing ??= (async () => {
        for (const ws of sockets) ws.terminate();
        await new Promise<void>((r) => wss.close(() => r()));
      })();
      return closing;
    },
  };
}
