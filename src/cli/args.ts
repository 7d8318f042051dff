import { parseArgs } from 'node:util';

import type { ConvertOptions } from '../convert/options.js';
import { isCodecName } from '../core/codec.js';
import { InvalidArgumentError } from '../core/errors.js';
import { PCM_FLAG_OPTIONS, pcmOptionsFromFlags } from '../config/pcm-config.js';
import type { RecordOptions } from '../egress/record.js';
import { isWebSocketUrl } from '../egress/websocket-url.js';
import { parseS3Output, type S3Target } from './service-args.js';

export const USAGE = `Usage:
  track-egress convert INPUT -o OUTPUT [--codec h264|vp8|vp9|opus] [--sdp FILE]
                       [--payload-type N] [--ssrc N] [--sample-rate N] [--channels N] [--streaming]
  track-egress record --url URL (--api-key K --api-secret S | --token T) --room ROOM --track TR_…
                      -o OUTPUT|s3://BUCKET/KEY|ws://HOST/PATH [--duration SECONDS] [--track-timeout SECONDS]
                      [--s3-endpoint URL] [--s3-region REGION] [--s3-force-path-style]
                      [--pcm-sample-rate HZ] [--pcm-channels 1|2] [--pcm-frame-ms MS]
                      [--pcm-reorder-wait-ms MS] [--pcm-max-queue-ms MS]
  track-egress serve [--config FILE] [--port N] [--host H] [--log-level debug|info|warn|error]
                     [--health-port N] [--prometheus-port N] [--recordings-dir DIR] [--pcm-… as record]

record  joins the room as a hidden recorder and writes the track without transcoding
        (H.264 → .mp4, VP8/VP9 → .webm, Opus → .ogg), as one egress job (the same as the
        service's StartTrackEgress). OUTPUT ending in "/" is a directory: the file is named
        <track>-<time><ext> as LiveKit's egress names it. s3://BUCKET/KEY uploads while it records
        (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, region
        from AWS_REGION, endpoint from AWS_ENDPOINT_URL when no flag gives them). Stops when the
        track ends, after --duration, or on Ctrl-C; shows progress on stderr and prints the final
        EgressInfo as JSON on stdout (exit 0 when COMPLETE). With --token (no API secret), a local
        OUTPUT or ws://… only, and one summary line instead of the EgressInfo.
        ws://… or wss://… streams an audio track's PCM to that WebSocket instead (LiveKit's
        WebSocket track egress: s16le binary messages, {"muted":true|false} text messages) until
        the track ends; --pcm-sample-rate 8000|12000|16000|24000|48000 (default 48000),
        --pcm-channels 1|2 (default 2), --pcm-frame-ms 10..60 (default 10: 1920-byte messages),
        --pcm-reorder-wait-ms 0..1000 (default 50), --pcm-max-queue-ms 100..60000 (default 2000:
        audio held for a slow receiver before the oldest is dropped).
serve   runs the egress service: LiveKit's Egress API (StartTrackEgress, StopEgress, ListEgress)
        on --port (default 7980), webhooks, /healthz and /metrics. The YAML config (--config, or
        EGRESS_CONFIG_FILE / EGRESS_CONFIG_BODY) uses LiveKit egress's key names; see
        docs/egress-service.md.

INPUT   pcap / pcapng (Ethernet, Linux cooked, loopback, raw IP) or rtpdump capture of RTP over UDP
        ("-" or a pipe: read to a temporary file first).
OUTPUT  extension picks the result: .mp4 (H.264), .webm (VP8/VP9), .ogg (Opus, passthrough),
        .pcm (raw s16le) or .wav (Opus decoded; --sample-rate/--channels, default 48000/2).
With several streams, --ssrc / --payload-type pick one (else the first; a sender that restarted
with a new SSRC on the same addresses and payload type stays one recording). Without --sdp, an SDP
named like the capture (INPUT without its extension + .sdp) is used when it exists. Without --codec
or an SDP, .webm tells VP8 from VP9 by the key frames. --streaming writes the append-only form
(fragmented MP4, live WebM) instead of a seekable file with a complete index. The output appears
only when complete (written under a temporary name in its directory, renamed at the end).`;

