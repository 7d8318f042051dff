import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';

import { readCapture, selectStream, parseSdp, sniffRtp } from '../capture/index.js';
import type { CapturedPacket, SdpPayloadFormat } from '../capture/index.js';
import { CODECS, type CodecName, isCodecName } from '../core/codec.js';
import { TrackEgressError } from '../core/errors.js';
import { PcmDecoder } from '../core/pcm-decoder.js';
import { Recorder } from '../core/recorder.js';
import { ChunkFileWriter } from '../io/chunk-file-writer.js';
import { wavHeader } from '../io/wav.js';

export type ConvertOptions = {
  input: string;
  output: string;
  codec?: CodecName;
  sdp?: string;
  payloadType?: number;
  ssrc?: number;
  /** .pcm/.wav: output sample rate (default 48000). */
  sampleRate?: number;
  /** .pcm/.wav: output channels (default 2). */
  channels?: number;
  /** .mp4/.webm: finalize a seekable file with a complete index (default true for files). */
  seekable?: boolean;
};

export type ConvertSummary = {
  codec: CodecName;
  packets: number;
  lost: number;
  frames: number;
  durationSec: number;
  bytes: number;
  output: string;
  malformed: number;
};

/** Error the CLI reports as a usage/input problem (exit code 2). */
export class ConvertInputError extends TrackEgressError {
  constructor(message: string) {
    super('ERR_TE_CONVERT_INPUT', message);
  }
}

const OUTPUT_KINDS = ['.mp4', '.webm', '.ogg', '.pcm', '.wav'] as const;
type OutputKind = (typeof OUTPUT_KINDS)[number];

/** Turns one RTP stream of a capture (pcap, pcapng, rtpdump) into a file; see `track-egress --help`. */
export async function convert(opts: ConvertOptions): Promise<ConvertSummary> {
  const kind = extname(opts.output).toLowerCase() as OutputKind;
  if (!OUTPUT_KINDS.includes(kind)) {
    throw new ConvertInputError(`output extension "${extname(opts.output)}" not supported: use ${OUTPUT_KINDS.join(', ')}`);
  }
  const all = readCapture(readFileSync(opts.input));
  const sdp = opts.sdp ? parseSdp(readFileSync(opts.sdp, 'utf8')) : [];
  const payloadType = opts.payloadType ?? (sdp.length === 1 ? sdp[0]!.payloadType : undefined);
  const stream = selectStream(all, { ssrc: opts.ssrc, payloadType });
  if (stream.length === 0) throw new ConvertInputError(`${opts.input}: no RTP packets found`);
  const pt = sniffRtp(stream[0]!.data)?.payloadType;
  const format = sdp.find((f) => f.payloadType === pt);
  const codec = resolveCodec(opts.codec, format, kind);
  checkContainer(codec, kind);
  const channels = opusChannels(format);

  if (kind === '.pcm' || kind === '.wav') {
    return decodeToPcm(opts, stream, kind, channels);
  }
  const rec = await Recorder.create({
    codec,
    clockRate: format?.clockRate || undefined,
    channels,
    seekable: opts.seekable ?? true,
  });
  const out = new ChunkFileWriter(opts.output);
  try {
    for (const p of stream) {
      rec.push(p.data, p.timeUs);
      out.write(rec.read());
    }
    out.write(rec.finish());
    const s = rec.stats();
    if (s.frames === 0) {
      throw new ConvertInputError(
        `${opts.input}: no complete ${codec} frame in ${s.received} packets (malformed ${s.malformed + s.payloadMalformed}, ` +
          `unsupported ${s.payloadUnsupported}) — wrong --codec or payload type?`,
      );
    }
    return {
      codec,
      packets: s.received,
      lost: s.lost,
      frames: s.frames,
      durationSec: s.durationUs / 1e6,
      bytes: out.size,
      output: opts.output,
      malformed: s.malformed + s.payloadMalformed,
    };
  } finally {
    out.close();
    rec.close();
  }
}

async function decodeToPcm(opts: ConvertOptions, stream: CapturedPacket[], kind: '.pcm' | '.wav', channels: 1 | 2): Promise<ConvertSummary> {
  const dec = await PcmDecoder.create({
    channels,
    sampleRate: (opts.sampleRate ?? 48000) as 48000,
    outputChannels: (opts.channels ?? 2) as 2,
  });
  try {
    const parts: Uint8Array[] = [];
    const take = (pcm: Int16Array) => {
      if (pcm.length) parts.push(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    };
    for (const p of stream) {
      dec.push(p.data, p.timeUs);
      take(dec.read());
    }
    take(dec.finish());
    const dataBytes = parts.reduce((n, p) => n + p.byteLength, 0);
    const file = kind === '.wav' ? [wavHeader(dec.sampleRate, dec.channels, dataBytes), ...parts] : parts;
    writeFileSync(opts.output, Buffer.concat(file));
    const s = dec.stats();
    if ((s.framesDecoded ?? 0) === 0) throw new ConvertInputError(`${opts.input}: no Opus packet could be decoded`);
    return {
      codec: 'opus',
      packets: s.received ?? 0,
      lost: s.lost ?? 0,
      frames: s.framesDecoded ?? 0,
      durationSec: dataBytes / 2 / dec.channels / dec.sampleRate,
      bytes: dataBytes + (kind === '.wav' ? 44 : 0),
      output: opts.output,
      malformed: (s.malformed ?? 0) + (s.payloadMalformed ?? 0),
    };
  } finally {
    dec.close();
  }
}

function resolveCodec(given: CodecName | undefined, format: SdpPayloadFormat | undefined, kind: OutputKind): CodecName {
  if (given) return given;
  if (format) {
    if (isCodecName(format.codec)) return format.codec;
    throw new ConvertInputError(`SDP codec "${format.encodingName}" is not supported (h264, vp8, vp9, opus)`);
  }
  if (kind === '.mp4') return 'h264';
  if (kind === '.ogg' || kind === '.pcm' || kind === '.wav') return 'opus';
  throw new ConvertInputError('cannot tell VP8 from VP9 without --codec or --sdp');
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
