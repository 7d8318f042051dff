/**
 * The proxy of a WebSocket dial, from the environment, as LiveKit's egress gets it (gorilla's
 * DefaultDialer uses Go's `http.ProxyFromEnvironment`; reference livekit-track-egress.md §4):
 * `ws:` → HTTP_PROXY, `wss:` → HTTPS_PROXY (ALL_PROXY as a fallback; lower or upper case),
 * NO_PROXY exempting hosts. The variables are read by `proxy-from-env` (axios's reader) for the
 * http:/https: form of the URL. Both schemes go through an HTTP CONNECT tunnel (gorilla tunnels
 * ws: as well), with TLS to the target after it for wss:.
 *
 * Differences from Go: loopback targets are proxied unless NO_PROXY lists them (Go never proxies
 * `localhost`/loopback); NO_PROXY `example.com` exempts that host only (Go: its subdomains too;
 * write `.example.com` for them); CIDR entries are not understood.
 */
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';

/** The proxy URL for a WebSocket `target` (ws: or wss:), or undefined for a direct connection. */
export function proxyForWebSocket(target: URL): string | undefined {
  const asHttp = new URL(target.href);
  asHttp.protocol = target.protocol === 'wss:' ? 'https:' : 'http:';
  const proxy = getProxyForUrl(asHttp.href);
  if (!proxy) return undefined;
  // proxy-from-env gives a scheme-less value the target's scheme; a proxy is spoken to in plain
  // HTTP (CONNECT), so https://host:port without a path is read as http:// (TLS to the proxy is not supported).
  return proxy.replace(/^https:\/\/(?=[^/]*$)/, 'http://');
}

/** The `ws` agent that tunnels to `target` through its proxy (see {@link proxyForWebSocket}), or undefined. */
export function webSocketProxyAgent(target: URL): HttpsProxyAgent<string> | undefined {
  const proxy = proxyForWebSocket(target);
  return proxy === undefined ? undefined : new HttpsProxyAgent(proxy);
}
