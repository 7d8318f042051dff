import { parseArgs } from 'node:util';

import type { ConfigFlags } from '../config/load-config.js';
import { PCM_FLAG_OPTIONS, pcmOptionsFromFlags } from '../config/pcm-config.js';
import { InvalidArgumentError } from '../core/errors.js';

/** `serve` arguments: the config file and the flags that override it. */
export type ServeArgs = { config?: string; flags: ConfigFlags };

/**
 * Parses `serve [--config FILE] [--port N] [--host H] [--log-level L] [--health-port N]
 * [--prometheus-port N] [--recordings-dir DIR] [--pcm-sample-rate HZ] [--pcm-channels 1|2]
 * [--pcm-frame-ms MS] [--pcm-reorder-wait-ms MS] [--pcm-max-queue-ms MS]` (the `--pcm-*` flags
 * override the config's `websocket:` options of WebSocket outputs).
 * @throws InvalidArgumentError (`ERR_TE_INVALID_ARG`, exit 2) with a clear message.
 */
export function parseServeArgs(argv: string[]): ServeArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        'log-level': { type: 'string' },
        'health-port': { type: 'string' },
        'prometheus-port': { type: 'string' },
        'recordings-dir': { type: 'string' },
        ...PCM_FLAG_OPTIONS,
      },
    }));
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  const flags: ConfigFlags = {
    apiPort: port('--port', values.port),
    apiHost: values.host,
    logLevel: values['log-level'],
    healthPort: port('--health-port', values['health-port']),
    prometheusPort: port('--prometheus-port', values['prometheus-port']),
    recordingsDir: values['recordings-dir'],
    pcm: pcmOptionsFromFlags(values),
  };
  for (const k of Object.keys(flags) as (keyof ConfigFlags)[]) if (flags[k] === undefined) delete flags[k];
  return { config: values.config, flags };
}

function port(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new InvalidArgumentError(`${name} must be a port 0..65535, not "${v}"`);
  return n;
}

/** An `s3://bucket/key` output of `record`. */
export type S3Target = {
  bucket: string;
  /** Object key (a filepath template; empty or ending in "/" → `<track>-<time><ext>` in that prefix). */
  key: string;
  /** `--s3-endpoint` (MinIO and other S3-compatible storage), else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL. */
  endpoint?: string;
  /** `--s3-region`, else AWS_REGION / AWS_DEFAULT_REGION. */
  region?: string;
  /** `--s3-force-path-style`: `<endpoint>/<bucket>/<key>` addressing (MinIO needs it). */
  forcePathStyle: boolean;
};

/** Bucket names S3 accepts (3–63 lower-case letters, digits, dots, hyphens). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Parses `s3://bucket/key` (the AWS CLI's form); `undefined` when `output` is not an s3 URL.
 * @throws InvalidArgumentError for a missing or malformed bucket name.
 * @example
 * parseS3Output('s3://rec/live/{room_name}/a.mp4', {}); // → { bucket: 'rec', key: 'live/{room_name}/a.mp4', forcePathStyle: false }
 */
export function parseS3Output(
  output: string,
  opts: { endpoint?: string; region?: string; forcePathStyle?: boolean },
): S3Target | undefined {
  if (!/^s3:\/\//i.test(output)) return undefined;
  const rest = output.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  if (!BUCKET.test(bucket)) throw new InvalidArgumentError(`-o s3://BUCKET/KEY: "${bucket}" is not a valid bucket name`);
  if (opts.endpoint !== undefined && !/^https?:\/\/[^/?#\s]+/i.test(opts.endpoint)) {
    throw new InvalidArgumentError(`--s3-endpoint must be an http:// or https:// URL, not "${opts.endpoint}"`);
  }
  return { bucket, key, endpoint: opts.endpoint, region: opts.region, forcePathStyle: opts.forcePathStyle ?? false };
}
