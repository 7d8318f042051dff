/**
 * The PCM options of WebSocket outputs ({@link PcmStreamOptions}) as the YAML config (`websocket:`
 * section) and the command line (`serve` / `record` flags) name them, and their checks with
 * errors that name the key or flag.
 *
 * ```yaml
 * websocket:
 *   sample_rate: 16000      # 8000, 12000, 16000, 24000 or 48000 (default 48000)
 *   channels: 1             # 1 or 2 (default 2)
 *   frame_duration_ms: 20   # 10..60 (default 10)
 *   reorder_wait_ms: 50     # 0..1000 (default 50)
 *   max_queue_ms: 2000      # 100..60000 (default 2000)
 * ```
 */
import { InvalidArgumentError } from '../core/errors.js';
import { type PcmStreamOptions, resolvePcmStreamOptions } from '../egress/websocket/pcm-stream-options.js';
import { ConfigError } from './config-error.js';
import type { ConfigReader } from './config-reader.js';

/** Each option: its name in {@link PcmStreamOptions}, its YAML key under `websocket:`, its flag. */
export const PCM_OPTION_NAMES = [
  { option: 'sampleRate', key: 'sample_rate', flag: '--pcm-sample-rate' },
  { option: 'channels', key: 'channels', flag: '--pcm-channels' },
  { option: 'frameDurationMs', key: 'frame_duration_ms', flag: '--pcm-frame-ms' },
  { option: 'reorderWaitMs', key: 'reorder_wait_ms', flag: '--pcm-reorder-wait-ms' },
  { option: 'maxQueueMs', key: 'max_queue_ms', flag: '--pcm-max-queue-ms' },
] as const satisfies readonly { option: keyof PcmStreamOptions; key: string; flag: string }[];

/**
 * What `value` should be for `option` (e.g. `one of 1, 2`), or `undefined` when it is valid.
 * The rules are {@link resolvePcmStreamOptions}'s.
 */
export function pcmOptionProblem(option: keyof PcmStreamOptions, value: unknown): string | undefined {
  try {
    resolvePcmStreamOptions({ [option]: value });
    return undefined;
  } catch (e) {
    if (!(e instanceof InvalidArgumentError)) throw e;
    return /^Expected (.*) for /.exec(e.message)?.[1] ?? 'valid';
  }
}

/**
 * The `websocket:` section of the config. Unlike LiveKit's keys elsewhere (unknown ones are only
 * warned about), a key of this section of ours that is not one of {@link PCM_OPTION_NAMES} is an
 * error: a misspelt `sampel_rate` would otherwise stream 48 kHz stereo to a receiver that expects
 * 16 kHz mono, and nothing on the wire says which format it is.
 * @throws ConfigError naming the key (`websocket.channels must be one of 1, 2, not 3`;
 *   `websocket.sampel_rate must be one of the keys sample_rate, channels, …`).
 */
export function pcmOptionsFromYaml(section: ConfigReader): PcmStreamOptions {
  const out: Record<string, unknown> = {};
  for (const { option, key } of PCM_OPTION_NAMES) {
    const v = section.value(key);
    if (v === undefined) continue;
    const problem = pcmOptionProblem(option, v);
    if (problem) throw new ConfigError(section.path(key), problem, v);
    out[option] = v;
  }
  const unknown = section.unread()[0];
  if (unknown) throw new ConfigError(unknown, `one of the keys ${PCM_OPTION_NAMES.map((n) => n.key).join(', ')} (a typo here would change the stream's format silently)`);
  return out as PcmStreamOptions;
}

/**
 * The `--pcm-*` flags of `serve` and `record` (values as parsed by node:util parseArgs: strings).
 * @throws InvalidArgumentError (`ERR_TE_INVALID_ARG`, exit 2): `--pcm-channels must be one of 1, 2, not "3"`.
 */
export function pcmOptionsFromFlags(values: Partial<Record<string, string | boolean | undefined>>): PcmStreamOptions | undefined {
  const out: Record<string, unknown> = {};
  for (const { option, flag } of PCM_OPTION_NAMES) {
    const raw = values[flag.slice(2)];
    if (typeof raw !== 'string') continue;
    const v = /^\d+$/.test(raw) ? Number(raw) : raw;
    const problem = pcmOptionProblem(option, v);
    if (problem) throw new InvalidArgumentError(`${flag} must be ${problem}, not "${raw}"`);
    out[option] = v;
  }
  return Object.keys(out).length ? (out as PcmStreamOptions) : undefined;
}

/** The parseArgs option declarations of the `--pcm-*` flags. */
export const PCM_FLAG_OPTIONS = Object.fromEntries(PCM_OPTION_NAMES.map(({ flag }) => [flag.slice(2), { type: 'string' as const }])) as Record<
  (typeof PCM_OPTION_NAMES)[number]['flag'] extends `--${infer N}` ? N : never,
  { type: 'string' }
>;
