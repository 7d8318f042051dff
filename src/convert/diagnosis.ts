/**
 * Why a conversion has nothing (right) to write, said as precisely as the capture reader's
 * counters, the core's stats and the payload signatures allow.
 */
import type { CaptureFileReader, PayloadEvidence, SdpPayloadFormat } from '../capture/index.js';
import { guessVpCodec } from '../capture/index.js';
import type { CodecName } from '../core/codec.js';
import { ConvertInputError } from './errors.js';
import type { PCM_STAT_NAMES, RECORDER_STAT_NAMES } from '../core/abi.generated.js';

/** What {@link checkFrames} needs to know about the conversion. */
export type FrameCheck = {
  /** The input as the user named it. */
  input: string;
  codec: CodecName;
  evidence: PayloadEvidence;
  format: SdpPayloadFormat | undefined;
};

/** What makes a payload valid for each codec, for "input is not …" messages. */
export const CODEC_SPEC: Record<CodecName, [name: string, spec: string]> = {
  h264: ['H.264', 'RFC 6184 §5'],
  vp8: ['VP8', 'RFC 7741 §4'],
  vp9: ['VP9', 'RFC 9628 §4'],
  opus: ['Opus', 'RFC 6716 §3.1'],
};

/**
 * Counters of packets that are not valid for the codec (payload structure or timing), by their
 * core stat names (typed against te.h's lists, so a renamed stat fails to compile). A stat the
 * codec's pipeline does not have counts 0.
 */
export const INVALID_STATS = [
  'payloadMalformed', 'payloadUnsupported', 'decodeErrors', 'timingInvalid',
] as const satisfies ReadonlyArray<(typeof RECORDER_STAT_NAMES)[number] | (typeof PCM_STAT_NAMES)[number]>;

/**
 * Refuses a stream that is not the codec it claims — most of its packets invalid for the codec
 * (for audio, one packet per frame, that is more invalid packets than frames written; for video,
 * counting packets rather than frames keeps a damaged but real stream), or no frame at all while
 * the payloads carry another codec's signature — and a stream that gave no frame, with the most
 * precise cause the stats and the payloads tell.
 */
export function checkFrames(ctx: FrameCheck, s: Record<string, number>, frames: number): void {
  const { input, codec, evidence } = ctx;
  const invalid = INVALID_STATS.reduce((n, k) => n + (s[k] ?? 0), 0);
  const received = s.received ?? 0;
  const [name, spec] = CODEC_SPEC[codec];
  const looks = looksLike(evidence, codec);
  const hint = looks ? `; the payloads look like ${looks}` : '; wrong --codec or --payload-type?';
  if (received > 0 && invalid * 2 > received) {
    throw new ConvertInputError(
      `${input}: input is not ${name}: ${invalid} of ${received} packets are not valid ${name} (${spec})${hint}`,
    );
  }
  if (frames > 0) return;
  const what = `${input}: no ${name} frame could be written from ${received} packets`;
  if (looks) throw new ConvertInputError(`${input}: input is not ${name}: no ${name} frame in ${received} packets${hint}`);
  if (codec === 'h264') {
    const sprop = ctx.format?.fmtp['sprop-parameter-sets'];
    if (evidence.h264Idr > 0 && (evidence.h264Sps === 0 || evidence.h264Pps === 0) && !sprop) {
      throw new ConvertInputError(
        `${what}: the stream has IDR slices but no SPS/PPS in-band and none in the SDP ` +
          `(sprop-parameter-sets, RFC 6184 §8.1); give --sdp with the stream's SDP`,
      );
    }
    if (evidence.h264Idr === 0) {
      throw new ConvertInputError(`${what}: no IDR picture (keyframe) in the capture to start decoding from`);
    }
  } else if ((codec === 'vp8' && evidence.vp8Keyframes === 0) || (codec === 'vp9' && evidence.vp9Keyframes === 0)) {
    throw new ConvertInputError(`${what}: no ${name} key frame in the capture to start decoding from`);
  }
  throw new ConvertInputError(
    `${what} (malformed ${(s.malformed ?? 0) + (s.payloadMalformed ?? 0)}, unsupported ${s.payloadUnsupported ?? 0})`,
  );
}

/** Which other codec the payload signatures point to, if any. */
export function looksLike(e: PayloadEvidence, codec: CodecName): string | undefined {
  const vp = guessVpCodec(e);
  if (vp && vp !== codec) return vp === 'vp8' ? 'VP8 (--codec vp8, .webm)' : 'VP9 (--codec vp9, .webm)';
  if (codec !== 'h264' && e.h264Idr > 0 && e.h264Sps > 0 && e.h264Nal * 10 >= e.packets * 9) return 'H.264 (.mp4)';
  return undefined;
}

/** Why a capture gave no RTP packet: a truncated/corrupt file, an unknown link type, or what it holds. */
export function noRtpMessage(input: string, r: CaptureFileReader): string {
  const s = r.stats;
  if (r.stopped && s.packets === 0) return `${input}: no RTP packets: ${r.stopped.message}`;
  if (r.unsupportedLinkTypes.size > 0 && s.packets === 0) {
    const types = [...r.unsupportedLinkTypes].join(', ');
    return (
      `${input}: no RTP packets: link type ${types} is not supported ` +
      '(Ethernet, Linux cooked v1/v2, loopback, raw IP are)'
    );
  }
  const skipped = [
    s.nonIp && `${s.nonIp} not IP`,
    s.nonUdp && `${s.nonUdp} not UDP`,
    s.fragments && `${s.fragments} IP fragments`,
    s.malformed && `${s.malformed} malformed`,
    s.snapTruncated && `${s.snapTruncated} cut by the snap length`,
    s.unsupportedLinkType && `${s.unsupportedLinkType} of an unsupported link type`,
  ].filter(Boolean);
  return (
    `${input}: no RTP packets in ${s.records} records (${s.packets} UDP payloads, none of them RTP` +
    `${skipped.length ? `; skipped: ${skipped.join(', ')}` : ''})` +
    (r.stopped ? `; ${r.stopped.message}` : '')
  );
}
