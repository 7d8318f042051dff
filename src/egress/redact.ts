/**
 * Secrets of a track egress request: the redacted copy that goes into `EgressInfo.request.track`
 * (as LiveKit's `egress.RedactDirectOutputs` / `utils.Redact` build it), and the raw secret strings
 * so that logs and error messages can be scrubbed. Reference livekit-track-egress.md §5.1.
 */
import type { ProxyConfig, TrackEgressRequest } from '@livekit/protocol';

import { EgressError } from './egress-error.js';

/** What a query value, user info or fragment of a URL becomes in a redacted URL (LiveKit's `{...}`). */
const REDACTED_URL_PART = '{...}';
/** What {@link scrubSecrets} writes in place of a secret. */
export const SCRUBBED = '{redacted}';
/**
 * Secrets shorter than this are not scrubbed from free text by {@link scrubSecrets} (replacing
 * every `1` or `ab` in a log line hides nothing and destroys the line). Redacted request copies
 * replace them whatever their length.
 */
export const MIN_SCRUB_LENGTH = 4;

/** LiveKit's `utils.Redact`: a non-empty value becomes the placeholder, an empty one stays empty. */
const redact = (value: string, placeholder: string): string => (value === '' ? '' : placeholder);

/**
 * `url` with every query value, the user info and the fragment replaced by `{...}`; scheme, host,
 * path and query keys are kept. LiveKit does this for the copy of `websocket_url` in
 * `request.track`; we also use it for proxy URLs, webhook URLs and every error message that names
 * a URL. Works on strings that do not parse as URLs (no secret survives a parse error).
 * @example redactUrl('wss://h/ingest?token=abc&x=1') // → 'wss://h/ingest?token={...}&x={...}'
 */
export function redactUrl(url: string): string {
  let rest = url;
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = hash + 1 < rest.length ? `#${REDACTED_URL_PART}` : '#';
    rest = rest.slice(0, hash);
  }
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = `?${rest
      .slice(q + 1)
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq >= 0) return `${pair.slice(0, eq)}=${REDACTED_URL_PART}`;
        return pair === '' ? '' : REDACTED_URL_PART;
      })
      .join('&')}`;
    rest = rest.slice(0, q);
  }
  rest = rest.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/@]*@/, `$1${REDACTED_URL_PART}@`);
  return rest + query + fragment;
}

/**
 * The secret parts of a URL that {@link redactUrl} hides (query values, user info, fragment; raw
 * and percent-decoded), for {@link scrubSecrets}. Never log them.
 */
