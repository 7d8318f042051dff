import { extname } from 'node:path';

import { type CodecName, isCodecName } from '../core/codec.js';
import { InvalidArgumentError, invalidParameter } from '../core/errors.js';

/** What {@link convert} converts, and how. */
export type ConvertOptions = {
  /**
   * The capture: pcap, pcapng (Ethernet, Linux cooked v1/v2, loopback, raw IP; VLAN; IPv4/IPv6)
   * or rtpdump, of RTP over UDP. `"-"` or `/dev/stdin` reads standard input; a pipe is spooled
   * to a temporary file first (two passes).
   */
  input: string;
  /**
   * The file to write; its extension picks the result: `.mp4` (H.264), `.webm` (VP8/VP9), `.ogg`
   * (Opus, passthrough), `.pcm` (Opus decoded to raw s16le, interleaved) or `.wav` (the same with a
   * RIFF header). Written under a temporary name in its directory and renamed when complete.
   */
  output: string;
  /** Codec of the stream. Default: from the SDP, else from the output extension (VP8 vs VP9 by the key frames). */
  codec?: CodecName;
  /** SDP file of the stream (RFC 8866). Default: `<input without extension>.sdp` next to the capture, if present. */
  sdp?: string;
  /** RTP payload type to convert, 0..127. Default: the SDP's only one, else the chosen stream's first. */
  payloadType?: number;
  /** RTP SSRC to convert, 0..2^32-1. Default: the first stream (a sender restarting with a new SSRC stays one recording). */
  ssrc?: number;
  /** `.pcm`/`.wav`: output sample rate in Hz, one of 8000, 12000, 16000, 24000, 48000. Default 48000. */
  sampleRate?: number;
  /** `.pcm`/`.wav`: output channels, 1 or 2. Default 2. */
  channels?: number;
  /**
   * `.mp4`/`.webm`: `true` writes a seekable file with a complete index (MP4 moov at the end, WebM
   * Cues + Duration); `false` the append-only form (fragmented MP4, live WebM). Default `true`.
   */
  seekable?: boolean;
  /** Stops the conversion when aborted: the output is removed and `convert` rejects with `signal.reason`. */
  signal?: AbortSignal;
};

/** Result of {@link convert}. */
export type ConvertSummary = {
  codec: CodecName;
  /** RTP packets of the chosen stream read from the capture. */
  packets: number;
  /** RTP packets missing (sequence number gaps, RFC 3550 §6.4.1). */
  lost: number;
  /** Frames written (video frames; Opus packets written or decoded). */
  frames: number;
  /** Media duration of the output, seconds. */
  durationSec: number;
  /** Output size, bytes. */
  bytes: number;
  /** The file written (`ConvertOptions.output`). */
  output: string;
  /** Packets not valid RTP or not a valid payload of the codec, skipped. */
  malformed: number;
  /** RTP padding-only packets dropped (RFC 3550 §5.1), when the core counts them. */
  padding?: number;
  /** Packets whose RTP time disagreed with their arrival time, when the core counts them. */
  outliers?: number;
  /** The SDP that was used (given as `sdp` or found next to the capture). */
  sdp?: string;
  /** Problems that did not stop the conversion (e.g. a capture that ends inside a record). */
  warnings: string[];
};

/** Output extensions {@link convert} writes. */
export const OUTPUT_KINDS = ['.mp4', '.webm', '.ogg', '.pcm', '.wav'] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];

const SAMPLE_RATES = [8000, 12000, 16000, 24000, 48000];

/** The output kind (its extension); throws InvalidArgumentError (ERR_TE_INVALID_ARG) naming the first option that is wrong. */
export function checkConvertOptions(opts: ConvertOptions): OutputKind {
  for (const k of ['input', 'output'] as const) {
    if (typeof opts?.[k] !== 'string' || opts[k].length === 0) throw invalidParameter(k, 'a non-empty string', opts?.[k]);
  }
  const kind = extname(opts.output).toLowerCase();
  if (!(OUTPUT_KINDS as readonly string[]).includes(kind)) {
    throw new InvalidArgumentError(`output extension "${extname(opts.output)}" not supported: use ${OUTPUT_KINDS.join(', ')}`);
  }
  if (opts.codec !== undefined && !isCodecName(opts.codec)) throw invalidParameter('codec', 'h264, vp8, vp9 or opus', opts.codec);
  if (opts.sdp !== undefined && (typeof opts.sdp !== 'string' || opts.sdp.length === 0)) {
    throw invalidParameter('sdp', 'a non-empty string', opts.sdp);
  }
  const int = (name: keyof ConvertOptions, min: number, max: number, allowed?: number[]) => {
    const v = opts[name];
    if (v === undefined) return;
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max || (allowed && !allowed.includes(v as number))) {
      throw invalidParameter(name, allowed ? `one of ${allowed.join(', ')}` : `an integer ${min}..${max}`, v);
    }
  };
  int('payloadType', 0, 127);
  int('ssrc', 0, 0xffffffff);
  int('sampleRate', 8000, 48000, SAMPLE_RATES);
  int('channels', 1, 2);
  return kind as OutputKind;
}
