/* track-egress C ABI — the one boundary both bindings call (N-API in native/napi, WebAssembly
 * through wasm/exports.txt). Plain C, opaque handles, no structs across the boundary (wasm32 and
 * x86-64 lay structs out differently), times as double microseconds (exact to 2^53, and wasm
 * without BigInt cannot pass int64).
 *
 * Conventions
 *  - Constructors return a handle or NULL; te_last_error() then says why.
 *  - Other calls return te_status: TE_OK (0) or a negative error. Malformed network input is never
 *    an error: it is counted in the stats and skipped.
 *  - Input packets are BORROWED, not copied: the core keeps pointing into a pushed packet until the
 *    packet's id appears in a released list (te_*_released). The caller must keep the bytes alive
 *    and unchanged until then. This is what makes the muxers zero-copy.
 *  - Output is read with te_recorder_collect(): a list of chunks, each a list of runs; a run is
 *    either a slice of an input packet (packet id + offset + size) or a slice of the generated-bytes
 *    buffer. Views returned are valid until the next call on the same handle.
 *  - Handles are not thread-safe; use one per track.
 *  - No C++ exception crosses this boundary: std::bad_alloc inside a call → TE_E_NOMEM, anything
 *    else → TE_E_INTERNAL (NULL from a constructor, 0 from a count), te_last_error() says what.
 *
 * One source of truth: the status codes, codec ids, option ids, limits and stat names below are
 * read by scripts/gen-abi.mjs into src/core/abi.generated.ts (npm test fails if it is stale), and
 * the wasm export list (wasm/exports.txt) by scripts/gen-wasm-exports.sh.
 */
#ifndef TE_TE_H
#define TE_TE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TE_ABI_VERSION 2 /* 2: options by name (te_*_set_option), te_*_new without positional options */

typedef int32_t te_status;
#define TE_OK 0
#define TE_E_INVALID_ARG -1 /* bad handle, argument or option value */
#define TE_E_STATE -2       /* call not allowed now (after finish, option after the first push) */
#define TE_E_UNSUPPORTED -3 /* unknown codec, H.264 packetization-mode 2 */
#define TE_E_NOMEM -4       /* allocation failed (std::bad_alloc) */
#define TE_E_CODEC -5       /* libopus refused a configuration */
#define TE_E_INTERNAL -6    /* any other exception inside the core */

/* Codec ids (te::Codec in native/core/media/codec.h takes its values from these). */
#define TE_CODEC_H264 1 /* RFC 6184 → MP4 */
#define TE_CODEC_VP8 2  /* RFC 7741 → WebM */
#define TE_CODEC_VP9 3  /* draft-ietf-payload-vp9 → WebM */
#define TE_CODEC_OPUS 4 /* RFC 7587 → Ogg */

/* A run that points into the generated-bytes buffer instead of an input packet. */
#define TE_RUN_GENERATED 0xFFFFFFFFu

/* Buffer sizes the bindings use: te_*_missing() asks for at most TE_MAX_MISSING sequence numbers
 * (one RTCP NACK burst); te_*_stats() never returns more than TE_MAX_STATS values. */
#define TE_MAX_MISSING 256
#define TE_MAX_STATS 64

/* Stats, in the order te_recorder_stats()/te_pcm_stats() write them (X-macro lists: the C ABI
 * builds te_*_stat_names() and its value table from them, the generator the TypeScript tuples).
 * RTP input (RFC 3550): datagrams, bytes, malformed (not RTP), rtcp (RFC 5761 mux), filtered (other
 * SSRC/PT), ssrcChanges, padding (no payload), timestampOutliers, timestampRebases; reorder buffer:
 * received, duplicates, late, lost, reordered, restarts; depacketizer: payloadMalformed,
 * payloadUnsupported, frames, framesDropped, keyframes, keyframeRequests, timingInvalid; muxer:
 * outputBytes, durationUs (µs); video size width/height (px); H.264 parameterSetsMissing; PCM:
 * framesDecoded, samplesDecoded, samplesConcealed (samples per channel), fecUsed, decodeErrors;
 * Opus timestamp jitter: timingSnapped (packets whose step was < 2.5 ms off the frame grid, moved
 * onto it and kept). */
#define TE_INPUT_STATS(X)                                                                        \
  X(datagrams) X(bytes) X(malformed) X(rtcp) X(filtered) X(ssrcChanges) X(padding)             \
  X(timestampOutliers) X(timestampRebases) X(received) X(duplicates) X(late) X(lost)           \
  X(reordered) X(restarts)
