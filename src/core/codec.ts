import { CODEC_ID } from './abi.generated.js';

/** Codecs the core can depacketize, with their container and RTP defaults. */
export type CodecName = 'h264' | 'vp8' | 'vp9' | 'opus';

type CodecInfo = {
  /** TE_CODEC_* id of the C ABI. */
  id: number;
  kind: 'video' | 'audio';
  /** RTP clock rate (RFC 6184 §8.2.1, RFC 7741 §6.1, RFC 7587 §4.1). */
  clockRate: number;
  /** Container the track is exported to, as in LiveKit's Track Egress. */
  extension: '.mp4' | '.webm' | '.ogg';
  mimeType: string;
};

/**
 * Per codec: the C ABI id, kind, RTP clock rate in Hz, container extension and its MIME type.
 * @example
 * CODECS.vp8.extension; // '.webm'
 */
export const CODECS: Readonly<Record<CodecName, CodecInfo>> = {
  h264: { id: CODEC_ID.h264, kind: 'video', clockRate: 90000, extension: '.mp4', mimeType: 'video/mp4' },
  vp8: { id: CODEC_ID.vp8, kind: 'video', clockRate: 90000, extension: '.webm', mimeType: 'video/webm' },
  vp9: { id: CODEC_ID.vp9, kind: 'video', clockRate: 90000, extension: '.webm', mimeType: 'video/webm' },
  opus: { id: CODEC_ID.opus, kind: 'audio', clockRate: 48000, extension: '.ogg', mimeType: 'audio/ogg' },
};

export function isCodecName(v: unknown): v is CodecName {
  return typeof v === 'string' && Object.hasOwn(CODECS, v);
}

/**
 * Maps an RTP encoding name (SDP a=rtpmap, RFC 8866) or MIME type to a codec, if known.
 * @example
 * codecFromEncodingName('video/VP8'); // 'vp8'
 * codecFromEncodingName('AV1');       // undefined
 */
export function codecFromEncodingName(name: string): CodecName | undefined {
  const n = name.toLowerCase().replace(/^(audio|video)\//, '');
  return isCodecName(n) ? n : undefined;
}
