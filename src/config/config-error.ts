import { InvalidArgumentError } from '../core/errors.js';

/**
 * A configuration value is missing, of the wrong type or out of range. `code` is
 * `ERR_TE_INVALID_ARG` (the CLI exits 2); `key` is the YAML path of the value (`s3.bucket`,
 * `session_limits.file_output_max_duration`), or the flag / environment variable that set it.
 * The message names the key and the expected form, never the value of a secret.
 * @example
 * throw new ConfigError('api_port', 'an integer port 1..65535', 'seventy');
 */
export class ConfigError extends InvalidArgumentError {
  readonly key: string;
  constructor(key: string, expected: string, received?: unknown, secret = false) {
    super(`config: ${key} must be ${expected}${received === undefined ? '' : `, not ${shown(received, secret)}`}`);
    this.key = key;
  }
}

/** How a bad value is quoted in the message: a secret only by its type. */
function shown(value: unknown, secret: boolean): string {
  if (typeof value === 'string' && !secret) return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return secret ? `a ${typeof value} (value hidden)` : String(value);
}
