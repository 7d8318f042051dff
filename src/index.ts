/**
 * track-egress — export one LiveKit track without transcoding.
 *
 * Core API: {@link Recorder} (RTP → MP4/WebM/Ogg) and {@link PcmDecoder} (Opus RTP → pcm_s16le),
 * over a native N-API addon or, where it cannot load, a WebAssembly build of the same C++ core.
 * The LiveKit client is a separate entry point, `track-egress/livekit`, so that importing the core
 * never loads node-datachannel's native binary (wasm-only environments stay importable).
 */
export { Recorder } from './core/recorder.js';
export type { OutputChunk, RecorderOptions, RecorderStats } from './core/recorder.js';
export { PcmDecoder } from './core/pcm-decoder.js';
export type { PcmDecoderOptions, PcmStats } from './core/pcm-decoder.js';
export { BACKEND_ENV, getBackend, loadBackend } from './core/load-backend.js';
export type { BackendKind, CoreBackend } from './core/backend.js';
export { CODECS, codecFromEncodingName } from './core/codec.js';
export type { CodecName } from './core/codec.js';
export { BackendLoadError, InvalidArgumentError, InvalidStateError, TrackEgressError } from './core/errors.js';
export * from './capture/index.js';
export { convert } from './convert/convert.js';
export type { ConvertOptions, ConvertSummary } from './convert/convert.js';
export { ChunkFileWriter } from './io/chunk-file-writer.js';
export { wavHeader } from './io/wav.js';
