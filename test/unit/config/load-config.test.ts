import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../../src/config/load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'te-config-'));
const SECRET = 'super-secret-value-0123456789abcdef';
const S3_SECRET = 's3-secret-value-9876543210';

/** A LiveKit egress config (their key names), plus track-egress's own keys. */
const LIVEKIT_YAML = `
api_key: APIkey123
api_secret: ${SECRET}
ws_url: wss://lk.example.com
log_level: debug
health_port: 8080
prometheus_port: 9090
s3:
  access_key: AKIAEXAMPLE
  secret: ${S3_SECRET}
  session_token: tok
  region: eu-west-1
  endpoint: http://127.0.0.1:9000
  bucket: recordings
  force_path_style: true
  metadata: { team: media }
  tagging: env=prod
  content_disposition: attachment
  proxy_config: { url: 'http://proxy:3128', username: u, password: p }
  max_retry_delay: 10s
  min_retry_delay: 200ms
session_limits:
  file_output_max_duration: 1h30m
  stream_output_max_duration: 2h
  file_output_max_size: 536870912
webhook:
  api_key: APIkey123
  urls: ['https://hooks.example.com/egress']
api_port: 7990
api_host: 0.0.0.0
recordings_dir: /var/rec
spool_dir: /var/spool/te
track_timeout: 10s
max_outage: 2m
`;

const noEnv = {};
const unexpected = (): Error => {
  throw new Error('loadConfig resolved');
};

