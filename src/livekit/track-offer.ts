/**
 * Resolving the subscribed track from a session's offer: which media section carries it
 * (mid_to_track_id, then msid), its SSRC, its codec and payload variants, and the TrackInfoSummary
 * built from them. Pure functions; see "Resolving the SSRC" in docs/livekit.md.
 */
import { TrackSource as LkTrackSource, type ParticipantInfo, type TrackInfo } from '@livekit/protocol';
import { LiveKitError, LiveKitErrorCode } from './errors.js';
import { codecPayloads, type ParsedSdp, type SdpMedia, type SdpPayload } from '../rtp/sdp.js';
import type { TrackCodec, TrackInfoSummary } from './track-source.js';

const SUPPORTED = new Set(['h264', 'vp8', 'vp9', 'opus']);

export function mimeOf(kind: string, name: string): string {
  const n = name.toLowerCase() === 'opus' ? 'opus' : name.toUpperCase();
  return `${kind}/${n}`;
}

export function sourceName(s: LkTrackSource): string {
  return (LkTrackSource[s] ?? 'UNKNOWN').toLowerCase();
}

function unsupportedCodec(trackSid: string, mimeType: string): LiveKitError {
  return new LiveKitError(
    LiveKitErrorCode.UnsupportedCodec,
    `Track ${trackSid} uses ${mimeType}, which cannot be recorded without transcoding (supported: H264, VP8, VP9, Opus)`,
  );
}

/** The error for a published track whose TrackInfo names a codec we cannot record, if it does. */
export function publishedCodecError(t: TrackInfo): LiveKitError | undefined {
  const mime = t.mimeType.toLowerCase();
  const codec = mime.split('/')[1] ?? '';
  // audio/red is Opus with redundancy; we refuse RED in the answer and get plain Opus.
  if (codec && !SUPPORTED.has(codec) && mime !== 'audio/red') return unsupportedCodec(t.sid, t.mimeType);
  return undefined;
}

/** The track's media section as negotiated in one session's PeerConnection. */
export type SessionMedia = {
  mid: string;
  ssrc: number;
  kind: 'audio' | 'video';
  codec: TrackCodec;
  payloadTypes: Set<number>;
  /** Payloads of the track's codec in the current offer (H.264 lists one per profile/mode). */
  codecVariants: SdpPayload[];
};

export type OfferResolution =
  /** Not (or no longer) in this offer. */
  | { kind: 'absent' }
  /** The section lists no codec at all: leave what was negotiated before. */
  | { kind: 'no-codec' }
  | { kind: 'unsupported'; error: LiveKitError }
  | { kind: 'media'; media: SessionMedia };

/**
 * Finds our track's media section in an offer: mid_to_track_id first, then msid. `wantedMime` is the
 * TrackInfo's mime type, which picks the codec among those the section lists.
 */
export function resolveTrackMedia(
  parsed: ParsedSdp,
  midToTrackId: Record<string, string>,
  trackSid: string,
  wantedMime: string | undefined,
): OfferResolution {
  const live = (m: SdpMedia): boolean => m.direction === 'sendonly' || m.direction === 'sendrecv';
  let media = parsed.media.find((m) => midToTrackId[m.mid] === trackSid && live(m));
  media ??= parsed.media.find((m) => live(m) && (m.msid?.track === trackSid || m.msid?.stream.split('|')[1] === trackSid));
  if (!media || media.ssrc === undefined) return { kind: 'absent' };
  const codecs = codecPayloads(media);
  // The SFU lists every enabled codec in a fixed order (VP8 first); prefer the TrackInfo's codec.
  const wanted = wantedMime?.toLowerCase().split('/')[1];
  const main = codecs.find((c) => c.codec === wanted) ?? codecs[0];
  if (!main) return { kind: 'no-codec' };
  const mimeType = mimeOf(media.kind, main.encodingName);
  if (!SUPPORTED.has(main.codec)) return { kind: 'unsupported', error: unsupportedCodec(trackSid, mimeType) };
  const codecVariants = codecs.filter((c) => c.codec === main.codec);
  return {
    kind: 'media',
    media: {
      mid: media.mid,
      ssrc: media.ssrc,
      kind: media.kind === 'audio' ? 'audio' : 'video',
      codec: {
        mimeType,
        payloadType: main.payloadType,
        clockRate: main.clockRate,
        ...(main.channels !== undefined ? { channels: main.channels } : {}),
        fmtp: main.fmtp,
      },
      codecVariants,
      payloadTypes: new Set(codecVariants.map((c) => c.payloadType)),
    },
  };
}

/**
 * The SFU picked another variant of the same codec (e.g. H.264 packetization-mode=1): switches
 * `media.codec` to payload type `pt` and returns true, if `pt` is one of the track's variants.
 */
export function adoptPayloadVariant(media: SessionMedia, pt: number): boolean {
  const v = media.codecVariants.find((c) => c.payloadType === pt);
  if (!v) return false;
  media.codec = { ...media.codec, payloadType: pt, fmtp: v.fmtp };
  return true;
}

/** `info` from a session's negotiated media and the latest TrackInfo. */
export function trackSummary(
  trackSid: string,
  media: SessionMedia,
  track: TrackInfo,
  publisher: ParticipantInfo,
  muted: boolean,
): TrackInfoSummary {
  return {
    trackSid,
    kind: media.kind,
    source: sourceName(track.source),
    publisherIdentity: publisher.identity,
    publisherSid: publisher.sid,
    codec: media.codec,
    ssrc: media.ssrc,
    muted,
  };
}
