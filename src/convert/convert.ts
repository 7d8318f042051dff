import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

import {
  CaptureFileReader,
  RtpStreamScanner,
  StreamNotFoundError,
  chooseTrack,
  guessVpCodec,
  parseSdp,
  sniffRtp,
} from '../capture/index.js';
import type { CapturedPacket, ChosenTrack, PayloadEvidence, SdpPayloadFormat } from '../capture/index.js';
import { CODECS, type CodecName, isCodecName } from '../core/codec.js';
import { PcmDecoder } from '../core/pcm-decoder.js';
import { Recorder } from '../core/recorder.js';
import { wavHeader } from '../io/wav.js';
import { ConvertInputError } from './errors.js';
import { type FrameCheck, checkFrames, noRtpMessage } from './diagnosis.js';
import { type ConvertOptions, type ConvertSummary, type OutputKind, checkConvertOptions } from './options.js';
import { OutputFile, fsReason } from './output-file.js';

export { ConvertInputError } from './errors.js';
export { ConvertOutputError } from './output-file.js';
export type { ConvertOptions, ConvertSummary } from './options.js';

/**
 * Turns one RTP stream of a capture into a file, without transcoding (H.264 → MP4, VP8/VP9 →
 * WebM, Opus → Ogg) or, for Opus, decoded to PCM (`.pcm` raw s16le, `.wav`).
 *
 * Streaming, in flat memory whatever the capture's length: a first pass over the file only reads
 * RTP headers (RFC 3550 §5.1) and payload signatures to pick the stream and the codec, a second
 * pass feeds the packets to the {@link Recorder} / {@link PcmDecoder} and writes output as it is
 * produced. The output goes to a temporary file in its directory, renamed at success; on any
 * failure (or abort) nothing is left behind and an existing file of that name is kept.
 *
 * @throws InvalidArgumentError (`ERR_TE_INVALID_ARG`) for an option of the wrong type or range, or
 *   an output extension other than `.mp4`, `.webm`, `.ogg`, `.pcm`, `.wav`.
 * @throws ConvertInputError (`ERR_TE_CONVERT_INPUT`) when the input cannot give what was asked: a
 *   missing capture or SDP, no RTP in the capture, a codec in the wrong container, a stream that is
 *   not the codec it claims, no frame could be written (with the precise cause).
 * @throws StreamNotFoundError (`ERR_STREAM_NOT_FOUND`) when `ssrc`/`payloadType` match no stream
 *   (the message lists the streams); CaptureFormatError (`ERR_CAPTURE_FORMAT`) for a file that is
 *   not a capture.
 * @throws ConvertOutputError (`ERR_TE_CONVERT_OUTPUT`) when the output cannot be written (disk full,
 *   permissions; the message names the errno code).
 * @throws `signal.reason` when `signal` is aborted.
 * @example
 * const s = await convert({ input: 'call.pcap', output: 'call.webm', codec: 'vp8' });
 * console.log(`${s.frames} frames, ${s.durationSec} s, ${s.lost} lost → ${s.output}`);
 */
export async function convert(opts: ConvertOptions): Promise<ConvertSummary> {
  const kind = checkConvertOptions(opts);
  opts.signal?.throwIfAborted();
  const sdpPath = opts.sdp ?? (await siblingSdp(opts.input));
  const sdp = sdpPath ? parseSdp(await readInputText(sdpPath)) : [];
  const payloadType = opts.payloadType ?? (sdp.length === 1 ? sdp[0]!.payloadType : undefined);

  // Two passes need a file that can be read twice: a pipe (/dev/stdin, <(…)) is spooled to a
  // temporary file first (disk, not memory).
  const spool = await spoolIfNotRegular(opts.input, opts.signal);
  try {
    return await convertFile(opts, spool?.path ?? opts.input, kind, sdpPath, sdp, payloadType);
  } finally {
    if (spool) await rm(spool.dir, { recursive: true, force: true });
  }
}

