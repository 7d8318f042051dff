/**
 * The PCM format and timing of a WebSocket output (`websocket_url` of a TrackEgressRequest,
 * `record -o ws://…`). The defaults are LiveKit's wire format byte for byte (reference
 * livekit-track-egress.md §4): pcm_s16le, 48 000 Hz, 2 channels interleaved, one binary message per
 * 10 ms = 480 frames = 1920 bytes. LiveKit offers no other format; these options are ours (the
 * Twirp request has no field for them): set them in the library, the CLI or the config file.
 */
import { invalidParameter } from '../../core/errors.js';
import { intOption, oneOf } from '../../core/options.js';

/** Sample rates libopus decodes to natively (RFC 6716 §2): no resampler anywhere. */
export const PCM_SAMPLE_RATES = [8000, 12000, 16000, 24000, 48000] as const;

/** Options of a WebSocket PCM output. Every field is optional; see {@link PCM_STREAM_DEFAULTS}. */
export type PcmStreamOptions = {
  /** Output sample rate, Hz: 8000, 12000, 16000, 24000 or 48000. Default 48000. */
  sampleRate?: (typeof PCM_SAMPLE_RATES)[number];
  /** Output channels, 1 (mono; a stereo source is down-mixed) or 2 (interleaved L R). Default 2. */
  channels?: 1 | 2;
  /** Duration of one binary message, ms, integer 10..60. Default 10 (1920 bytes at 48 kHz stereo). */
  frameDurationMs?: number;
  /**
   * How long a missing RTP packet is waited for (reordering, NACK retransmission) before it is
   * concealed, ms, 0..1000. Default 50: audio reaches the socket at most this much later than
   * it could. LiveKit's jitter buffer waits up to 2 s.
   */
  reorderWaitMs?: number;
  /**
   * Audio held for a receiver that does not read fast enough, ms of audio, 100..60 000. When more
   * is waiting, the oldest binary messages are dropped (counted as `framesDropped`). Default 2000.
   */
  maxQueueMs?: number;
};

/** {@link PcmStreamOptions} with every default filled in. */
export type ResolvedPcmStreamOptions = Required<PcmStreamOptions>;

export const PCM_STREAM_DEFAULTS: Readonly<ResolvedPcmStreamOptions> = Object.freeze({
  sampleRate: 48000,
  channels: 2,
  frameDurationMs: 10,
  reorderWaitMs: 50,
  maxQueueMs: 2000,
});

/**
 * Validates `options` and fills in the defaults.
 * @throws InvalidArgumentError (`ERR_TE_INVALID_ARG`) naming the first option of the wrong type or range.
 */
export function resolvePcmStreamOptions(options: PcmStreamOptions = {}): ResolvedPcmStreamOptions {
  if (typeof options !== 'object' || options === null) throw invalidParameter('options', 'an object', options);
  const d = PCM_STREAM_DEFAULTS;
  return {
    sampleRate: oneOf('sampleRate', options.sampleRate, PCM_SAMPLE_RATES, d.sampleRate),
    channels: oneOf('channels', options.channels, [1, 2] as const, d.channels),
    frameDurationMs: intOption('frameDurationMs', options.frameDurationMs, 10, 60, d.frameDurationMs),
    reorderWaitMs: intOption('reorderWaitMs', options.reorderWaitMs, 0, 1000, d.reorderWaitMs),
    maxQueueMs: intOption('maxQueueMs', options.maxQueueMs, 100, 60_000, d.maxQueueMs),
  };
}

/** Samples per channel in one binary message. */
export function frameSamples(o: ResolvedPcmStreamOptions): number {
  return (o.sampleRate * o.frameDurationMs) / 1000;
}

/** Bytes of one binary message (s16: 2 bytes a sample). */
export function frameBytes(o: ResolvedPcmStreamOptions): number {
  return frameSamples(o) * o.channels * 2;
}
