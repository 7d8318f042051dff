/**
 * track-egress — export one LiveKit track without transcoding.
 *
 * Core API: {@link Recorder} (RTP → MP4/WebM/Ogg) and {@link PcmDecoder} (Opus RTP → pcm_s16le),
 * over a native N-API addon or, where it cannot load, a WebAssembly build of the same C++ core;
 * {@link convert} (a capture → a file) and the capture readers it is built on.
 * The LiveKit client is a separate entry point, `track-egress/livekit`, so that importing the core
 * never loads node-datachannel's native binary (wasm-only environments stay importable).
 *
 * This list is the public surface: everything else under src/ is internal and may change.
 * test/unit/package-entry.test.ts pins it, so adding or removing an export is a deliberate change.
 */

// Media core
export { Recorder } from './core/recorder.js';
export type { OutputChunk, RecorderOptions, RecorderStats } from './core/recorder.js';
export { PcmDecoder } from './core/pcm-decoder.js';
export type { PcmDecoderOptions, PcmStats } from './core/pcm-decoder.js';
export { CODECS, codecFromEncodingName } from './core/codec.js';
export type { CodecName } from './core/codec.js';

// Backend choice
export { BACKEND_ENV, getBackend, loadBackend } from './core/load-backend.js';
export type { BackendKind, CoreBackend } from './core/backend.js';

// Errors: every one is a TrackEgressError with a stable `code`
export {
  BackendLoadError, CodecError, InternalError, InvalidArgumentError, InvalidStateError, OutOfMemoryError, TrackEgressError,
  UnsupportedError,
} from './core/errors.js';
export { CaptureFormatError, StreamNotFoundError } from './capture/capture-error.js';
export { ConvertInputError } from './convert/errors.js';
export { ConvertOutputError } from './convert/output-file.js';

// Offline conversion: a capture → a file
export { convert } from './convert/convert.js';
export type { ConvertOptions, ConvertSummary } from './convert/options.js';

// Capture reading (pcap, pcapng, rtpdump, RFC 4571) and RTP stream selection
export { CaptureFileReader } from './capture/capture-file-reader.js';
export type { ByteSource, CaptureFileReaderOptions } from './capture/capture-file-reader.js';
export { detectCaptureFormat, readCapture, readCaptureDetailed } from './capture/read-capture.js';
export type { ReadCaptureOptions } from './capture/read-capture.js';
export type { CapturedPacket, CaptureFormat, CaptureReadResult, CaptureStats } from './capture/captured-packet.js';
export type { CaptureStop } from './capture/record-parser.js';
export { listRtpStreams, selectStream } from './capture/rtp-streams.js';
export type { RtpStreamInfo, SelectStreamOptions } from './capture/rtp-streams.js';

// Writing output
export { ChunkFileWriter } from './io/chunk-file-writer.js';
export { wavHeader } from './io/wav.js';
