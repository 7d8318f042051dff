import { pino, type DestinationStream, type Logger } from 'pino';

import type { LogLevel } from './serve-config.js';

/**
 * Paths pino replaces with `[redacted]` wherever a log call passes them: S3 credentials (as
 * `S3Upload` fields, LiveKit YAML keys, or AWS SDK names), tokens, API secrets, webhook signing
 * keys, proxy passwords and HTTP authorization headers, at the top level or one or two levels
 * down (`{ upload: { secret } }`, `{ request: { headers: { authorization } } }`).
 */
const SECRET_KEYS = [
  'secret', 'accessKey', 'access_key', 'secretAccessKey', 'accessKeyId', 'sessionToken', 'session_token',
  'apiSecret', 'api_secret', 'token', 'signingKey', 'signing_key', 'password', 'authorization', 'Authorization',
  'credentials', 'accountKey', 'account_key',
];
export const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

/**
 * The service's logger: pino JSON lines (`level`, `time`, `msg`, fields) at `level` and above,
 * with every secret path of {@link REDACT_PATHS} replaced by `[redacted]`.
 * Messages themselves are not scanned: put values in fields, and secrets never in `msg`
 * (use `scrubSecrets` from `src/egress/redact.ts` on foreign error texts).
 * @param level `debug`, `info`, `warn` or `error`.
 * @param destination Where lines go; default stdout (pino's asynchronous-safe `pino.destination(1)`).
 * @example
 * const log = createLogger('info');
 * log.info({ egressId, upload: request.s3 }, 'egress started'); // upload.secret → "[redacted]"
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { name: 'track-egress' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