#define TE_RECORDER_STATS(X)                                                                     \
  TE_INPUT_STATS(X)                                                                              \
  X(payloadMalformed) X(payloadUnsupported) X(frames) X(framesDropped) X(keyframes)            \
  X(keyframeRequests) X(outputBytes) X(durationUs) X(width) X(height) X(timingInvalid)         \
  X(parameterSetsMissing) X(timingSnapped)
#define TE_PCM_STATS(X)                                                                          \
  TE_INPUT_STATS(X)                                                                              \
  X(payloadMalformed) X(framesDecoded) X(samplesDecoded) X(samplesConcealed) X(fecUsed)        \
  X(decodeErrors) X(timingInvalid) X(timingSnapped)

/* Options of te_recorder_set_option() / te_pcm_set_option(): set after te_*_new() and before the
 * first push/poll/finish (TE_E_STATE afterwards). A value out of range → TE_E_INVALID_ARG, and
 * te_last_error() names the option. Values are doubles; integers must be whole. */
/* Recorder, 0|1, default 0. 1: crash-safe file layout — everything written stays playable if the
 * process dies, losing at most about fragment_ms: fragmented MP4 even when seekable (a seekable
 * finish then patches the durations in place and appends an mfra index); WebM and Ogg are always
 * written so. */
#define TE_OPT_CRASH_SAFE 1
/* Recorder, Hz, 1..1000000, default the codec's RTP clock (90000 video, RFC 6184 §8.2.1 and
 * RFC 7741 §6.1; 48000 Opus, RFC 7587 §4.1). */
#define TE_OPT_CLOCK_RATE 2
/* Recorder (Opus only) and PCM decoder (the stream's channels): 1|2, default 2 (SDP stereo=1,
 * RFC 7587 §7.1). */
#define TE_OPT_CHANNELS 3
/* Recorder, 0|1, default 0. 1: the output accepts positioned writes, the muxer may patch earlier
 * bytes at finish (MP4 moov at the end, WebM Cues/Duration). 0: append-only streaming output. */
#define TE_OPT_SEEKABLE 4
/* Recorder, ms, 1..600000, default 2000 video / 1000 Opus: fragment (MP4), cluster (WebM) or page
 * (Ogg) target length. */
#define TE_OPT_FRAGMENT_MS 5
/* Both, ms, 0..60000, default 200: how long the reorder buffer waits for a missing packet before
 * declaring it lost (the gap's first later packet starts the wait). */
#define TE_OPT_REORDER_WAIT_MS 6
/* Both, packets, 2..65536, default 1024: reorder buffer capacity; when full the oldest gap is given
 * up at once. */
#define TE_OPT_REORDER_CAPACITY 7
/* Both, -1 or 0..4294967295, default -1: only packets of this SSRC (RFC 3550 §5.1); -1 follows the
 * stream (an SSRC change is a publisher restart). */
#define TE_OPT_SSRC 8
/* Both, -1 or 0..127, default -1 (any): only packets of this RTP payload type. */
#define TE_OPT_PAYLOAD_TYPE 9
/* PCM decoder, Hz, 8000|12000|16000|24000|48000, default 48000: output sample rate (libopus). */
#define TE_OPT_OUTPUT_RATE 10
/* PCM decoder, 1|2, default 2: output channels, interleaved. */
#define TE_OPT_OUTPUT_CHANNELS 11

uint32_t te_abi_version(void);
const char* te_version(void);      /* track-egress core version */
const char* te_opus_version(void); /* libopus version string */
/* Message of the last failed call on this thread ("" if none). */
const char* te_last_error(void);
/* Status of the last failed call on this thread (TE_OK if none). */
te_status te_last_status(void);
const char* te_status_name(te_status s);

/* ---- Recorder: RTP → depacketizer → container muxer ------------------------------------------ */
typedef struct te_recorder te_recorder;

/* codec: TE_CODEC_* (else NULL, TE_E_UNSUPPORTED). Every option starts at its default; set others
 * with te_recorder_set_option() before the first push. */
te_recorder* te_recorder_new(int32_t codec);
void te_recorder_free(te_recorder* h);
/* Sets one TE_OPT_* (see above) before the first push/poll/finish. */
te_status te_recorder_set_option(te_recorder* h, int32_t option, double value);
/* The stream's SDP fmtp parameters: the a=fmtp value without the payload type, "k=v;k=v".
 * H.264 (RFC 6184 §8.1): sprop-parameter-sets (base64 SPS/PPS, comma separated) are used for the
 * sample description and written in-band before the first IDR that has none; in-band sets that
 * arrive later win. packetization-mode 0|1 (2 → TE_E_UNSUPPORTED), profile-level-id checked.
 * Other codecs and unknown keys: ignored. Call after te_recorder_new and before the first push
 * (else TE_E_STATE); a malformed value → TE_E_INVALID_ARG (te_last_error() names it), recorder
 * unchanged. */
