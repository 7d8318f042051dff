import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

import { parse, YAMLError } from 'yaml';

import type { PcmStreamOptions } from '../egress/websocket/pcm-stream-options.js';
import { ConfigError } from './config-error.js';
import { isMap } from './config-reader.js';
import { PCM_OPTION_NAMES, pcmOptionProblem } from './pcm-config.js';
import { type ConfigEnv, LOG_LEVELS, type LogLevel, type ServeConfig, serveConfigFromYaml } from './serve-config.js';

export type { ServeConfig } from './serve-config.js';

/** Command-line values that override the YAML (`serve --port 8000 --host 0.0.0.0 --log-level debug`). */
export type ConfigFlags = {
  apiPort?: number;
  apiHost?: string;
  logLevel?: string;
  healthPort?: number;
  prometheusPort?: number;
  recordingsDir?: string;
  /** `--pcm-sample-rate`, `--pcm-channels`, `--pcm-frame-ms`, `--pcm-reorder-wait-ms`, `--pcm-max-queue-ms`: override `websocket:` option by option. */
  pcm?: PcmStreamOptions;
};

/** Where {@link loadConfig} reads from. */
export type LoadConfigOptions = {
  /** A YAML file (`--config FILE`). Default: the `EGRESS_CONFIG_FILE` environment variable. */
  file?: string;
  /** YAML text. Default: the `EGRESS_CONFIG_BODY` environment variable. */
  body?: string;
  /** Overrides applied last. */
  flags?: ConfigFlags;
  /** Environment (default `process.env`): EGRESS_CONFIG_FILE/BODY, LIVEKIT_API_KEY/SECRET, LIVEKIT_WS_URL/LIVEKIT_URL. */
  env?: NodeJS.ProcessEnv;
};

/**
 * Loads the configuration of `track-egress serve`, as LiveKit egress does: one YAML document from
 * `file` or `body` (else `EGRESS_CONFIG_FILE` or `EGRESS_CONFIG_BODY`; none at all is allowed when
 * the environment has the LiveKit keys), `LIVEKIT_*` variables as fallbacks for the keys, then the
 * command-line `flags`. Unknown keys are not fatal: they end up in `warnings`.
 * @throws ConfigError (`ERR_TE_INVALID_ARG`, `key` = the YAML path or flag) for an unreadable file,
 *   a YAML syntax error (line and column only: the text may hold secrets), a value of the wrong
 *   type, or a missing `api_key` / `api_secret` / `ws_url`. No message contains a secret.
 * @example
 * const config = await loadConfig({ file: 'egress.yaml', flags: { apiPort: 8080 } });
 * for (const w of config.warnings) logger.warn(w);
 * const service = new EgressService(config);
 */
export async function loadConfig(opts: LoadConfigOptions = {}): Promise<ServeConfig> {
  const env = opts.env ?? process.env;
  if (opts.file !== undefined && opts.body !== undefined) {
    throw new ConfigError('config', 'given once: a file (--config) or a body, not both');
  }
  let text = opts.body;
  let origin = 'config body';
  const file = opts.file ?? (opts.body === undefined && !env.EGRESS_CONFIG_BODY ? env.EGRESS_CONFIG_FILE || undefined : undefined);
  if (file !== undefined) {
    origin = file;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new ConfigError(opts.file !== undefined ? '--config' : 'EGRESS_CONFIG_FILE', `a readable YAML file (${e.code ?? e.message})`, file);
    }
  } else if (text === undefined) {
    text = env.EGRESS_CONFIG_BODY;
    origin = 'EGRESS_CONFIG_BODY';
  }
  const config = serveConfigFromYaml(parseYaml(text ?? '', origin), env as ConfigEnv);
  applyFlags(config, opts.flags ?? {});
  return config;
}

function parseYaml(text: string, origin: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(text, { schema: 'core' });
  } catch (err) {
    if (!(err instanceof YAMLError)) throw err;
    // Not err.message: yaml quotes the offending line, which may be `secret: …`.
    const at = err.linePos?.[0] ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}` : '';
    throw new ConfigError(origin, `valid YAML (${err.code}${at})`);
  }
  if (doc === null || doc === undefined) return {};
  if (!isMap(doc)) throw new ConfigError(origin, 'a YAML map of keys (api_key: …, ws_url: …)');
  return doc;
}

function applyFlags(config: ServeConfig, flags: ConfigFlags) {
  const port = (name: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v <= 65535)) throw new ConfigError(name, 'an integer port 0..65535', v);
    return v;
  };
  config.apiPort = port('--port', flags.apiPort) ?? config.apiPort;
  config.healthPort = port('--health-port', flags.healthPort) ?? config.healthPort;
  config.prometheusPort = port('--prometheus-port', flags.prometheusPort) ?? config.prometheusPort;
  if (flags.apiHost !== undefined) config.apiHost = flags.apiHost;
  if (flags.recordingsDir !== undefined) config.recordingsDir = resolve(flags.recordingsDir);
  if (flags.pcm) {
    for (const { option, flag } of PCM_OPTION_NAMES) {
      const v = flags.pcm[option];
      if (v === undefined) continue;
      const problem = pcmOptionProblem(option, v);
      if (problem) throw new ConfigError(flag, problem, v);
      config.websocket = { ...config.websocket, [option]: v };
    }
  }
  if (flags.logLevel !== undefined) {
    const level = flags.logLevel.toLowerCase();
    if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new ConfigError('--log-level', `one of ${LOG_LEVELS.join(', ')}`, flags.logLevel);
    config.logLevel = level as LogLevel;
  }
}
