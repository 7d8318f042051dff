/** The WebSocket dial's proxy from the environment, as Go's http.ProxyFromEnvironment reads it (HTTP_PROXY for ws:, HTTPS_PROXY for wss:, NO_PROXY). */
import { describe, expect, it } from 'vitest';

import { proxyForWebSocket } from '../../../src/egress/websocket/ws-proxy.js';

const P = 'http://proxy.local:3128';
const proxy = (url: string, env: Record<string, string>) => proxyForWebSocket(new URL(url), env);

describe('proxyForWebSocket', () => {
  it('ws: uses HTTP_PROXY, wss: HTTPS_PROXY; upper case first, then lower case; a bare host:port means http://', () => {
    expect(proxy('ws://a.example/x', { HTTP_PROXY: P, HTTPS_PROXY: 'http://other:1' })).toBe(P);
    expect(proxy('wss://a.example/x', { HTTP_PROXY: P, HTTPS_PROXY: 'http://other:1' })).toBe('http://other:1');
    expect(proxy('ws://a.example/x', { http_proxy: P })).toBe(P);
    expect(proxy('ws://a.example/x', { HTTP_PROXY: P, http_proxy: 'http://lower:1' })).toBe(P);
    expect(proxy('ws://a.example/x', { HTTP_PROXY: 'proxy.local:3128' })).toBe(P);
    expect(proxy('wss://a.example/x', { HTTP_PROXY: P })).toBeUndefined();
    expect(proxy('ws://a.example/x', {})).toBeUndefined();
  });

  it('NO_PROXY: *, exact hosts and their subdomains, .domain / *.domain for subdomains only, host:port, IPs and CIDRs', () => {
    const env = (no: string) => ({ HTTP_PROXY: P, HTTPS_PROXY: P, NO_PROXY: no });
    expect(proxy('ws://a.example/x', env('*'))).toBeUndefined();
    expect(proxy('ws://example.com/x', env('example.com'))).toBeUndefined();
    expect(proxy('ws://sub.example.com/x', env('example.com'))).toBeUndefined();
    expect(proxy('ws://notexample.com/x', env('example.com'))).toBe(P);
    expect(proxy('ws://example.com/x', env('.example.com'))).toBe(P);
    expect(proxy('ws://sub.example.com/x', env('.example.com'))).toBeUndefined();
    expect(proxy('ws://sub.example.com/x', env('*.example.com'))).toBeUndefined();
    expect(proxy('ws://example.com:8080/x', env('example.com:8080'))).toBeUndefined();
    expect(proxy('ws://example.com/x', env('example.com:8080'))).toBe(P);
    expect(proxy('wss://example.com/x', env('example.com:443'))).toBeUndefined();
    expect(proxy('ws://10.1.2.3:9000/x', env('foo, 10.0.0.0/8'))).toBeUndefined();
    expect(proxy('ws://11.1.2.3:9000/x', env('10.0.0.0/8'))).toBe(P);
    expect(proxy('ws://127.0.0.1:9000/x', env('127.0.0.1'))).toBeUndefined();
    expect(proxy('ws://[::1]:9000/x', env('::1'))).toBeUndefined();
    expect(proxy('ws://EXAMPLE.com/x', { HTTP_PROXY: P, no_proxy: 'Example.COM' })).toBeUndefined();
  });
});
