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
 */
#ifndef TE_TE_H
#define TE_TE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TE_ABI_VERSION 1

typedef int32_t te_status;
#define TE_OK 0
#define TE_E_INVALID_ARG -1
#define TE_E_STATE -2
#define TE_E_UNSUPPORTED -3
#define TE_E_NOMEM -4
#define TE_E_CODEC -5
#define TE_E_INTERNAL -6

/* Codec ids (native/core/media/codec.h). */
#define TE_CODEC_H264 1
#define TE_CODEC_VP8 2
#define TE_CODEC_VP9 3
#define TE_CODEC_OPUS 4

/* A run that points into the generated-bytes buffer instead of an input packet. */
#define TE_RUN_GENERATED 0xFFFFFFFFu

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

/* codec: TE_CODEC_*; clock_rate: RTP clock (90000 video, 48000 Opus); channels: Opus only (1|2).
 * seekable: nonzero → the muxer may emit positioned patches at finish (local files);
 * fragment_ms: fragment/cluster/page target; reorder_wait_ms / reorder_capacity: jitter bound;
 * ssrc: only packets of this SSRC (-1 = the first SSRC seen); payload_type: only this PT (-1 any). */
te_recorder* te_recorder_new(int32_t codec, uint32_t clock_rate, uint32_t channels, int32_t seekable,
                             uint32_t fragment_ms, uint32_t reorder_wait_ms,
                             uint32_t reorder_capacity, double ssrc, int32_t payload_type);
void te_recorder_free(te_recorder* h);
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
/* Stats as doubles in the order of te_recorder_stat_names() (comma separated). */
const char* te_recorder_stat_names(void);
uint32_t te_recorder_stats(te_recorder* h, double* out, uint32_t max);
/* MIME type of the container ("video/mp4", "video/webm", "audio/ogg"). */
const char* te_recorder_mime_type(te_recorder* h);

/* Recorder options set after te_recorder_new and before the first push (TE_E_STATE afterwards;
 * TE_E_INVALID_ARG for an unknown option or value). */
/* 0|1, default 0. 1: crash-safe file layout — everything written stays playable if the process
 * dies, losing at most about fragment_ms: fragmented MP4 even when seekable (a seekable finish then
 * patches the durations in place and appends an mfra index); WebM and Ogg are always written so. */
#define TE_OPT_CRASH_SAFE 1
te_status te_recorder_set_option(te_recorder* h, int32_t option, double value);

/* ---- PCM: RTP (Opus) → libopus → interleaved s16le ------------------------------------------- */
typedef struct te_pcm te_pcm;

/* in_channels: the stream's Opus channel count (SDP); out_rate: 8000|12000|16000|24000|48000;
 * out_channels: 1|2. */
te_pcm* te_pcm_new(uint32_t in_channels, uint32_t out_rate, uint32_t out_channels,
                   uint32_t reorder_wait_ms, uint32_t reorder_capacity, double ssrc,
                   int32_t payload_type);
void te_pcm_free(te_pcm* h);
te_status te_pcm_push(te_pcm* h, uint32_t id, const uint8_t* data, uint32_t size, double arrival_us);
te_status te_pcm_poll(te_pcm* h, double now_us);
te_status te_pcm_finish(te_pcm* h);
/* Interleaved samples decoded since the last read; valid until the next call. count = samples
 * (frames × channels), at most one second (out_rate × out_channels) per call: call again until
 * count is 0. Memory stays bounded however long a gap the stream has. */
const int16_t* te_pcm_read(te_pcm* h, uint32_t* count);
const uint32_t* te_pcm_released(te_pcm* h, uint32_t* count);
uint32_t te_pcm_missing(te_pcm* h, uint16_t* out, uint32_t max);
const char* te_pcm_stat_names(void);
uint32_t te_pcm_stats(te_pcm* h, double* out, uint32_t max);

/* ---- scratch memory for the wasm binding (the N-API binding passes JS memory directly) ------- */
uint8_t* te_alloc(uint32_t size);
void te_free(void* p);

#ifdef __cplusplus
}
#endif
#endif /* TE_TE_H */
