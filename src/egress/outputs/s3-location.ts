/**
 * Where an object uploaded with an `S3Upload` can be found: the `FileInfo.location` URL.
 *
 * LiveKit builds it as a string, without the region, and breaks custom endpoints that carry a
 * scheme in virtual-hosted style (`https://bucket.https://host/...`, reference §6.1, egress#953).
 * Here:
 * - AWS (no endpoint): virtual-hosted `https://<bucket>.s3[.<region>].amazonaws.com/<key>`,
 *   path-style `https://s3[.<region>].amazonaws.com/<bucket>/<key>` (the region is put in the host
 *   when the request names one: the regional endpoint is the one that serves the object without a
 *   redirect).
 * - Custom endpoint (`https://` assumed when it has no scheme): path-style
 *   `<endpoint>/<bucket>/<key>`, virtual-hosted `<scheme>://<bucket>.<host>[:port]/<key>`.
 * - A bucket name with a dot is always path-style (a virtual host `a.b.host` fails TLS wildcard
 *   matching; the AWS SDK switches to path style for it too).
 * Each key segment is percent-encoded (RFC 3986 §2.1), the `/` between segments kept.
 */
import type { S3Upload } from '@livekit/protocol';

/** The region the SDK signs for: the request's, or `us-east-1` when empty (MinIO's default; egress#828). */
export function s3Region(upload: Pick<S3Upload, 'region'>): string {
  return upload.region.trim() || 'us-east-1';
}

/**
 * The custom endpoint as a URL without a trailing slash (`https://` prepended when it has no
 * scheme, as LiveKit does), or undefined for AWS.
 */
export function s3Endpoint(upload: Pick<S3Upload, 'endpoint'>): string | undefined {
  const e = upload.endpoint.trim().replace(/\/+$/, '');
  if (!e) return undefined;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(e) ? e : `https://${e}`;
}

/** `key` with each `/`-separated segment percent-encoded. */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** The object's URL (see the rules at the top of this file). */
export function s3Location(upload: S3Upload, key: string): string {
  const k = encodeKey(key);
  const bucket = upload.bucket;
  const pathStyle = upload.forcePathStyle || bucket.includes('.');
  const endpoint = s3Endpoint(upload);
  if (!endpoint) {
    const region = upload.region.trim();
    const host = region ? `s3.${region}.amazonaws.com` : 's3.amazonaws.com';
    return pathStyle ? `https://${host}/${bucket}/${k}` : `https://${bucket}.${host}/${k}`;
  }
  if (pathStyle) return `${endpoint}/${encodeURIComponent(bucket)}/${k}`;
  const url = new URL(endpoint);
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${bucket}.${url.host}${path}/${k}`;
}