async function convertFile(
  opts: ConvertOptions,
  input: string,
  kind: OutputKind,
  sdpPath: string | undefined,
  sdp: SdpPayloadFormat[],
  payloadType: number | undefined,
): Promise<ConvertSummary> {
  // Pass 1: headers only.
  const scanner = new RtpStreamScanner();
  const scan = await openInput(input, opts.input);
  for await (const p of scan) {
    opts.signal?.throwIfAborted();
    scanner.add(p);
  }
  const warnings = scan.stopped
    ? [`${opts.input}: ${scan.stopped.message}; converted the packets before it`]
    : [];
  let track: ChosenTrack;
  try {
    track = chooseTrack(scanner.streams(), { ssrc: opts.ssrc, payloadType });
  } catch (err) {
    if (!(err instanceof StreamNotFoundError)) throw err;
    if (err.available.length === 0) throw new ConvertInputError(noRtpMessage(opts.input, scan));
    throw new StreamNotFoundError(`${opts.input}: ${err.message}`, err.available);
  }
  const pt = track.payloadType ?? track.streams[0]!.payloadTypes[0];
  const format = sdp.find((f) => f.payloadType === pt);
  const evidence = scanner.evidence(track.ssrcs);
  const codec = resolveCodec(opts.codec, format, kind, evidence);
  checkContainer(codec, kind);
  const channels = opusChannels(format);

  // Pass 2: the track's packets into the core, output written as it comes.
  const out = OutputFile.create(opts.output);
  try {
    const ctx: Pass2 = { opts, input: opts.input, track, packets: trackPackets(input, opts.input, track, opts.signal), out, codec, evidence, format };
    const summary = kind === '.pcm' || kind === '.wav' ? await decodeToPcm(ctx, kind, channels) : await record(ctx, channels);
    out.commit();
    if (sdpPath) summary.sdp = sdpPath;
    summary.warnings = warnings;
    return summary;
  } catch (err) {
    out.discard();
    throw err;
  }
}

type Pass2 = FrameCheck & {
  opts: ConvertOptions;
  track: ChosenTrack;
  packets: AsyncIterable<CapturedPacket>;
  out: OutputFile;
};

async function record(ctx: Pass2, channels: 1 | 2): Promise<ConvertSummary> {
  const { opts, out, codec, format } = ctx;
  const rec = await Recorder.create({
    codec,
    clockRate: format?.clockRate || undefined,
    channels,
    seekable: opts.seekable ?? true,
    fmtp: format?.fmtp,
  });
  try {
    for await (const p of ctx.packets) {
      rec.push(p.data, p.timeUs);
      const chunks = rec.read();
      if (chunks.length) out.writeChunks(chunks);
    }
    out.writeChunks(rec.finish());
    const s: Record<string, number> = rec.stats();
    checkFrames(ctx, s, s.frames ?? 0);
    return summaryOf(ctx, s, { frames: s.frames ?? 0, durationSec: (s.durationUs ?? 0) / 1e6, bytes: out.size });
  } finally {
    rec.close();
  }
}

async function decodeToPcm(ctx: Pass2, kind: '.pcm' | '.wav', channels: 1 | 2): Promise<ConvertSummary> {
  const { opts, out } = ctx;
  const dec = await PcmDecoder.create({
    channels,
    sampleRate: (opts.sampleRate ?? 48000) as 48000,
    outputChannels: (opts.channels ?? 2) as 2,
  });
  try {
    const header = kind === '.wav' ? 44 : 0;
    if (header) out.write(wavHeader(dec.sampleRate, dec.channels, 0));
    const take = (pcm: Int16Array) => {
      if (pcm.length) out.write(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    };
    for await (const p of ctx.packets) {
      dec.push(p.data, p.timeUs);
      for (const pcm of dec.drain()) take(pcm);
    }
    dec.end();
    for (const pcm of dec.drain()) take(pcm);
    const dataBytes = out.size - header;
    const s = dec.stats();
    checkFrames(ctx, s, s.framesDecoded ?? 0);
    if (header) out.write(wavHeader(dec.sampleRate, dec.channels, dataBytes), 0);
    return summaryOf(ctx, s, {
      frames: s.framesDecoded ?? 0,
      durationSec: dataBytes / 2 / dec.channels / dec.sampleRate,
      bytes: out.size,
    });
  } finally {
    dec.close();
  }
}

function summaryOf(
  ctx: Pass2,
  s: Record<string, number>,
  r: { frames: number; durationSec: number; bytes: number },
): ConvertSummary {
  const summary: ConvertSummary = {
    codec: ctx.codec,
    packets: s.received ?? 0,
    lost: s.lost ?? 0,
    frames: r.frames,
    durationSec: r.durationSec,
    bytes: r.bytes,
    output: ctx.opts.output,
    malformed: (s.malformed ?? 0) + (s.payloadMalformed ?? 0),
    warnings: [],
  };
  if ('padding' in s) summary.padding = s.padding ?? 0;
  if ('timestampOutliers' in s) summary.outliers = s.timestampOutliers ?? 0;
  return summary;
}

/** Packets of the chosen track, read again from the file. */
async function* trackPackets(
  input: string,
  name: string,
  track: ChosenTrack,
  signal: AbortSignal | undefined,
): AsyncGenerator<CapturedPacket> {
  const ssrcs = new Set(track.ssrcs);
  const reader = await openInput(input, name);
  for await (const p of reader) {
    signal?.throwIfAborted();
    const h = sniffRtp(p.data);
    if (!h || !ssrcs.has(h.ssrc)) continue;
    if (track.payloadType !== undefined && h.payloadType !== track.payloadType) continue;
    yield p;
  }
}

/** Opens `path` for reading; messages name the file as the user gave it (`name`). */
async function openInput(path: string, name: string): Promise<CaptureFileReader> {
  try {
    return await CaptureFileReader.open(path, { name });
  } catch (err) {
    throw inputError(name, err);
  }
}

/** The input copied to a temporary file when it is not a regular file (a pipe), else undefined. */
async function spoolIfNotRegular(input: string, signal: AbortSignal | undefined): Promise<{ dir: string; path: string } | undefined> {
  // "-" and /dev/stdin read the process's stdin (a socket cannot be opened by path).
  const stdin = input === '-' || input === '/dev/stdin';
  if (input !== '-') {
    try {
      if ((await stat(input)).isFile()) return undefined;
    } catch (err) {
      throw inputError(input, err);
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'track-egress-'));
  const path = join(dir, 'input');
  try {
    await pipeline(stdin ? process.stdin : createReadStream(input), createWriteStream(path), { signal });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw signal?.aborted ? signal.reason : inputError(input, err);
  }
  return { dir, path };
}

async function readInputText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw inputError(path, err);
  }
}

