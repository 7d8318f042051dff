/**
 * The proxy of a WebSocket dial, from the environment as Go's `http.ProxyFromEnvironment` reads it
 * (LiveKit's egress dials with gorilla's DefaultDialer, which uses it; reference
 * livekit-track-egress.md §4): `ws:` → HTTP_PROXY, `wss:` → HTTPS_PROXY (upper case first, then
 * lower case), NO_PROXY / no_proxy exempting hosts. Both go through an HTTP CONNECT tunnel
 * (gorilla tunnels ws: as well), with TLS to the target after it for wss:.
 *
 * Differences from Go: loopback targets are proxied unless NO_PROXY lists them (Go never proxies
 * `localhost`/loopback); NO_PROXY CIDR entries are honoured for IP literals only, as in Go.
 */
import { BlockList, isIP } from 'node:net';

import { HttpsProxyAgent } from 'https-proxy-agent';

type Env = Record<string, string | undefined>;

const envAny = (env: Env, ...names: string[]): string => {
  for (const n of names) {
    const v = env[n];
    if (v) return v;
  }
  return '';
};

/**
 * The proxy URL for a WebSocket `target` (ws: or wss:), or undefined for a direct connection.
 * A proxy value without a scheme means `http://` (as Go reads it).
 */
export function proxyForWebSocket(target: URL, env: Env = process.env): string | undefined {
  const proxy = target.protocol === 'wss:' ? envAny(env, 'HTTPS_PROXY', 'https_proxy') : envAny(env, 'HTTP_PROXY', 'http_proxy');
  if (!proxy) return undefined;
  if (bypassed(target, envAny(env, 'NO_PROXY', 'no_proxy'))) return undefined;
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(proxy) ? proxy : `http://${proxy}`;
}

/** The `ws` agent that tunnels to `target` through its proxy (see {@link proxyForWebSocket}), or undefined. */
export function webSocketProxyAgent(target: URL, env: Env = process.env): HttpsProxyAgent<string> | undefined {
  const proxy = proxyForWebSocket(target, env);
  return proxy === undefined ? undefined : new HttpsProxyAgent(proxy);
}

/** Whether NO_PROXY (comma-separated hosts, `.domain`, `*.domain`, `host:port`, IPs, CIDRs, `*`) exempts `target`. */
function bypassed(target: URL, noProxy: string): boolean {
  if (!noProxy.trim()) return false;
  const host = target.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const port = target.port || (target.protocol === 'wss:' ? '443' : '80');
  for (const raw of noProxy.split(',')) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    if (entry.includes('/')) {
      if (inCidr(host, entry)) return true;
      continue;
    }
    let entryPort = '';
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (m) {
      entry = m[1]!;
      entryPort = m[2]!;
    }
    entry = entry.replace(/^\[(.*)\]$/, '$1');
    if (entryPort && entryPort !== port) continue;
    if (entry.startsWith('*.')) entry = entry.slice(1);
    if (entry.startsWith('.')) {
      if (host.endsWith(entry)) return true;
    } else if (host === entry || (!isIP(entry) && host.endsWith(`.${entry}`))) {
      return true;
    }
  }
  return false;
}

function inCidr(host: string, cidr: string): boolean {
  const kind = isIP(host);
  const [net, bits] = cidr.split('/');
  const netKind = isIP(net ?? '');
  if (!kind || kind !== netKind || !/^\d+$/.test(bits ?? '')) return false;
  const list = new BlockList();
  try {
    list.addSubnet(net!, Number(bits), netKind === 4 ? 'ipv4' : 'ipv6');
  } catch {
    return false;
  }
  return list.check(host, kind === 4 ? 'ipv4' : 'ipv6');
}
