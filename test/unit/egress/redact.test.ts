import {
  AliOSSUpload,
  AzureBlobUpload,
  DirectFileOutput,
  GCPUpload,
  ProxyConfig,
  S3Upload,
  TrackEgressRequest,
  WebhookConfig,
} from '@livekit/protocol';
import { describe, expect, it } from 'vitest';

import { newEgressInfo } from '../../../src/egress/egress-info.js';
import { redactTrackRequest, redactUrl, requestSecrets, scrubSecrets } from '../../../src/egress/redact.js';

const SIGNING = 'whsec-signing-key-0001';
const HOOK_TOKEN = 'hook-query-token-0002';
const hooks = [new WebhookConfig({ url: `https://hooks.example/in?token=${HOOK_TOKEN}`, signingKey: SIGNING })];

function fileRequest(output: DirectFileOutput['output']): TrackEgressRequest {
  return new TrackEgressRequest({
    roomName: 'my-room',
    trackId: 'TR_AMx',
    output: { case: 'file', value: new DirectFileOutput({ filepath: 'livekit-demo/track-test.mp4', output }) },
    webhooks: hooks,
  });
}

const S3_SECRETS = {
  accessKey: 'AKIA-access-key-1001',
  secret: 'secret/key+with=chars-1002',
  sessionToken: 'session-token-1003',
  assumeRoleExternalId: 'external-id-1004',
  proxyPassword: 'proxy-password-1005',
  proxyUrlToken: 'proxy-url-secret-1006',
};
const s3Request = fileRequest({
  case: 's3',
  value: new S3Upload({
    accessKey: S3_SECRETS.accessKey,
    secret: S3_SECRETS.secret,
    sessionToken: S3_SECRETS.sessionToken,
    assumeRoleArn: 'arn:aws:iam::123:role/rec',
    assumeRoleExternalId: S3_SECRETS.assumeRoleExternalId,
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9000',
    bucket: 'b',
    forcePathStyle: true,
    proxy: new ProxyConfig({ url: `http://user:${S3_SECRETS.proxyUrlToken}@proxy:3128`, username: 'user', password: S3_SECRETS.proxyPassword }),
  }),
});

const GCP_KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQ-gcp-private-key-2001\n-----END PRIVATE KEY-----\n';
const GCP_CREDENTIALS = JSON.stringify({ type: 'service_account', private_key: GCP_KEY, client_email: 'rec@p.iam.gserviceaccount.com' });
const gcpRequest = fileRequest({ case: 'gcp', value: new GCPUpload({ credentials: GCP_CREDENTIALS, bucket: 'g', proxy: new ProxyConfig({ url: 'http://proxy:3128', password: 'gcp-proxy-password-2002' }) }) });
const azureRequest = fileRequest({ case: 'azure', value: new AzureBlobUpload({ accountName: 'azure-account-3001', accountKey: 'azure-account-key-3002', containerName: 'c' }) });
const aliRequest = fileRequest({ case: 'aliOSS', value: new AliOSSUpload({ accessKey: 'ali-access-4001', secret: 'ali-secret-4002', region: 'r', endpoint: 'e', bucket: 'b' }) });
const WS_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.ws-token-5001';
const wsRequest = new TrackEgressRequest({ roomName: 'my-room', trackId: 'TR_AMx', output: { case: 'websocketUrl', value: `wss://asr.example/ingest?token=${WS_TOKEN}&lang=en-5002` } });

const CASES: [string, TrackEgressRequest, string[]][] = [
  ['s3', s3Request, [...Object.values(S3_SECRETS), SIGNING, HOOK_TOKEN]],
  ['gcp', gcpRequest, [GCP_CREDENTIALS, GCP_KEY, 'gcp-proxy-password-2002', SIGNING, HOOK_TOKEN]],
  ['azure', azureRequest, ['azure-account-3001', 'azure-account-key-3002', SIGNING, HOOK_TOKEN]],
  ['aliOSS', aliRequest, ['ali-access-4001', 'ali-secret-4002', SIGNING, HOOK_TOKEN]],
  ['websocket', wsRequest, [WS_TOKEN, 'en-5002']],
];