describe('loadConfig: YAML with LiveKit egress key names', () => {
  it('maps every key to ServeConfig', async () => {
    const c = await loadConfig({ body: LIVEKIT_YAML, env: noEnv });
    expect(c).toMatchObject({
      apiKey: 'APIkey123',
      apiSecret: SECRET,
      wsUrl: 'wss://lk.example.com',
      logLevel: 'debug',
      healthPort: 8080,
      prometheusPort: 9090,
      apiPort: 7990,
      apiHost: '0.0.0.0',
      recordingsDir: '/var/rec',
      spoolDir: '/var/spool/te',
      trackTimeoutMs: 10_000,
      sessionLimits: { fileOutputMaxDuration: 5400, streamOutputMaxDuration: 7200, fileOutputMaxSize: 536870912 },
      webhookUrls: ['https://hooks.example.com/egress'],
      upload: { maxRetryDelayMs: 10_000, minRetryDelayMs: 200, maxOutageMs: 120_000 },
      warnings: [],
    });
    expect(c.s3).toMatchObject({
      accessKey: 'AKIAEXAMPLE', secret: S3_SECRET, sessionToken: 'tok', region: 'eu-west-1', endpoint: 'http://127.0.0.1:9000',
      bucket: 'recordings', forcePathStyle: true, metadata: { team: 'media' }, tagging: 'env=prod', contentDisposition: 'attachment',
    });
    expect(c.s3!.proxy).toMatchObject({ url: 'http://proxy:3128', username: 'u', password: 'p' });
    expect(c.s3!.getType().typeName).toBe('livekit.S3Upload');
  });

  it('has the documented defaults', async () => {
    const c = await loadConfig({ body: 'api_key: k\napi_secret: s\nws_url: ws://127.0.0.1:7880\n', env: noEnv });
    expect(c).toMatchObject({ apiPort: 7980, apiHost: '127.0.0.1', logLevel: 'info', trackTimeoutMs: 30_000, recordingsDir: resolve('recordings') });
    expect(c.s3).toBeUndefined();
    expect(c.spoolDir).toBeUndefined();
    expect(c.healthPort).toBeUndefined();
  });

  it('accepts logging.level (LiveKit\'s non-deprecated form), storage.s3 and the deprecated proxy URL string', async () => {
    const c = await loadConfig({
      body: 'api_key: k\napi_secret: s\nws_url: ws://h\nlogging: { level: warn, json: true }\nstorage: { s3: { bucket: b, proxy: "http://p:1" } }\n',
      env: noEnv,
    });
    expect(c.logLevel).toBe('warn');
    expect(c.s3!.bucket).toBe('b');
    expect(c.s3!.proxy!.url).toBe('http://p:1');
    expect(c.warnings).toEqual([]);
  });

  it('warns (does not fail) on unknown keys and LiveKit keys it does not use', async () => {
    const c = await loadConfig({ body: 'api_key: k\napi_secret: s\nws_url: ws://h\ntemplate_base: x\nshow_banner: 1\ns3: { bucket: b, max_retries: 3, colour: red }\n', env: noEnv });
    expect(c.warnings).toEqual([
      expect.stringMatching(/^s3\.max_retries is not used/),
      expect.stringMatching(/^s3\.colour: unknown key/),
      expect.stringMatching(/^template_base: a LiveKit egress key track-egress does not use/),
      expect.stringMatching(/^show_banner: unknown key/),
    ]);
  });

  it.each([
    ['reddis: { address: 127.0.0.1:6379 }', 'reddis', 'redis'],
    ['api_prot: 1', 'api_prot', 'api_port'],
    ['redis: { address: 127.0.0.1:6379 }\ndrain_timout: 30s', 'drain_timout', 'drain_timeout'],
    ['template_bse: x', 'template_bse', 'template_base'],
    ['s3: { bucket: b, regoin: eu-west-1 }', 's3.regoin', 's3.region'],
  ])('a typo of a known key is an error, not a warning: %s', async (yaml, key, near) => {
    const err = await loadConfig({ body: `api_key: k\napi_secret: s\nws_url: ws://h\n${yaml}\n`, env: noEnv }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_TE_INVALID_ARG', key, message: `config: ${key} must be a known key (did you mean ${near}?)` });
  });
});

describe('loadConfig: websocket (PCM options of WebSocket outputs)', () => {
  const base = 'api_key: k\napi_secret: s\nws_url: ws://h\n';

  it('maps websocket: keys to EgressServiceConfig.websocket; absent → undefined (the service\'s defaults)', async () => {
    const c = await loadConfig({
      body: `${base}websocket:\n  sample_rate: 16000\n  channels: 1\n  frame_duration_ms: 20\n  reorder_wait_ms: 0\n  max_queue_ms: 500\n`,
      env: noEnv,
    });
    expect(c.websocket).toEqual({ sampleRate: 16000, channels: 1, frameDurationMs: 20, reorderWaitMs: 0, maxQueueMs: 500 });
    expect(c.warnings).toEqual([]);
    expect((await loadConfig({ body: base, env: noEnv })).websocket).toBeUndefined();
  });

  it.each([
    ['websocket: { sample_rate: 44100 }', 'websocket.sample_rate', /websocket\.sample_rate must be one of 8000, 12000, 16000, 24000, 48000, not 44100/],
    ['websocket: { channels: 3 }', 'websocket.channels', /websocket\.channels must be one of 1, 2, not 3/],
    ['websocket: { frame_duration_ms: 5 }', 'websocket.frame_duration_ms', /must be an integer between 10 and 60, not 5/],
    ['websocket: { reorder_wait_ms: 50ms }', 'websocket.reorder_wait_ms', /must be an integer between 0 and 1000, not "50ms"/],
    ['websocket: { max_queue_ms: 99 }', 'websocket.max_queue_ms', /between 100 and 60000/],
    ['websocket: 16000', 'websocket', /websocket must be a map of keys/],
    // A typo in our own section is an error, not a warning (found by a fresh-user trial): the stream would change format silently.
    ['websocket: { sampel_rate: 16000, channels: 1 }', 'websocket.sampel_rate', /websocket\.sampel_rate must be one of the keys sample_rate, channels, frame_duration_ms, reorder_wait_ms, max_queue_ms/],
  ])('%j → %s', async (yaml, key, message) => {
    const err = await loadConfig({ body: base + yaml, env: noEnv }).then(unexpected, (e: Error) => e);
    expect(err).toMatchObject({ code: 'ERR_TE_INVALID_ARG', name: 'ConfigError', key });
    expect(err.message).toMatch(message);
  });

  it('--pcm-* flags override the YAML option by option', async () => {
    const c = await loadConfig({ body: `${base}websocket: { sample_rate: 16000, channels: 1 }`, env: noEnv, flags: { pcm: { channels: 2, frameDurationMs: 20 } } });
    expect(c.websocket).toEqual({ sampleRate: 16000, channels: 2, frameDurationMs: 20 });
    await expect(loadConfig({ body: base, env: noEnv, flags: { pcm: { sampleRate: 1 as 8000 } } })).rejects.toMatchObject({ key: '--pcm-sample-rate' });
  });
});

describe('loadConfig: sources and precedence', () => {
  it('reads EGRESS_CONFIG_FILE, then EGRESS_CONFIG_BODY; --config (file) wins over both', async () => {
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    writeFileSync(a, 'api_key: from-file\napi_secret: s\nws_url: ws://h\n');
    writeFileSync(b, 'api_key: from-flag\napi_secret: s\nws_url: ws://h\n');
    expect((await loadConfig({ env: { EGRESS_CONFIG_FILE: a } })).apiKey).toBe('from-file');
    expect((await loadConfig({ env: { EGRESS_CONFIG_BODY: 'api_key: from-body\napi_secret: s\nws_url: ws://h' } })).apiKey).toBe('from-body');
    expect((await loadConfig({ file: b, env: { EGRESS_CONFIG_FILE: a } })).apiKey).toBe('from-flag');
  });

  it('falls back to LIVEKIT_API_KEY / LIVEKIT_API_SECRET / LIVEKIT_WS_URL or LIVEKIT_URL; YAML wins over them', async () => {
    const env = { LIVEKIT_API_KEY: 'envkey', LIVEKIT_API_SECRET: 'envsecret', LIVEKIT_URL: 'wss://env.example' };
    expect(await loadConfig({ env })).toMatchObject({ apiKey: 'envkey', apiSecret: 'envsecret', wsUrl: 'wss://env.example' });
    expect((await loadConfig({ body: 'api_key: yamlkey', env })).apiKey).toBe('yamlkey');
    expect((await loadConfig({ env: { ...env, LIVEKIT_WS_URL: 'ws://ws-url' } })).wsUrl).toBe('ws://ws-url');
  });

  it('flags override the YAML', async () => {
    const c = await loadConfig({
      body: LIVEKIT_YAML,
      env: noEnv,
      flags: { apiPort: 0, apiHost: '::1', logLevel: 'ERROR', healthPort: 1234, prometheusPort: 4321, recordingsDir: 'rec2' },
    });
    expect(c).toMatchObject({ apiPort: 0, apiHost: '::1', logLevel: 'error', healthPort: 1234, prometheusPort: 4321, recordingsDir: resolve('rec2') });
  });
});

describe('loadConfig: bad values are clear errors naming the key, never showing a secret', () => {
  const base = 'api_key: k\napi_secret: s\nws_url: ws://h\n';
  it.each([
    [base + 'api_port: seventy', 'api_port', /api_port must be an integer 0\.\.65535, not "seventy"/],
    [base + 'api_port: 70000', 'api_port', /api_port must be an integer/],
    [base + 'log_level: loud', 'log_level', /log_level must be one of debug, info, warn, error/],
    [base + 'session_limits: { file_output_max_duration: 3600 }', 'session_limits.file_output_max_duration', /must be a duration with a unit, like "30s"/],
    [base + 'session_limits: { file_output_max_size: 1GB }', 'session_limits.file_output_max_size', /must be an integer/],
    [base + 'track_timeout: soon', 'track_timeout', /duration/],
    [base + 's3: { region: x }', 's3.bucket', /s3\.bucket must be set/],
    [base + 's3: { bucket: b, force_path_style: "yes" }', 's3.force_path_style', /must be true or false/],
    [base + 's3: { bucket: b, endpoint: "minio:9000" }', 's3.endpoint', /http:\/\/ or https:\/\/ URL/],
    [base + 's3: [a, b]', 's3', /s3 must be a map of keys, not a list/],
    [base + 'webhook: { urls: "http://x" }', 'webhook.urls', /a list of strings/],
    [base + 'webhook: { api_key: other, urls: [] }', 'webhook.api_key', /same key as api_key/],
    ['api_secret: s\nws_url: ws://h', 'api_key', /api_key must be set \(or the LIVEKIT_API_KEY/],
    ['api_key: k\nws_url: ws://h', 'api_secret', /api_secret must be set/],
    ['api_key: k\napi_secret: s', 'ws_url', /ws_url must be set/],
    ['api_key: k\napi_secret: s\nws_url: 127.0.0.1:7880', 'ws_url', /ws_url must be a ws:\/\/, wss:\/\/, http:\/\/ or https:\/\/ URL/],
    ['- a\n- b', 'config body', /a YAML map of keys/],
  ])('%j → %s', async (body, key, message) => {
    const err = await loadConfig({ body, env: noEnv }).then(unexpected, (e: Error) => e);
    expect(err).toMatchObject({ code: 'ERR_TE_INVALID_ARG', name: 'ConfigError', key });
    expect((err as Error).message).toMatch(message);
  });

  it('a secret of the wrong type, or a YAML syntax error on a secret line, keeps the secret out of the message', async () => {
    const e1 = await loadConfig({ body: `api_key: k\napi_secret: [${SECRET}]\nws_url: ws://h`, env: noEnv }).then(unexpected, (e: Error) => e);
    expect(e1.message).toMatch(/^config: api_secret must be a string, not a list$/);
    const e2 = await loadConfig({ body: `api_key: k\napi_secret: "${SECRET}\n  : x: y\nws_url: ws://h`, env: noEnv }).then(unexpected, (e: Error) => e);
    expect(e2).toMatchObject({ code: 'ERR_TE_INVALID_ARG', key: 'config body' });
    expect(e2.message).toMatch(/valid YAML \(\w+ at line \d+, column \d+\)/);
    const e3 = await loadConfig({ body: `api_key: k\napi_secret: s\nws_url: ws://h\ns3: { bucket: b, secret: { x: ${S3_SECRET} } }`, env: noEnv }).then(unexpected, (e: Error) => e);
    expect(e3).toMatchObject({ key: 's3.secret' });
    for (const e of [e1, e2, e3]) expect(e.message).not.toMatch(/secret-value|super-secret/);
  });

  it('a missing or unreadable file names the source', async () => {
    const err = await loadConfig({ file: join(dir, 'nope.yaml'), env: noEnv }).then(unexpected, (e: Error) => e);
    expect(err).toMatchObject({ code: 'ERR_TE_INVALID_ARG', key: '--config' });
    expect((err as Error).message).toMatch(/ENOENT/);
    const viaEnv = await loadConfig({ env: { EGRESS_CONFIG_FILE: join(dir, 'nope.yaml') } }).then(unexpected, (e: Error) => e);
    expect(viaEnv).toMatchObject({ key: 'EGRESS_CONFIG_FILE' });
  });

  it('a bad flag names the flag', async () => {
    await expect(loadConfig({ body: base, env: noEnv, flags: { apiPort: 99999 } })).rejects.toMatchObject({ key: '--port' });
    await expect(loadConfig({ body: base, env: noEnv, flags: { logLevel: 'trace' } })).rejects.toMatchObject({ key: '--log-level' });
  });
});
