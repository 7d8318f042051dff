/**
 * The URL of a WebSocket output (`TrackEgressRequest.websocket_url`, `record -o ws://…`): LiveKit's
 * synchronous check (egress `pkg/config/urls.go`) and how `record` tells it from a file path.
 * Small on purpose: the CLI's argument parser loads it.
 */
import { EgressError } from './egress-error.js';
import { invalidUrl } from './end-reasons.js';
import { redactUrl } from './redact.js';

/** Whether a `record` output is a WebSocket URL (`ws://` or `wss://`, any case). */
export function isWebSocketUrl(output: string): boolean {
  return /^wss?:\/\//i.test(output);
}

/**
 * LiveKit's check of `websocket_url`: the scheme must be `ws` or `wss` (any case: Go's url.Parse
 * lower-cases it), else `invalid url <url>: invalid scheme`; we also refuse a URL without a host
 * (`invalid url <url>: missing host`), which LiveKit would only find when dialling. The URL in the
 * message is redacted (`redactUrl`: query values → `{...}`); LiveKit prints it raw, tokens included.
 * @throws EgressError `invalid_argument`.
 * @example checkWebSocketUrl('http://h/x?token=abc') // throws 'invalid url http://h/x?token={...}: invalid scheme'
 */
export function checkWebSocketUrl(url: string): void {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  if (scheme !== 'ws' && scheme !== 'wss') throw new EgressError('invalid_argument', invalidUrl(redactUrl(url), 'invalid scheme'));
  let host = '';
  try {
    host = new URL(url).host;
  } catch {
    // reported below
  }
  if (!host) throw new EgressError('invalid_argument', invalidUrl(redactUrl(url), 'missing host'));
}