export function urlSecrets(url: string): string[] {
  const out: string[] = [];
  const hash = url.indexOf('#');
  if (hash >= 0) out.push(url.slice(hash + 1));
  const beforeHash = hash >= 0 ? url.slice(0, hash) : url;
  const q = beforeHash.indexOf('?');
  if (q >= 0) {
    for (const pair of beforeHash.slice(q + 1).split('&')) {
      const eq = pair.indexOf('=');
      out.push(eq >= 0 ? pair.slice(eq + 1) : pair);
    }
  }
  const userinfo = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/@?#]*)@/.exec(beforeHash)?.[1];
  // `user:password` → both the pair and the password; a lone user info is a token.
  if (userinfo) out.push(userinfo, userinfo.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : userinfo);
  return out.flatMap((s) => [s, safeDecode(s)]);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function redactProxy(proxy: ProxyConfig | undefined): void {
  if (!proxy) return;
  proxy.url = redactUrl(proxy.url);
  proxy.password = redact(proxy.password, '{password}');
}

/**
 * A deep copy of `req` with every secret replaced, for `EgressInfo.request.track`, logs and webhooks:
 * - S3: `access_key` → `{access_key}`, `secret` → `{secret}`, `session_token` → `{session_token}`,
 *   `assume_role_external_id` → `{external_id}` (LiveKit's placeholders); proxy password →
 *   `{password}` and the proxy URL through {@link redactUrl} (LiveKit leaves both raw).
 * - GCP: `credentials` → `{credentials}` (+ proxy as above); Azure: `account_name` → `{account_name}`,
 *   `account_key` → `{account_key}`; AliOSS: `access_key` → `{access_key}`, `secret` → `{secret}`.
 * - `websocket_url`: {@link redactUrl} (query values → `{...}`).
 * - `webhooks[]`: `signing_key` → `{signing_key}`, `url` through {@link redactUrl} (LiveKit keeps them).
 * Empty values stay empty. `req` itself is not changed.
 */
export function redactTrackRequest(req: TrackEgressRequest): TrackEgressRequest {
  const copy = req.clone();
  if (copy.output.case === 'websocketUrl') copy.output.value = redactUrl(copy.output.value);
  if (copy.output.case === 'file') {
    const out = copy.output.value.output;
    switch (out.case) {
      case 's3': {
        const s3 = out.value;
        s3.accessKey = redact(s3.accessKey, '{access_key}');
        s3.secret = redact(s3.secret, '{secret}');
        s3.sessionToken = redact(s3.sessionToken, '{session_token}');
        s3.assumeRoleExternalId = redact(s3.assumeRoleExternalId, '{external_id}');
        redactProxy(s3.proxy);
        break;
      }
      case 'gcp':
        out.value.credentials = redact(out.value.credentials, '{credentials}');
        redactProxy(out.value.proxy);
        break;
      case 'azure':
        out.value.accountName = redact(out.value.accountName, '{account_name}');
        out.value.accountKey = redact(out.value.accountKey, '{account_key}');
        break;
      case 'aliOSS':
        out.value.accessKey = redact(out.value.accessKey, '{access_key}');
        out.value.secret = redact(out.value.secret, '{secret}');
        break;
      default:
        break;
    }
  }
  for (const hook of copy.webhooks) {
    hook.signingKey = redact(hook.signingKey, '{signing_key}');
    hook.url = redactUrl(hook.url);
  }
  return copy;
}

/**
 * The raw secret strings of `req` (everything {@link redactTrackRequest} hides, URL parts also
 * percent-decoded, the string fields of GCP JSON credentials too), unique and non-empty, longest
 * first. Keep them with the job to pass to {@link scrubSecrets}; never log them.
 */
export function requestSecrets(req: TrackEgressRequest): string[] {
  const found: string[] = [];
  const proxy = (p: ProxyConfig | undefined): void => {
    if (p) found.push(p.password, ...urlSecrets(p.url));
  };
  if (req.output.case === 'websocketUrl') found.push(...urlSecrets(req.output.value));
  if (req.output.case === 'file') {
    const out = req.output.value.output;
    if (out.case === 's3') {
      const s3 = out.value;
      found.push(s3.accessKey, s3.secret, s3.sessionToken, s3.assumeRoleExternalId);
      proxy(s3.proxy);
    } else if (out.case === 'gcp') {
      found.push(out.value.credentials, ...jsonStrings(out.value.credentials));
      proxy(out.value.proxy);
    } else if (out.case === 'azure') {
      found.push(out.value.accountName, out.value.accountKey);
    } else if (out.case === 'aliOSS') {
      found.push(out.value.accessKey, out.value.secret);
    }
  }
  for (const hook of req.webhooks) found.push(hook.signingKey, ...urlSecrets(hook.url));
  return [...new Set(found.filter((s) => s !== ''))].sort((a, b) => b.length - a.length);
}

/** The string values (≥ 16 chars) at the top of a JSON document (GCP service-account credentials hold private_key etc.). */
function jsonStrings(json: string): string[] {
  try {
    const doc: unknown = JSON.parse(json);
    return doc && typeof doc === 'object' ? Object.values(doc).filter((v): v is string => typeof v === 'string' && v.length >= 16) : [];
  } catch {
    return [];
  }
}

/**
 * `text` with every occurrence of each secret replaced by `{redacted}` — as written, percent-encoded
 * and JSON-escaped. Secrets shorter than {@link MIN_SCRUB_LENGTH} are skipped.
 * @example scrubSecrets(`S3 said: bad key AKIA123`, ['AKIA123']) // → 'S3 said: bad key {redacted}'
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (s.length < MIN_SCRUB_LENGTH) continue;
    forms.add(s).add(encodeURIComponent(s)).add(JSON.stringify(s).slice(1, -1));
  }
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join(SCRUBBED);
  return out;
}

/**
 * `e` as an {@link EgressError} whose message holds none of `secrets`: an EgressError keeps its
 * Twirp code (its cause is dropped: it may quote the secret); anything else becomes
 * `other(scrubbed message)`. The one place an error is cleaned before EgressInfo, logs or callers.
 * @example scrubError(err, requestSecrets(req), (m) => new EgressError('internal', m))
 */
export function scrubError(e: unknown, secrets: readonly string[], other: (message: string) => EgressError): EgressError {
  if (e instanceof EgressError) return new EgressError(e.twirpCode, scrubSecrets(e.message, secrets));
  return other(scrubSecrets(e instanceof Error ? e.message : String(e), secrets));
}
