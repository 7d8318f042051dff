/**
 * The configuration of `track-egress serve`: LiveKit egress's YAML key names where they overlap
 * (api_key, api_secret, ws_url, s3, session_limits, health_port, prometheus_port, log_level /
 * logging.level), LiveKit server's `webhook: {api_key, urls}`, plus track-egress's own keys
 * (`websocket:` PCM options of WebSocket outputs, see pcm-config.ts), and the worker-mode keys
 * (`redis:`, `cluster_id`, `cpu_cost`, `max_memory`, `drain_timeout`, see cluster-config.ts).
 * Reference: docs/egress-service.md "Configuration".
 */
import { resolve } from 'node:path';

import { ProxyConfig, S3Upload } from '@livekit/protocol';

import type { EgressServiceConfig } from '../egress/service-types.js';
import { type ClusterConfig, clusterConfigFromYaml } from './cluster-config.js';
import { ConfigError } from './config-error.js';
import { ConfigReader, type YamlMap } from './config-reader.js';
import { pcmOptionsFromYaml } from './pcm-config.js';

/** Log levels of the service (pino's names; LiveKit's `debug`/`info`/`warn`/`error`). */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Default `api_port` of the Twirp API. */
export const DEFAULT_API_PORT = 7980;
/** Default `api_host`: loopback only; set `0.0.0.0` to serve other machines. */
export const DEFAULT_API_HOST = '127.0.0.1';
/** Default `recordings_dir`. */
export const DEFAULT_RECORDINGS_DIR = './recordings';
/** Default `track_timeout`, ms (LiveKit's). */
export const DEFAULT_TRACK_TIMEOUT_MS = 30_000;

/** Everything `serve` needs: the service's config plus the front ends' (ports, log level). */
export type ServeConfig = EgressServiceConfig & {
  /** (`api_port`) Port of the Twirp API, `/healthz` and `/metrics`. Default 7980. */
  apiPort: number;
  /** (`api_host`) Address the API listens on. Default `127.0.0.1`. */
  apiHost: string;
  /** (`health_port`) Extra port serving only `/healthz` (LiveKit egress's). Default: none. */
  healthPort?: number;
  /** (`prometheus_port`) Extra port serving only `/metrics` (LiveKit egress's). Default: none. */
  prometheusPort?: number;
  /** (`log_level` or `logging.level`) Default `info`. */
  logLevel: LogLevel;
  /**
   * (`webhook.urls`, LiveKit server's key) Where `serve`'s WebhookNotifier sends every egress event,
   * signed with apiKey/apiSecret. Embedders pass URLs to `new WebhookNotifier({ urls })` themselves.
   */
  webhookUrls?: string[];
  /**
   * (`redis`, `cluster_id`, `cpu_cost`, `max_cpu_utilization`, `max_memory`, `memory_cost`,
   * `drain_timeout`, `redis_self_test`) Worker mode: set when the config has a `redis:` section.
   */
  cluster?: ClusterConfig;
  /** What was accepted but not used (unknown keys, LiveKit keys track-egress ignores); log them. */
  warnings: string[];
};

/** Keys of LiveKit egress's config that track-egress accepts and ignores (no warning of a typo). */
const LIVEKIT_IGNORED = new Set([
  'template_base', 'template_port', 'backup_storage', 'enable_chrome_sandbox', 'insecure',
  'debug', 'debug_handler_port', 'latency', 'azure', 'gcp', 'alioss', 'node_id', 'location',
]);

/** Environment variables read as fallbacks (LiveKit users have them set). */
export type ConfigEnv = Partial<Record<'LIVEKIT_API_KEY' | 'LIVEKIT_API_SECRET' | 'LIVEKIT_WS_URL' | 'LIVEKIT_URL', string>>;

