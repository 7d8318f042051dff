/**
 * The contract between "where RTP comes from" and the egress layer / media core.
 * `subscribeTrack()` (./subscribe-track.ts) implements it for a LiveKit room; tests and the
 * offline `convert` path can implement it from captures.
 */
import type { EventEmitter } from 'node:events';

/** Codec of the subscribed track, from the negotiated SDP (rtpmap/fmtp) and the TrackInfo. */
export type TrackCodec = {
  /** e.g. "video/VP8", "video/H264", "audio/opus" (as LiveKit's TrackInfo.mimeType). */
  mimeType: string;
  payloadType: number;
  clockRate: number;
  /** Audio only: the rtpmap channel count (Opus always says 2; see fmtp stereo/sprop-stereo). */
  channels?: number;
  /** a=fmtp parameters, e.g. { 'sprop-stereo': '1', useinbandfec: '1' } or { 'profile-level-id': '42e01f' }. */
  fmtp: Record<string, string>;
};

/** What {@link TrackSource.info} says about the subscribed track. */
export type TrackInfoSummary = {
  trackSid: string;
  kind: 'audio' | 'video';
  /** LiveKit TrackSource lower-cased: camera, microphone, screen_share, screen_share_audio, unknown. */
  source: string;
  publisherIdentity: string;
  publisherSid: string;
  codec: TrackCodec;
  /** Media SSRC the SFU sends this track on (RTX excluded). */
  ssrc: number;
  muted: boolean;
};

/** Why a {@link TrackSource} ended (its terminal `ended` event). */
export type TrackEndReason =
  | 'unpublished'
  | 'participant-left'
  | 'room-closed'
  | 'disconnected' // could not resume within the grace period
  | 'closed'; // close() was called

/** Events of a {@link TrackSource} (an EventEmitter). */
export type TrackSourceEvents = {
  /** One RTP packet of this track exactly as the SFU sent it (SRTP-decrypted); arrival time in µs. */
  rtp: [packet: Uint8Array, arrivalUs: number];
  muted: [];
  unmuted: [];
  /** The signal connection dropped; a resume is under way. */
  connectionLost: [reason: string];
  /** The session resumed (or the publisher re-published the same track SID). */
  resumed: [];
  /** Terminal: no more packets. */
  ended: [reason: TrackEndReason];
  error: [error: Error];
};

/**
 * One track's RTP and its feedback channel; {@link subscribeTrack} makes one for a LiveKit room.
 * @example
 * source.on('rtp', (packet, arrivalUs) => rec.push(packet, arrivalUs));
 * if (rec.takeKeyframeRequest()) source.requestKeyframe();
 * await source.close();
 */
export interface TrackSource extends EventEmitter<TrackSourceEvents> {
  readonly info: TrackInfoSummary;
  /** Sends an RTCP PLI (RFC 4585 §6.3.1) to the SFU; throttled to one per second. */
  requestKeyframe(): void;
  /** Sends an RTCP generic NACK (RFC 4585 §6.2.1) for these sequence numbers. */
  requestRetransmission(sequenceNumbers: readonly number[]): void;
  /** Leaves the room cleanly. Emits `ended` with 'closed'. Idempotent. */
  close(): Promise<void>;
}