/** Parses `convert` arguments; throws InvalidArgumentError (ERR_TE_INVALID_ARG, exit 2) with a clear message. */
export function parseConvertArgs(argv: string[]): ConvertOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        codec: { type: 'string' },
        sdp: { type: 'string' },
        'payload-type': { type: 'string' },
        ssrc: { type: 'string' },
        'sample-rate': { type: 'string' },
        channels: { type: 'string' },
        streaming: { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new InvalidArgumentError('convert needs exactly one INPUT file');
  if (!values.output) throw new InvalidArgumentError('convert needs -o OUTPUT');
  if (values.codec !== undefined && !isCodecName(values.codec)) {
    throw new InvalidArgumentError(`--codec must be h264, vp8, vp9 or opus, not "${values.codec}"`);
  }
  return {
    input: positionals[0]!,
    output: values.output,
    codec: values.codec,
    sdp: values.sdp,
    payloadType: intArg('--payload-type', values['payload-type'], 0, 127),
    ssrc: intArg('--ssrc', values.ssrc, 0, 0xffffffff),
    sampleRate: intArg('--sample-rate', values['sample-rate'], 8000, 48000, [8000, 12000, 16000, 24000, 48000]),
    channels: intArg('--channels', values.channels, 1, 2),
    seekable: !values.streaming,
  };
}

function intArg(name: string, v: string | undefined, min: number, max: number, allowed?: number[]): number | undefined {
  if (v === undefined) return undefined;
  const n = /^0x[0-9a-f]+$/i.test(v) ? Number.parseInt(v, 16) : /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max || (allowed && !allowed.includes(n))) {
    throw new InvalidArgumentError(`${name} must be ${allowed ? `one of ${allowed.join(', ')}` : `an integer ${min}..${max}`}, not "${v}"`);
  }
  return n;
}

/** `record` arguments: the job, and its S3 target when OUTPUT is `s3://bucket/key`. */
export type RecordArgs = RecordOptions & { s3?: S3Target };

/** Parses `record` arguments; throws InvalidArgumentError (ERR_TE_INVALID_ARG, exit 2) with a clear message. */
export function parseRecordArgs(argv: string[]): RecordArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        'api-key': { type: 'string' },
        'api-secret': { type: 'string' },
        token: { type: 'string' },
        room: { type: 'string' },
        track: { type: 'string' },
        output: { type: 'string', short: 'o' },
        duration: { type: 'string' },
        'track-timeout': { type: 'string' },
        's3-endpoint': { type: 'string' },
        's3-region': { type: 'string' },
        's3-force-path-style': { type: 'boolean' },
        ...PCM_FLAG_OPTIONS,
      },
    }));
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  for (const k of ['url', 'room', 'track', 'output'] as const) {
    if (!values[k]) throw new InvalidArgumentError(`record needs --${k === 'output' ? 'o OUTPUT' : k}`);
  }
  if (!values.token && !(values['api-key'] && values['api-secret'])) {
    throw new InvalidArgumentError('record needs --token, or --api-key and --api-secret');
  }
  const seconds = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(n > 0 && n <= 86400)) throw new InvalidArgumentError(`${name} must be a number of seconds in (0, 86400], not "${v}"`);
    return n;
  };
  const timeout = seconds('--track-timeout', values['track-timeout']);
  // Any other `scheme://` is a mistake (http://, rtmp://…), not a file name: refuse it before it
  // becomes a directory named after the URL, query values (tokens) included.
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(values.output!)?.[1]?.toLowerCase();
  if (scheme && !['s3', 'ws', 'wss'].includes(scheme)) {
    throw new InvalidArgumentError(`-o ${scheme}://… is not an output: give a file path, s3://BUCKET/KEY, ws://… or wss://…`);
  }
  const s3 = parseS3Output(values.output!, {
    endpoint: values['s3-endpoint'],
    region: values['s3-region'],
    forcePathStyle: values['s3-force-path-style'],
  });
  if (!s3 && (values['s3-endpoint'] ?? values['s3-region'] ?? values['s3-force-path-style']) !== undefined) {
    throw new InvalidArgumentError('--s3-endpoint, --s3-region and --s3-force-path-style need -o s3://BUCKET/KEY');
  }
  if (s3 && values.token) throw new InvalidArgumentError('-o s3://… needs --api-key and --api-secret (not --token)');
  const pcm = pcmOptionsFromFlags(values);
  if (pcm && !isWebSocketUrl(values.output!)) throw new InvalidArgumentError('--pcm-* options need -o ws://… or wss://…');
  return {
    s3,
    url: values.url!,
    apiKey: values['api-key'],
    apiSecret: values['api-secret'],
    token: values.token,
    room: values.room!,
    track: values.track!,
    output: values.output!,
    durationSec: seconds('--duration', values.duration),
    trackTimeoutMs: timeout === undefined ? undefined : timeout * 1000,
    ...(pcm ? { pcm } : {}),
  };
}
