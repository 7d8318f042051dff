/** The WebSocket dial's proxy from the environment (HTTP_PROXY for ws:, HTTPS_PROXY for wss:, NO_PROXY), read by proxy-from-env. */
import { afterEach, describe, expect, it } from 'vitest';

import { proxyForWebSocket } from '../../../src/egress/websocket/ws-proxy.js';

const P = 'http://proxy.local:3128';
const NAMES = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'all_proxy', 'no_proxy'];
const saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));

function proxy(url: string, env: Record<string, string>): string | undefined {
  for (const n of NAMES) delete process.env[n];
  Object.assign(process.env, env);
  return proxyForWebSocket(new URL(url));
}

afterEach(() => {
  for (const n of NAMES) {
    if (saved[n] === undefined) delete process.env[n];
    else process.env[n] = saved[n];
  }
});

describe('proxyForWebSocket', () => {
  it('ws: uses HTTP_PROXY, wss: HTTPS_PROXY, either case; a bare host:port is an HTTP proxy', () => {
    expect(proxy('ws://a.example/x', { HTTP_PROXY: P, HTTPS_PROXY: 'http://other:1' })).toBe(P);
    expect(proxy('wss://a.example/x', { HTTP_PROXY: P, HTTPS_PROXY: 'http://other:1' })).toBe('http://other:1');
    expect(proxy('ws://a.example/x', { http_proxy: P })).toBe(P);
    expect(proxy('ws://a.example/x', { HTTP_PROXY: 'proxy.local:3128' })).toBe(P);
    expect(proxy('wss://a.example/x', { HTTPS_PROXY: 'proxy.local:3128' })).toBe(P);
    expect(proxy('wss://a.example/x', { HTTP_PROXY: P })).toBeUndefined();
    expect(proxy('ws://a.example/x', {})).toBeUndefined();
  });

  it('NO_PROXY: *, exact hosts, .domain / *.domain for subdomains, host:port, IP literals', () => {
    const env = (no: string) => ({ HTTP_PROXY: P, HTTPS_PROXY: P, NO_PROXY: no });
    expect(proxy('ws://a.example/x', env('*'))).toBeUndefined();
    expect(proxy('ws://example.com/x', env('example.com'))).toBeUndefined();
    expect(proxy('ws://notexample.com/x', env('example.com'))).toBe(P);
    expect(proxy('ws://sub.example.com/x', env('.example.com'))).toBeUndefined();
    expect(proxy('ws://sub.example.com/x', env('*.example.com'))).toBeUndefined();
    expect(proxy('ws://example.com:8080/x', env('example.com:8080'))).toBeUndefined();
    expect(proxy('ws://example.com/x', env('example.com:8080'))).toBe(P);
    expect(proxy('wss://example.com/x', env('example.com:443'))).toBeUndefined();
    expect(proxy('ws://127.0.0.1:9000/x', env('foo,127.0.0.1'))).toBeUndefined();
    expect(proxy('ws://127.0.0.1:9000/x', env('foo'))).toBe(P);
    expect(proxy('ws://EXAMPLE.com/x', { HTTP_PROXY: P, no_proxy: 'Example.COM' })).toBeUndefined();
  });
});
