/**
 * The egress HTTP front end on node:http: LiveKit's Twirp Egress API (what livekit-server-sdk's
 * `EgressClient` calls), `GET /healthz` and `GET /metrics`, optionally also on their own ports
 * (LiveKit egress's `health_port` and `prometheus_port`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { pino, type Logger } from 'pino';

import { EgressError } from '../egress/egress-error.js';
import type { EgressServiceLike } from '../egress/service-types.js';
import { ApiAuth } from './auth.js';
import { EGRESS_RPCS, EGRESS_SERVICE, UNIMPLEMENTED_EGRESS_METHODS } from './egress-rpc.js';
import { egressMetrics } from './metrics.js';
import { decodeMessage, parseTwirpRoute, readBody, requestEncoding, writeMessage, writeTwirpError } from './twirp.js';

/** Options of {@link startApiServer}. */
export type ApiServerOptions = {
  service: EgressServiceLike;
  /** Key and secret API tokens must be signed with (`api_key` / `api_secret`). */
  apiKey: string;
  apiSecret: string;
  /** (`api_host`) Default `127.0.0.1`. */
  host?: string;
  /** (`api_port`) Default 7980; 0 picks a free port. */
  port?: number;
  /** (`health_port`) Also serve `GET /healthz` (and `/`) on this port, same host. */
  healthPort?: number;
  /** (`prometheus_port`) Also serve `GET /metrics` (and `/`) on this port, same host. */
  prometheusPort?: number;
  /** Default: silent. Request secrets are never logged (bodies are not logged). */
  logger?: Logger;
  /** How long close() waits for requests in flight before cutting connections, ms. Default 5000. */
  closeDeadlineMs?: number;
};

/** A running API server; ports are the bound ones (useful with port 0). */
export type ApiServer = {
  port: number;
  healthPort?: number;
  prometheusPort?: number;
  /**
   * Health answers 503 at once; the API stops listening and lets requests in flight finish (up to
   * the deadline); the health port closes last.
   */
  close(): Promise<void>;
};

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Starts listening and resolves once every port is bound.
 * @throws the listen error (e.g. EADDRINUSE), after closing what was already bound.
 * @example
 * const api = await startApiServer({ service, apiKey, apiSecret, port: 7980 });
 * // new EgressClient('http://127.0.0.1:7980', apiKey, apiSecret).startTrackEgress(...)
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { service, host = '127.0.0.1', port = 7980, closeDeadlineMs = 5000 } = options;
  const logger = options.logger ?? pino({ level: 'silent' });
  const auth = new ApiAuth(options.apiKey, options.apiSecret);
  const registry = egressMetrics(service);
  let closing = false;

  const health: Handler = async (_req, res) => {
    res.writeHead(closing ? 503 : 200, { 'Content-Type': 'text/plain' });
    res.end(closing ? 'shutting down' : 'OK');
  };
  const metrics: Handler = async (_req, res) => {
    const text = await registry.metrics();
    res.writeHead(200, { 'Content-Type': registry.contentType });
    res.end(text);
  };
  const twirp: Handler = async (req, res) => {
    if (closing) throw new EgressError('unavailable', 'server is shutting down');
    await handleTwirp(req, res, service, auth);
  };

  const servers: Server[] = [];
  let healthServer: Server | undefined;
  const listen = async (routes: Record<string, Handler>, fallback: Handler | undefined, at: number) => {
    const server = createServer((req, res) => {
      // While closing, no keep-alive: each connection ends with its response.
      if (closing) res.setHeader('Connection', 'close');
      void dispatch(req, res, routes, fallback, logger);
    });
    if (routes['/'] === health) healthServer = server;
    else servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  };
  // The health port closes last, so that probes see 503 (not a refused connection) while the
  // API drains.
  const close = async () => {
    closing = true;
    await Promise.all(servers.map((server) => closeServer(server, closeDeadlineMs)));
    if (healthServer) await closeServer(healthServer, closeDeadlineMs);
  };

  try {
    const api: ApiServer = { port: await listen({ '/healthz': health, '/metrics': metrics }, twirp, port), close };
    if (options.healthPort !== undefined) api.healthPort = await listen({ '/healthz': health, '/': health }, undefined, options.healthPort);
    if (options.prometheusPort !== undefined) api.prometheusPort = await listen({ '/metrics': metrics, '/': metrics }, undefined, options.prometheusPort);
    logger.info({ host, port: api.port, healthPort: api.healthPort, prometheusPort: api.prometheusPort }, 'egress API listening');
    return api;
  } catch (err) {
    await close();
    throw err;
  }
}

/** GET routes by path, else `fallback` (the Twirp API), else 404; errors become Twirp error bodies. */
async function dispatch(
  req: IncomingMessage,
  res: ServerResponse,
  routes: Record<string, Handler>,
  fallback: Handler | undefined,
  logger: Logger,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  try {
    const route = req.method === 'GET' ? routes[path] : undefined;
    if (route) await route(req, res);
    else if (fallback) await fallback(req, res);
    else throw new EgressError('bad_route', `no handler for ${req.method} ${path}`);
  } catch (err) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // A body we did not read would be parsed as the next request: close the connection instead.
    if (!req.complete) res.setHeader('Connection', 'close');
    if (err instanceof EgressError) {
      logger.debug({ path, code: err.twirpCode, error: err.message }, 'API request refused');
      const meta = err.twirpCode === 'bad_route' ? { twirp_invalid_route: `${req.method} ${path}` } : undefined;
      writeTwirpError(res, err.twirpCode, err.message, meta);
    } else {
      logger.error({ path, err }, 'API request failed');
      writeTwirpError(res, 'internal', 'internal error');
    }
  }
}

/** One Twirp call: route → POST → auth → decode → service → reply in the request's encoding. */
async function handleTwirp(req: IncomingMessage, res: ServerResponse, service: EgressServiceLike, auth: ApiAuth): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const route = parseTwirpRoute(path);
  const known = route?.service === EGRESS_SERVICE && (EGRESS_RPCS.has(route.method) || UNIMPLEMENTED_EGRESS_METHODS.has(route.method));
  if (!route || !known) throw new EgressError('bad_route', `no handler for path ${JSON.stringify(path)}`);
  if (req.method !== 'POST') throw new EgressError('bad_route', `unsupported method ${JSON.stringify(req.method)} (only POST is allowed)`);
  await auth.requireRoomRecord(req.headers.authorization);
  const rpc = EGRESS_RPCS.get(route.method);
  if (!rpc) throw new EgressError('unimplemented', `${route.method} is not implemented: this server records single tracks (StartTrackEgress)`);
  const encoding = requestEncoding(req.headers['content-type']);
  const input = decodeMessage(rpc.input, await readBody(req), encoding);
  writeMessage(res, await rpc.call(service, input), encoding);
}

/** Stops accepting, closes keep-alive connections as they become idle, and cuts the rest after `deadlineMs`. */
async function closeServer(server: Server, deadlineMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive connections whose request finishes during the drain become idle later: close them then.
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      server.closeAllConnections();
      resolve();
    }, deadlineMs);
    timer.unref();
  });
  await Promise.race([closed, deadline]);
  clearTimeout(timer);
  clearInterval(idle);
  await closed;
}
