/**
 * The LiveKit `/rtc` signal WebSocket (v0, dual peer connection): binary protobuf frames,
 * `SignalRequest` out and `SignalResponse` in. See docs/livekit.md for the message flow.
 */
import { EventEmitter } from 'node:events';
import {
  DisconnectReason,
  LeaveRequest,
  LeaveRequest_Action,
  Ping,
  SignalRequest,
  SignalResponse,
} from '@livekit/protocol';
import WebSocket from 'ws';
import { LiveKitError, LiveKitErrorCode } from './errors.js';

/** Signalling protocol version we speak (livekit-server 1.13 knows up to 16). */
export const SIGNAL_PROTOCOL_VERSION = 16;
const SDK_VERSION = '0.1.0';

export type SignalConnectOptions = {
  url: string;
  token: string;
  /** Resume this participant session (`reconnect=1&sid=…`). */
  resumeSid?: string;
  /** How long to wait for the upgrade and the first response. Default 10 s. */
  timeoutMs?: number;
};

type Query = Record<string, string>;

/** ws(s)/http(s) URL → the signal URL with its query; throws ERR_LIVEKIT_BAD_URL. */
export function signalUrl(url: string, path: string, query: Query, http = false): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch (cause) {
    throw new LiveKitError(LiveKitErrorCode.BadUrl, `Invalid LiveKit URL "${url}"`, { cause });
  }
  const secure = u.protocol === 'wss:' || u.protocol === 'https:';
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(u.protocol)) {
    throw new LiveKitError(
      LiveKitErrorCode.BadUrl,
      `Invalid LiveKit URL "${url}": expected a ws://, wss://, http:// or https:// URL`,
    );
  }
  u.protocol = http ? (secure ? 'https:' : 'http:') : secure ? 'wss:' : 'ws:';
  u.pathname = `${u.pathname.replace(/\/+$/, '')}${path}`;
  u.search = '';
  u.hash = '';
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  return u.toString();
}

export type SignalClientEvents = {
  response: [SignalResponse];
  /** The socket closed without close() being called (network drop, server close, ping timeout). */
  lost: [reason: string];
};

export class SignalClient extends EventEmitter<SignalClientEvents> {
  private pingTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private pingTimeoutMs = 15_000;
  private closed = false;
  /** Last RTT from pong_resp, ms. */
  rttMs = 0;

  private constructor(private readonly ws: WebSocket) {
    super();
  }

