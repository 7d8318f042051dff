/**
 * track-egress/livekit — join a LiveKit room as a hidden recorder and receive one track's RTP
 * (docs/livekit.md), and `record`, which writes it to a file through the media core.
 */
export { subscribeTrack, destroySignalSocket } from './subscribe-track.js';
export type { SubscribeTrackOptions } from './subscribe-track.js';
export type { TrackCodec, TrackEndReason, TrackInfoSummary, TrackSource, TrackSourceEvents } from './track-source.js';
export { LiveKitError, LiveKitErrorCode } from './errors.js';
export { recorderToken } from './recorder-token.js';
export { record } from '../egress/record.js';
export type { RecordOptions, RecordSummary } from '../egress/record.js';