te_status te_recorder_set_fmtp(te_recorder* h, const char* fmtp);
/* Pushes one RTP packet (borrowed until released). arrival_us: caller's clock. */
te_status te_recorder_push(te_recorder* h, uint32_t id, const uint8_t* data, uint32_t size,
                           double arrival_us);
/* Lets the reorder buffer give up on gaps older than its wait (call on a timer). */
te_status te_recorder_poll(te_recorder* h, double now_us);
/* End of stream: drains everything and writes the container trailer. */
te_status te_recorder_finish(te_recorder* h);
/* Moves all output produced so far into the handle's read views (below). Returns chunk count. */
int32_t te_recorder_collect(te_recorder* h);
/* Chunks: 3 doubles each [file_offset, first_run, run_count]. */
const double* te_recorder_chunks(te_recorder* h);
/* Runs: 3 uint32 each [packet_id | TE_RUN_GENERATED, offset, size]. */
const uint32_t* te_recorder_runs(te_recorder* h);
uint32_t te_recorder_run_count(te_recorder* h);
const uint8_t* te_recorder_generated(te_recorder* h);
uint32_t te_recorder_generated_size(te_recorder* h);
/* Ids of packets the core no longer references (since the previous collect/released call). */
const uint32_t* te_recorder_released(te_recorder* h, uint32_t* count);
/* Returns 1 once when the depacketizer needs a keyframe (send a PLI), else 0. */
int32_t te_recorder_take_keyframe_request(te_recorder* h);
/* 1 while frames are dropped until the next keyframe (keep sending PLIs, throttled), else 0. */
int32_t te_recorder_waiting_for_keyframe(te_recorder* h);
/* Sequence numbers still missing and waited for (NACK candidates); returns how many written. */
uint32_t te_recorder_missing(te_recorder* h, uint16_t* out, uint32_t max);
/* Stats as doubles in the order of TE_RECORDER_STATS (te_recorder_stat_names(): comma separated);
 * writes min(max, count) values and returns how many. */
const char* te_recorder_stat_names(void);
uint32_t te_recorder_stats(te_recorder* h, double* out, uint32_t max);
/* MIME type of the container ("video/mp4", "video/webm", "audio/ogg"). */
const char* te_recorder_mime_type(te_recorder* h);

/* ---- PCM: RTP (Opus) → libopus → interleaved s16le ------------------------------------------- */
typedef struct te_pcm te_pcm;

/* Options (TE_OPT_CHANNELS, TE_OPT_OUTPUT_RATE, TE_OPT_OUTPUT_CHANNELS, TE_OPT_REORDER_*,
 * TE_OPT_SSRC, TE_OPT_PAYLOAD_TYPE) start at their defaults; set others with te_pcm_set_option()
 * before the first push. The RTP clock is 48000 (RFC 7587 §4.1). */
te_pcm* te_pcm_new(void);
void te_pcm_free(te_pcm* h);
te_status te_pcm_set_option(te_pcm* h, int32_t option, double value);
te_status te_pcm_push(te_pcm* h, uint32_t id, const uint8_t* data, uint32_t size, double arrival_us);
te_status te_pcm_poll(te_pcm* h, double now_us);
te_status te_pcm_finish(te_pcm* h);
/* Interleaved samples decoded since the last read; valid until the next call. count = samples
 * (frames × channels), at most one second (out_rate × out_channels) per call: call again until
 * count is 0. Memory stays bounded however long a gap the stream has. */
const int16_t* te_pcm_read(te_pcm* h, uint32_t* count);
const uint32_t* te_pcm_released(te_pcm* h, uint32_t* count);
uint32_t te_pcm_missing(te_pcm* h, uint16_t* out, uint32_t max);
/* Stats in the order of TE_PCM_STATS, as te_recorder_stats. */
const char* te_pcm_stat_names(void);
uint32_t te_pcm_stats(te_pcm* h, double* out, uint32_t max);

/* ---- scratch memory for the wasm binding (the N-API binding passes JS memory directly) ------- */
uint8_t* te_alloc(uint32_t size);
void te_free(void* p);

#ifdef __cplusplus
}
#endif
#endif /* TE_TE_H */
