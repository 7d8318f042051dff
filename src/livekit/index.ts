/**
 * track-egress/livekit — join a LiveKit room as a hidden recorder and receive one track's RTP
 * ({@link subscribeTrack}, docs/livekit.md); {@link TrackRecording}, which feeds it to a
 * `Recorder` with PLI/NACK feedback; and {@link record}, which writes it to a file.
 *
 * This list is the public surface: everything else under src/ is internal and may change.
 * test/unit/package-entry.test.ts pins it, so adding or removing an export is a deliberate change.
 */
export { subscribeTrack } from './subscribe-track.js';
export type { SubscribeTrackOptions } from './subscribe-track.js';
export type { TrackCodec, TrackEndReason, TrackInfoSummary, TrackSource, TrackSourceEvents } from './track-source.js';
export { LiveKitError, LiveKitErrorCode } from './errors.js';
export { recorderToken } from './recorder-token.js';
export type { RecorderTokenOptions } from './recorder-token.js';
export { TrackRecording } from '../egress/track-recording.js';
export type { TrackRecordingOptions, TrackRecordingStats } from '../egress/track-recording.js';
export { RECORD_FRAGMENT_MS, record } from '../egress/record.js';
export type { RecordOptions, RecordSummary } from '../egress/record.js';
export { outputPath } from '../egress/output-path.js';