  /**
   * Opens the socket and waits for the first response (JoinResponse, ReconnectResponse, or any
   * message on resume). A `leave` first means the server refused us.
   */
  static async connect(options: SignalConnectOptions): Promise<{ client: SignalClient; first: SignalResponse }> {
    const query: Query = {
      access_token: options.token,
      auto_subscribe: '0',
      sdk: 'node',
      version: SDK_VERSION,
      protocol: String(SIGNAL_PROTOCOL_VERSION),
      adaptive_stream: '0',
    };
    if (options.resumeSid) {
      query.reconnect = '1';
      query.sid = options.resumeSid;
      query.reconnect_reason = '1'; // RR_SIGNAL_DISCONNECTED
    }
    const wsUrl = signalUrl(options.url, '/rtc', query);
    const timeoutMs = options.timeoutMs ?? 10_000;
    const ws = new WebSocket(wsUrl, { handshakeTimeout: timeoutMs, maxPayload: 16 * 1024 * 1024 });
    ws.binaryType = 'nodebuffer';
    const client = new SignalClient(ws);
    const first = await new Promise<SignalResponse>((resolve, reject) => {
      let settled = false;
      const fail = (e: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
        reject(e);
      };
      const timer = setTimeout(
        () => fail(new LiveKitError(LiveKitErrorCode.ConnectionFailed, `No response from ${options.url} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      ws.once('unexpected-response', (_req, res) => {
        res.resume();
        void explainRejectedUpgrade(options.url, query, res.statusCode ?? 0).then(fail, fail);
      });
      ws.once('error', (err: NodeJS.ErrnoException) => {
        fail(
          new LiveKitError(
            LiveKitErrorCode.BadUrl,
            `Cannot reach LiveKit at ${options.url}: ${err.code ?? err.message}`,
            { cause: err },
          ),
        );
      });
      ws.once('close', (code, reason) => {
        fail(new LiveKitError(LiveKitErrorCode.ConnectionFailed, `Signal connection closed before the join (${code} ${reason.toString()})`));
      });
      ws.once('message', (data: Buffer) => {
        if (settled) return;
        let res: SignalResponse;
        try {
          res = SignalResponse.fromBinary(new Uint8Array(data));
        } catch (cause) {
          fail(new LiveKitError(LiveKitErrorCode.ConnectionFailed, 'Unreadable first signal message', { cause }));
          return;
        }
        if (res.message.case === 'leave') {
          const reason = DisconnectReason[res.message.value.reason] ?? String(res.message.value.reason);
          fail(new LiveKitError(LiveKitErrorCode.ConnectionFailed, `LiveKit refused the join: ${reason}`));
          return;
        }
        settled = true;
        clearTimeout(timer);
        ws.removeAllListeners();
        resolve(res);
      });
    });
    client.attach();
    return { client, first };
  }

  private attach(): void {
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.armSilenceTimer();
      let res: SignalResponse;
      try {
        res = isBinary ? SignalResponse.fromBinary(new Uint8Array(data)) : SignalResponse.fromJsonString(data.toString());
      } catch {
        return;
      }
      if (res.message.case === 'pongResp') {
        this.rttMs = Date.now() - Number(res.message.value.lastPingTimestamp);
      }
      this.emit('response', res);
    });
    this.ws.on('error', () => {
      // 'close' follows.
    });
    this.ws.on('close', (code, reason) => this.lostWith(`signal socket closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`));
    this.ws.on('ping', () => this.armSilenceTimer());
  }

  /** Starts ping/ping_req every interval; no message for `timeoutS` counts as a lost connection. */
  startPing(intervalS: number, timeoutS: number): void {
    if (this.closed) return;
    this.pingTimeoutMs = (timeoutS > 0 ? timeoutS : 15) * 1000;
    const every = (intervalS > 0 ? intervalS : 5) * 1000;
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      const now = BigInt(Date.now());
      this.send({ case: 'ping', value: now });
      this.send({ case: 'pingReq', value: new Ping({ timestamp: now, rtt: BigInt(Math.round(this.rttMs)) }) });
    }, every);
    this.pingTimer.unref();
    this.armSilenceTimer();
  }

  private armSilenceTimer(): void {
    if (this.closed || !this.pingTimer) return;
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => {
      this.ws.terminate();
    }, this.pingTimeoutMs);
    this.silenceTimer.unref();
  }

  send(message: SignalRequest['message']): boolean {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(new SignalRequest({ message }).toBinary());
    return true;
  }

  private lostWith(reason: string): void {
    if (this.closed) return;
    this.stopTimers();
    this.closed = true;
    this.emit('lost', reason);
  }

  private stopTimers(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.silenceTimer);
  }

  /** Sends Leave (unless told not to) and closes the socket with 1000. Idempotent. */
  close(sendLeave = true): void {
    if (this.closed) return;
    if (sendLeave) {
      this.send({
        case: 'leave',
        value: new LeaveRequest({ reason: DisconnectReason.CLIENT_INITIATED, action: LeaveRequest_Action.DISCONNECT }),
      });
    }
    this.closed = true;
    this.stopTimers();
    this.ws.removeAllListeners();
    this.ws.on('error', () => {});
    this.ws.close(1000);
    // Do not let a server that never completes the close handshake keep us alive.
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }

  /** Test hook: drops the TCP connection without a close handshake (like a network failure). */
  destroySocket(): void {
    this.ws.terminate();
  }
}

/** Reads `/rtc/validate` to turn a refused upgrade into an error the user can act on. */
async function explainRejectedUpgrade(url: string, query: Query, upgradeStatus: number): Promise<LiveKitError> {
  let status = upgradeStatus;
  let text = '';
  try {
    const res = await fetch(signalUrl(url, '/rtc/validate', query, true), { signal: AbortSignal.timeout(5000) });
    status = res.status;
    text = (await res.text()).trim();
  } catch {
    // Keep the upgrade status.
  }
  // The server's text may quote the token it refused (livekit-server: "invalid token: eyJ…"):
  // a JWT (three base64url parts) never reaches an error message.
  const safe = text.replace(/[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[token]');
  const detail = safe ? `: ${safe}` : '';
  if (status === 401 || status === 403) {
    return new LiveKitError(LiveKitErrorCode.TokenRejected, `LiveKit rejected the access token (HTTP ${status})${detail}`);
  }
  if (status === 404) {
    if (/room/i.test(text)) {
      return new LiveKitError(LiveKitErrorCode.RoomNotFound, `LiveKit room not found (HTTP 404)${detail}`);
    }
    return new LiveKitError(LiveKitErrorCode.BadUrl, `No LiveKit signal endpoint at ${url} (HTTP 404)${detail}`);
  }
  return new LiveKitError(LiveKitErrorCode.ConnectionFailed, `LiveKit refused the signal connection (HTTP ${status})${detail}`);
}