/** fs errors on an input: a missing file or a directory is bad usage (2), the rest stays as is (1). */
function inputError(path: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
    return new ConvertInputError(`${path}: cannot read: ${fsReason(err)}`);
  }
  if (typeof code === 'string' && code.startsWith('E') && !code.startsWith('ERR_')) {
    return Object.assign(new Error(`${path}: cannot read: ${fsReason(err)}`), { code });
  }
  return err;
}

/** `<dir>/<name>.sdp` for `<dir>/<name>.<ext>`, when it exists. */
async function siblingSdp(input: string): Promise<string | undefined> {
  const ext = extname(input);
  if (ext.toLowerCase() === '.sdp') return undefined;
  const candidate = join(dirname(input), `${basename(input, ext)}.sdp`);
  try {
    await stat(candidate);
    return candidate;
  } catch {
    return undefined;
  }
}

function resolveCodec(
  given: CodecName | undefined,
  format: SdpPayloadFormat | undefined,
  kind: OutputKind,
  evidence: PayloadEvidence,
): CodecName {
  if (given) return given;
  if (format) {
    if (isCodecName(format.codec)) return format.codec;
    throw new ConvertInputError(`SDP codec "${format.encodingName}" is not supported (h264, vp8, vp9, opus)`);
  }
  if (kind === '.mp4') return 'h264';
  if (kind === '.ogg' || kind === '.pcm' || kind === '.wav') return 'opus';
  const vp = guessVpCodec(evidence);
  if (vp) return vp;
  throw new ConvertInputError(
    evidence.vp8Keyframes > 0
      ? 'cannot tell VP8 from VP9: the key frames match both; give --codec vp8|vp9 or --sdp'
      : 'cannot tell VP8 from VP9: no key frame in the capture; give --codec vp8|vp9 or --sdp',
  );
}

function checkContainer(codec: CodecName, kind: OutputKind): void {
  const want = CODECS[codec].extension;
  const pcm = codec === 'opus' && (kind === '.pcm' || kind === '.wav');
  if (kind !== want && !pcm) {
    throw new ConvertInputError(`${codec} goes into ${want}${codec === 'opus' ? ', .pcm or .wav' : ''}, not ${kind} (no transcoding)`);
  }
}

/** RFC 7587 §7.1: sprop-stereo is what the sender sends, stereo what it wants; rtpmap says 2 always. */
function opusChannels(format: SdpPayloadFormat | undefined): 1 | 2 {
  const f = format?.fmtp ?? {};
  const v = f['sprop-stereo'] ?? f['stereo'];
  return v === '0' ? 1 : 2;
}