describe('redactTrackRequest (LiveKit placeholders)', () => {
  it('S3: {access_key} {secret} {session_token} {external_id}, proxy password and URL, non-secrets kept', () => {
    const r = redactTrackRequest(s3Request);
    const out = r.output.case === 'file' ? r.output.value : undefined;
    const s3 = out?.output.case === 's3' ? out.output.value : undefined;
    expect(s3?.accessKey).toBe('{access_key}');
    expect(s3?.secret).toBe('{secret}');
    expect(s3?.sessionToken).toBe('{session_token}');
    expect(s3?.assumeRoleExternalId).toBe('{external_id}');
    expect(s3?.proxy?.password).toBe('{password}');
    expect(s3?.proxy?.url).toBe('http://{...}@proxy:3128');
    expect(s3?.proxy?.username).toBe('user');
    expect(s3?.assumeRoleArn).toBe('arn:aws:iam::123:role/rec');
    expect(s3?.endpoint).toBe('http://127.0.0.1:9000');
    expect(s3?.bucket).toBe('b');
    expect(out?.filepath).toBe('livekit-demo/track-test.mp4');
    expect(r.webhooks[0]?.signingKey).toBe('{signing_key}');
    expect(r.webhooks[0]?.url).toBe('https://hooks.example/in?token={...}');
  });
  it('GCP {credentials}, Azure {account_name} {account_key}, AliOSS {access_key} {secret}', () => {
    const json = (req: TrackEgressRequest) => redactTrackRequest(req).toJson() as { file: Record<string, Record<string, unknown>> };
    expect(json(gcpRequest).file.gcp?.credentials).toBe('{credentials}');
    expect(json(azureRequest).file.azure).toMatchObject({ accountName: '{account_name}', accountKey: '{account_key}', containerName: 'c' });
    expect(json(aliRequest).file.aliOSS).toMatchObject({ accessKey: '{access_key}', secret: '{secret}', bucket: 'b' });
  });
  it('websocket URL query values → {...}', () => {
    const r = redactTrackRequest(wsRequest);
    expect(r.output.value).toBe('wss://asr.example/ingest?token={...}&lang={...}');
  });
  it('keeps empty secrets empty and does not change the original request', () => {
    const bare = fileRequest({ case: 's3', value: new S3Upload({ bucket: 'b' }) });
    const s3 = (redactTrackRequest(bare).toJson() as { file: { s3: Record<string, unknown> } }).file.s3;
    expect(s3).toEqual({ bucket: 'b' });
    expect(redactTrackRequest(s3Request).equals(s3Request)).toBe(false);
    const original = s3Request.output.case === 'file' ? s3Request.output.value.output.value : undefined;
    expect((original as S3Upload).secret).toBe(S3_SECRETS.secret);
    expect(s3Request.webhooks[0]?.signingKey).toBe(SIGNING);
  });
  it.each(CASES)('%s: no raw secret anywhere in the EgressInfo JSON', (_name, request, secrets) => {
    const info = newEgressInfo({ egressId: 'EG_23456789ABCD', roomName: 'my-room', request });
    const text = info.toJsonString();
    for (const secret of secrets) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(JSON.stringify(secret).slice(1, -1));
      expect(text).not.toContain(encodeURIComponent(secret));
    }
  });
});

describe('redactUrl', () => {
  it.each([
    ['wss://h/p', 'wss://h/p'],
    ['wss://h/p?a=1&b=two', 'wss://h/p?a={...}&b={...}'],
    ['wss://h/p?bare-token', 'wss://h/p?{...}'],
    ['wss://u:pw@h:1/p?x=1#frag', 'wss://{...}@h:1/p?x={...}#{...}'],
    ['not a url ?k=v', 'not a url ?k={...}'],
  ])('%s → %s', (url, want) => {
    expect(redactUrl(url)).toBe(want);
  });
});

describe('requestSecrets / scrubSecrets', () => {
  it.each(CASES)('%s: lists every secret of the request', (_name, request, secrets) => {
    const listed = requestSecrets(request);
    for (const secret of secrets) expect(listed).toContain(secret);
    expect(listed).not.toContain('');
  });
  it('scrubs raw, percent-encoded and JSON-escaped occurrences from text', () => {
    const secrets = requestSecrets(s3Request);
    const text = `S3 PutObject failed: key=${S3_SECRETS.accessKey} sig=${encodeURIComponent(S3_SECRETS.secret)} body=${JSON.stringify({ t: S3_SECRETS.sessionToken })}`;
    const scrubbed = scrubSecrets(text, secrets);
    for (const s of Object.values(S3_SECRETS)) {
      expect(scrubbed).not.toContain(s);
      expect(scrubbed).not.toContain(encodeURIComponent(s));
    }
    expect(scrubbed).toBe('S3 PutObject failed: key={redacted} sig={redacted} body={"t":"{redacted}"}');
  });
  it('scrubs GCP private keys from JSON dumps and websocket tokens from URLs', () => {
    expect(scrubSecrets(`creds: ${GCP_CREDENTIALS}`, requestSecrets(gcpRequest))).toBe('creds: {redacted}');
    expect(scrubSecrets(`dial wss://asr.example/ingest?token=${WS_TOKEN}&lang=en-5002 failed`, requestSecrets(wsRequest))).toBe(
      'dial wss://asr.example/ingest?token={redacted}&lang={redacted} failed',
    );
  });
  it('takes the password of URL user info, not the user name', () => {
    const listed = requestSecrets(s3Request);
    expect(listed).toContain(`user:${S3_SECRETS.proxyUrlToken}`);
    expect(listed).not.toContain('user');
    expect(requestSecrets(new TrackEgressRequest({ output: { case: 'websocketUrl', value: 'wss://tok-6001@h/x' } }))).toEqual(['tok-6001']);
  });
  it('ignores secrets shorter than 4 characters in free text', () => {
    expect(scrubSecrets('a 1 ab abc', ['1', 'ab', 'abc'])).toBe('a 1 ab abc');
  });
});
