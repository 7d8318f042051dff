/**
 * An `S3Client` (@aws-sdk/client-s3) configured from a request's `S3Upload`, as LiveKit's egress
 * configures its AWS SDK client (reference §6.1), with timeouts that notice a dead endpoint in
 * seconds. Retries are NOT the SDK's (maxAttempts 1): the S3 sink retries each request itself
 * with its outage policy (`s3-retry.ts`), so a long outage is ridden out and never multiplied.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Upload } from '@livekit/protocol';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';

import { EgressError } from '../egress-error.js';
import type { UploadPolicy } from '../service-types.js';
import { s3Endpoint, s3Region } from './s3-location.js';

/** TCP (and TLS) connect timeout, ms: an unreachable endpoint fails this fast. */
export const S3_CONNECT_TIMEOUT_MS = 5_000;
/** A request whose socket stays idle this long (no byte sent or received) fails, ms. */
export const S3_SOCKET_IDLE_TIMEOUT_MS = 15_000;

const SILENT = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** The proxy agents for `upload.proxy` (HTTP targets: absolute-URI requests; HTTPS: CONNECT tunnel). */
function proxyAgents(proxy: NonNullable<S3Upload['proxy']>): { httpAgent: HttpAgent; httpsAgent: HttpsAgent } {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(proxy.url) ? proxy.url : `http://${proxy.url}`);
  } catch {
    throw new EgressError('invalid_argument', 'request has missing or invalid field: s3.proxy.url');
  }
  if (proxy.username) url.username = encodeURIComponent(proxy.username);
  if (proxy.password) url.password = encodeURIComponent(proxy.password);
  const opts = { keepAlive: true };
  return { httpAgent: new HttpProxyAgent(url, opts), httpsAgent: new HttpsProxyAgent(url, opts) as unknown as HttpsAgent };
}

/**
 * A client for `upload`: static credentials from access_key/secret/session_token (none given →
 * the SDK's default chain: env, shared config, instance role), region (empty → `us-east-1`), the
 * custom endpoint as base endpoint (`https://` when it has no scheme), `force_path_style`, the
 * proxy, connect/idle timeouts, no SDK retries, checksums only where S3 requires them (for
 * S3-compatible servers that reject the newer default trailing checksums).
 * `policy` is accepted for symmetry with the sink; the client itself does not retry.
 * @throws EgressError `invalid_argument` (bad proxy URL), `unimplemented` (assume_role_arn).
 */
export function s3ClientFor(upload: S3Upload, _policy?: UploadPolicy): S3Client {
  if (upload.assumeRoleArn) throw new EgressError('unimplemented', 'S3 assume_role_arn is not supported; pass access_key/secret (or session_token)');
  const agents = upload.proxy?.url ? proxyAgents(upload.proxy) : {};
  const endpoint = s3Endpoint(upload);
  return new S3Client({
    region: s3Region(upload),
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: upload.forcePathStyle,
    ...(upload.accessKey && upload.secret
      ? { credentials: { accessKeyId: upload.accessKey, secretAccessKey: upload.secret, ...(upload.sessionToken ? { sessionToken: upload.sessionToken } : {}) } }
      : {}),
    maxAttempts: 1,
    // The SDK prints some warnings with console.warn unless given a logger; the sink logs itself.
    logger: SILENT,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: S3_CONNECT_TIMEOUT_MS,
      requestTimeout: S3_SOCKET_IDLE_TIMEOUT_MS,
      ...agents,
    }),
  });
}