/**
 * Builds a {@link ServeConfig} from a parsed YAML document.
 * @param doc The YAML document's top mapping (`{}` for an empty document).
 * @param env `LIVEKIT_API_KEY`, `LIVEKIT_API_SECRET`, `LIVEKIT_WS_URL` (or `LIVEKIT_URL`): used when
 *   the YAML does not set `api_key`, `api_secret`, `ws_url`.
 * @param cwd Directory relative `recordings_dir` / `spool_dir` resolve against.
 * @throws ConfigError (`ERR_TE_INVALID_ARG`) naming the key: a wrong type, a bad value, or a
 *   missing `api_key`, `api_secret`, `ws_url` or `s3.bucket`.
 */
export function serveConfigFromYaml(doc: YamlMap, env: ConfigEnv = {}, cwd = process.cwd()): ServeConfig {
  const top = new ConfigReader(doc);
  const warnings: string[] = [];
  const apiKey = top.string('api_key', true) || env.LIVEKIT_API_KEY;
  const apiSecret = top.string('api_secret', true) || env.LIVEKIT_API_SECRET;
  const wsUrl = top.string('ws_url') || env.LIVEKIT_WS_URL || env.LIVEKIT_URL;
  if (!apiKey) throw new ConfigError('api_key', 'set (or the LIVEKIT_API_KEY environment variable)');
  if (!apiSecret) throw new ConfigError('api_secret', 'set (or the LIVEKIT_API_SECRET environment variable)');
  if (!wsUrl) throw new ConfigError('ws_url', 'set to the LiveKit server URL (or LIVEKIT_WS_URL / LIVEKIT_URL)');
  if (!/^(wss?|https?):\/\/[^/?#\s]+/i.test(wsUrl)) throw new ConfigError('ws_url', 'a ws://, wss://, http:// or https:// URL', wsUrl);

  const recordingsDir = resolve(cwd, top.string('recordings_dir') || DEFAULT_RECORDINGS_DIR);
  const spool = top.string('spool_dir');
  const config: ServeConfig = {
    apiKey,
    apiSecret,
    wsUrl,
    recordingsDir,
    spoolDir: spool ? resolve(cwd, spool) : undefined, // the service's default: <recordingsDir>/.track-egress
    trackTimeoutMs: top.durationMs('track_timeout') || DEFAULT_TRACK_TIMEOUT_MS,
    apiPort: top.int('api_port', 0, 65535) ?? DEFAULT_API_PORT,
    apiHost: top.string('api_host') || DEFAULT_API_HOST,
    healthPort: top.int('health_port', 0, 65535) || undefined,
    prometheusPort: top.int('prometheus_port', 0, 65535) || undefined,
    logLevel: logLevel(top, warnings),
    warnings,
  };

  const s3 = top.section('s3') ?? top.section('storage')?.section('s3');
  if (s3) ({ upload: config.s3, policy: config.upload } = s3Config(s3, warnings));
  const maxOutageMs = top.durationMs('max_outage');
  if (maxOutageMs !== undefined) config.upload = { ...config.upload, maxOutageMs };

  const limits = top.section('session_limits');
  if (limits) {
    config.sessionLimits = {
      fileOutputMaxDuration: seconds(limits.durationMs('file_output_max_duration')),
      streamOutputMaxDuration: seconds(limits.durationMs('stream_output_max_duration')),
      fileOutputMaxSize: limits.int('file_output_max_size', 0, Number.MAX_SAFE_INTEGER) ?? 0,
    };
    limits.has('segment_output_max_duration');
    limits.has('image_output_max_duration');
    limits.reportUnread(warnings);
  }

  const websocket = top.section('websocket');
  if (websocket) {
    config.websocket = pcmOptionsFromYaml(websocket);
    websocket.reportUnread(warnings);
  }

  const webhook = top.section('webhook');
  if (webhook) {
    const signer = webhook.string('api_key', true);
    if (signer && signer !== apiKey) {
      throw new ConfigError('webhook.api_key', 'the same key as api_key (webhooks are signed with api_secret)');
    }
    config.webhookUrls = webhook.stringList('urls') ?? [];
    for (const [i, url] of config.webhookUrls.entries()) {
      if (!/^https?:\/\/[^/?#\s]+/i.test(url)) throw new ConfigError(`webhook.urls[${i}]`, 'an http:// or https:// URL', url);
    }
    webhook.reportUnread(warnings);
  }
  const cluster = clusterConfigFromYaml(top, warnings);
  if (cluster) {
    config.cluster = cluster;
    if (webhook) warnings.push('webhook: ignored in worker mode: the LiveKit server sends egress webhooks');
  }
  top.has('storage');
  top.reportUnread(warnings, LIVEKIT_IGNORED);
  return config;
}

function logLevel(top: ConfigReader, warnings: string[]): LogLevel {
  const logging = top.section('logging');
  const fromLogging = logging?.string('level');
  if (logging) {
    for (const k of ['json', 'sample', 'component_levels', 'pion_level']) logging.has(k);
    logging.reportUnread(warnings);
  }
  const key = fromLogging !== undefined ? 'logging.level' : 'log_level';
  const level = (fromLogging ?? top.string('log_level') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new ConfigError(key, `one of ${LOG_LEVELS.join(', ')}`, level);
  return level as LogLevel;
}

/** `s3:` (LiveKit egress `storage.S3Config` keys) → the default S3Upload and the upload policy. */
function s3Config(s3: ConfigReader, warnings: string[]) {
  const bucket = s3.string('bucket');
  if (!bucket) throw new ConfigError('s3.bucket', 'set when an s3 section is given');
  const endpoint = s3.string('endpoint') ?? '';
  if (endpoint && !/^https?:\/\/[^/?#\s]+/i.test(endpoint)) {
    throw new ConfigError('s3.endpoint', 'an http:// or https:// URL', endpoint);
  }
  const upload = new S3Upload({
    accessKey: s3.string('access_key', true) ?? '',
    secret: s3.string('secret', true) ?? '',
    sessionToken: s3.string('session_token', true) ?? '',
    region: s3.string('region') ?? '',
    endpoint,
    bucket,
    forcePathStyle: s3.bool('force_path_style') ?? false,
    metadata: s3.stringMap('metadata') ?? {},
    tagging: s3.string('tagging') ?? '',
    contentDisposition: s3.string('content_disposition') ?? '',
  });
  // LiveKit: `proxy_config: {url, username, password}` (and a deprecated `proxy: URL` string).
  const proxyKey = s3.has('proxy_config') ? 'proxy_config' : 'proxy';
  const proxyUrl = proxyKey === 'proxy' ? proxyString(s3) : undefined;
  const proxy = proxyUrl === undefined ? s3.section(proxyKey) : undefined;
  if (proxyUrl !== undefined || proxy) {
    upload.proxy = new ProxyConfig({
      url: proxyUrl ?? proxy?.string('url') ?? '',
      username: proxy?.string('username') ?? '',
      password: proxy?.string('password', true) ?? '',
    });
    if (!upload.proxy.url) throw new ConfigError(`s3.${proxyKey}.url`, 'set when a proxy is given');
    proxy?.reportUnread(warnings);
  }
  const policy = {
    minRetryDelayMs: s3.durationMs('min_retry_delay'),
    maxRetryDelayMs: s3.durationMs('max_retry_delay'),
  };
  if (s3.int('max_retries', 0, 1000) !== undefined) {
    warnings.push('s3.max_retries is not used: a failed part is retried until max_outage (default 5m) passes');
  }
  for (const k of ['aws_log_level', 'assume_role_arn', 'assume_role_external_id']) {
    if (s3.has(k)) warnings.push(`s3.${k} is not supported by track-egress; ignored`);
  }
  s3.reportUnread(warnings);
  return { upload, policy: Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined)) };
}

/** The deprecated `s3.proxy: URL` string form, or `undefined` when `proxy` is absent or a map. */
function proxyString(s3: ConfigReader): string | undefined {
  try {
    return s3.string('proxy');
  } catch {
    return undefined; // a map: read as a section
  }
}

function seconds(ms: number | undefined): number {
  return ms === undefined ? 0 : ms / 1000;
}

