import type { CoreBackend, RawRecorder } from './backend.js';
import { RECORDER_STAT_NAMES } from './abi.generated.js';
import { GENERATED_RUN } from './backend.js';
import { CODECS, type CodecName, isCodecName } from './codec.js';
import { InvalidStateError, invalidParameter } from './errors.js';
import { getBackend } from './load-backend.js';
import { intOption, namedStats, nowUs } from './options.js';
import { PacketRegistry } from './packet-registry.js';

/** Options of {@link Recorder.create}. Integers out of range throw InvalidArgumentError (`ERR_TE_INVALID_ARG`). */
export type RecorderOptions = {
  /** The track's codec; picks the container (h264 → MP4, vp8/vp9 → WebM, opus → Ogg). */
  codec: CodecName;
  /** RTP clock rate in Hz, 1000..1 000 000; defaults to the codec's (90000 video, 48000 Opus). */
  clockRate?: number;
  /** Opus channel count from the SDP (stereo=1 → 2). Default 2. */
  channels?: 1 | 2;
  /**
   * The output is a local file that accepts positioned writes: MP4 becomes a regular MP4 with a
   * complete index (moov at the end), WebM gets Cues and Duration. Default false: append-only
   * streaming output (fragmented MP4, live WebM), safe for sockets and multipart uploads.
   */
  seekable?: boolean;
  /**
   * Crash-safe file layout: whatever was written stays a playable file if the process dies
   * (kill -9, power loss), losing at most about `fragmentMs` of media. MP4 is then fragmented
   * even when `seekable` (ftyp, moov, then moof+mdat per fragment); with `seekable` the clean end
   * patches the durations in place and appends an mfra random-access index, so the finished file
   * has its duration and seeks. WebM (live clusters; Duration, Cues and SeekHead added at a
   * seekable end) and Ogg are crash-safe in every mode. Default false: a seekable MP4 is the
   * classic layout with the index (moov) at the end, which is unreadable until finish().
   */
  crashSafe?: boolean;
  /**
   * Fragment (MP4) / cluster (WebM) / page (Ogg) length in ms: a new one starts with the first
   * frame at or after this much media, keyframe or not. Default 2000 ms video, 1000 ms audio.
   */
  fragmentMs?: number;
  /** How long the reorder buffer waits for a missing packet before declaring it lost, ms, 0..10 000. Default 500. */
  reorderWaitMs?: number;
  /** Reorder buffer capacity in packets, 2..65 536. Default 1024. */
  reorderCapacity?: number;
  /** Only record this SSRC, 0..2^32-1 (default: any; an SSRC change is treated as a publisher restart). */
  ssrc?: number;
  /** Only record this RTP payload type, 0..127 (default: any). */
  payloadType?: number;
  /**
   * The stream's SDP fmtp parameters (a=fmtp, parsed: `{ 'packetization-mode': '1',
   * 'sprop-parameter-sets': 'Z0LAH...,aM48gA==' }`; src/capture's SdpPayloadFormat.fmtp and the
   * LiveKit TrackCodec.fmtp have this shape). H.264 uses sprop-parameter-sets (RFC 6184 §8.1: the
   * SPS/PPS when the stream carries none in-band) and checks packetization-mode (2 is unsupported)
   * and profile-level-id; other keys and codecs ignore it. A malformed value throws
   * (code ERR_TE_INVALID_ARG; ERR_TE_UNSUPPORTED for packetization-mode=2).
   */
  fmtp?: Record<string, string>;
  /** Backend to use (default: getBackend()). */
  backend?: CoreBackend;
};

/** Serializes parsed fmtp parameters back to the a=fmtp string "k=v;k=v" the core parses. */
function fmtpOption(fmtp: unknown): string {
  if (fmtp === undefined) return '';
  if (typeof fmtp !== 'object' || fmtp === null || Array.isArray(fmtp)) {
    throw invalidParameter('fmtp', 'an object of fmtp parameters', fmtp);
  }
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fmtp)) {
    if (typeof v !== 'string' || /[;\0]/.test(v) || /[;=\0]/.test(k)) {
      throw invalidParameter(`fmtp['${k}']`, 'a string without ";"', v);
    }
    if (k === '') continue; // bare values (no key), e.g. telephone-event's "0-15": nothing for the core
    parts.push(`${k}=${v}`);
  }
  return parts.join(';');
}

/**
 * A piece of container output: write `data` (in order) at byte `offset` of the output, e.g.
 * `fh.writev(chunk.data, chunk.offset)`. Streaming output only appends (each offset is the end so
 * far); a seekable finish also patches earlier bytes (sizes, durations).
 */
export type OutputChunk = {
  /** Byte offset in the output. */
  offset: number;
  /** Views of generated headers and of the pushed packets' payloads; nothing is joined. */
  data: Uint8Array[];
  /** Total bytes of `data`. */
  size: number;
};

/**
 * Counters of one recording. Among them: `padding` — RTP packets without payload (padding only,
 * RFC 3550 §5.1; SFUs send them for bandwidth probing), dropped after reordering, never
 * "malformed"; `timestampOutliers` — packets whose RTP time disagreed with their arrival time
 * (ahead by more than 5 s + 1 % of the arrival gap, or back by more than 1 s + the reorder wait),
 * dropped as if lost so they cannot stretch, fold or shift the time line; `timestampRebases` —
 * persistent timestamp jumps within one SSRC (an encoder restart), continued at the arrival
 * distance like an SSRC change.
 * `timingInvalid`: Opus packets whose RTP timing cannot be Opus (a zero
 * or overlapping timestamp step, a gap that is not whole frames), dropped like `payloadMalformed`
 * ones; a stream whose `payloadMalformed + timingInvalid` exceed `frames` is not Opus.
 * `timingSnapped`: Opus packets whose timestamp step was off the frame grid by less than 2.5 ms
 * (120 ticks; livekit-server 1.13.5 forwards steps of 961, 965 … around a mute), written at the
 * nearest grid step instead (kept, not concealed; Ogg granule positions stay exact, RFC 7845 §4).
 * `parameterSetsMissing` (H.264): IDR access units dropped because no SPS/PPS they refer to
 * arrived, neither in-band nor in the fmtp's sprop-parameter-sets; frames = 0 with this > 0 means
 * the stream cannot be recorded without its parameter sets (pass the SDP's fmtp).
 * The names and their order are te.h's TE_RECORDER_STATS (src/core/abi.generated.ts).
 */
export type RecorderStats = Record<(typeof RECORDER_STAT_NAMES)[number], number>;

/**
 * RTP packets of one track in, container bytes out — without transcoding and without copying
 * payloads (the output views point into the packets you pushed; do not modify a packet after
 * pushing it).
 *
 * ```ts
 * const rec = await Recorder.create({ codec: 'vp8' });
 * rec.push(rtpPacket);               // as packets arrive
 * for (const c of rec.read()) await file.writev(c.data, c.offset);
 * for (const c of rec.finish()) ...  // at the end
 * ```
 */
export class Recorder {
  readonly codec: CodecName;
  readonly mimeType: string;
  /** File extension of the container (".mp4", ".webm", ".ogg"). */
  readonly extension: string;
  readonly backend: CoreBackend;
  private raw: RawRecorder | undefined;
  private readonly packets = new PacketRegistry();
  private pushesSinceRelease = 0;
  private finished = false;

  private constructor(backend: CoreBackend, raw: RawRecorder, codec: CodecName) {
    this.backend = backend;
    this.raw = raw;
    this.codec = codec;
    this.mimeType = raw.mimeType();
    this.extension = CODECS[codec].extension;
  }

  /**
   * A recorder on the default backend ({@link getBackend}: native, else wasm).
   * @throws InvalidArgumentError (`ERR_TE_INVALID_ARG`) for an unknown codec or an option of the
   *   wrong type or range, naming it ("Expected … for reorderWaitMs but received …"); a malformed
   *   fmtp value; `ERR_TE_UNSUPPORTED` for H.264 packetization-mode=2.
   * @throws BackendLoadError (`ERR_TE_BACKEND_LOAD`) when no backend can be loaded.
   * @example
   * const rec = await Recorder.create({ codec: 'h264', seekable: true });
   */
  static async create(options: RecorderOptions): Promise<Recorder> {
    // `?.`: a missing or non-object `options` reaches withBackend's InvalidArgumentError, not a TypeError.
    const backend = (options as RecorderOptions | null | undefined)?.backend ?? (await getBackend());
    return Recorder.withBackend(backend, options);
  }

  /**
   * Synchronous construction when the backend is already loaded (e.g. from {@link loadBackend}).
   * @throws the same errors as {@link create}, except BackendLoadError.
   */
  static withBackend(backend: CoreBackend, options: RecorderOptions): Recorder {
    if (typeof options !== 'object' || options === null) throw invalidParameter('options', 'an object', options);
    if (!isCodecName(options.codec)) {
      throw invalidParameter('codec', `one of ${Object.keys(CODECS).join(', ')}`, options.codec);
    }
    if (options.crashSafe !== undefined && typeof options.crashSafe !== 'boolean') {
      throw invalidParameter('crashSafe', 'a boolean', options.crashSafe);
    }
    const info = CODECS[options.codec];
    const raw = backend.createRecorder({
      codec: info.id,
      options: {
        clockRate: intOption('clockRate', options.clockRate, 1000, 1_000_000, info.clockRate),
        channels: intOption('channels', options.channels, 1, 2, 2),
        seekable: options.seekable === true ? 1 : 0,
        crashSafe: options.crashSafe === true ? 1 : 0,
        fragmentMs: intOption('fragmentMs', options.fragmentMs, 10, 60_000, info.kind === 'video' ? 2000 : 1000),
        reorderWaitMs: intOption('reorderWaitMs', options.reorderWaitMs, 0, 10_000, 500),
        reorderCapacity: intOption('reorderCapacity', options.reorderCapacity, 2, 65536, 1024),
        ssrc: intOption('ssrc', options.ssrc, 0, 0xffffffff, -1),
        payloadType: intOption('payloadType', options.payloadType, 0, 127, -1),
      },
      fmtp: fmtpOption(options.fmtp),
    });
    return new Recorder(backend, raw, options.codec);
  }

  /**
   * Pushes one RTP packet (RFC 3550; malformed ones are counted and skipped, never thrown).
   * `arrivalUs`: arrival time in µs on any monotonic clock (default: now); it times gaps and
   * reorder waits. Do not modify `packet` afterwards: output chunks may be views into it.
   * @throws InvalidArgumentError (`ERR_TE_INVALID_ARG`) when `packet` is not a Uint8Array;
   *   InvalidStateError (`ERR_TE_STATE`) after {@link close} or {@link finish}.
   */
  push(packet: Uint8Array, arrivalUs: number = nowUs()): void {
    const raw = this.live();
    if (!(packet instanceof Uint8Array)) throw invalidParameter('packet', 'a Uint8Array', packet);
    const id = this.packets.add(packet);
    raw.push(id, packet, arrivalUs);
    // Dropped packets (duplicates, malformed, lost frames) are released at push time; forget them
    // now and then even if read() is not called.
    if (++this.pushesSinceRelease >= 64) {
      this.pushesSinceRelease = 0;
      this.packets.release(raw.released());
    }
  }

  /**
   * Lets the reorder buffer give up on gaps that waited long enough (call every ~20–100 ms live);
   * `nowMicros` in µs, default now.
   * @throws InvalidStateError (`ERR_TE_STATE`) after {@link close} or {@link finish}.
   */
  poll(nowMicros: number = nowUs()): void {
    this.live().poll(nowMicros);
  }

  /** Output produced since the last read, in order. */
  read(): OutputChunk[] {
    const raw = this.live();
    const out = raw.collect();
    const chunks: OutputChunk[] = [];
    if (out) {
      const { runs, generated } = out;
      for (let c = 0; c < out.chunks.length; c += 3) {
        const first = out.chunks[c + 1]!;
        const count = out.chunks[c + 2]!;
        const data: Uint8Array[] = [];
        let size = 0;
        for (let r = first * 3; r < (first + count) * 3; r += 3) {
          const packet = runs[r]!;
          const offset = runs[r + 1]!;
          const len = runs[r + 2]!;
          data.push(packet === GENERATED_RUN ? generated.subarray(offset, offset + len) : this.packets.view(packet, offset, len));
          size += len;
        }
        chunks.push({ offset: out.chunks[c]!, data, size });
      }
    }
    // Only after resolving the runs: the packets they point into may be in this release list.
    this.packets.release(raw.released());
    return chunks;
  }

  /**
   * Ends the stream: drains the reorder buffer, writes trailers; returns the remaining output.
   * Calling it again returns what was produced since (nothing). read(), stats() and the other
   * queries stay allowed after finish; push() and poll() throw InvalidStateError (ERR_TE_STATE).
   */
  finish(): OutputChunk[] {
    if (!this.finished) {
      this.live().finish();
      this.finished = true;
    }
    return this.read();
  }

  /** True once each time the core wants a keyframe (turn it into a PLI, throttled). */
  takeKeyframeRequest(): boolean {
    return this.live().takeKeyframeRequest();
  }

  /** True while frames are dropped until the next keyframe: keep sending PLIs (≤ 1/s) meanwhile. */
  get waitingForKeyframe(): boolean {
    return this.live().waitingForKeyframe();
  }

  /** Sequence numbers the reorder buffer is still waiting for (NACK candidates). */
  missingSequences(): number[] {
    return Array.from(this.live().missing());
  }

  /** Counters so far (see {@link RecorderStats}; `durationUs` in µs, `bytes`/`outputBytes` in bytes). */
  stats(): RecorderStats {
    return namedStats(this.backend.recorderStatNames, this.live().stats()) as RecorderStats;
  }

  /** Packets the core still references (for leak checks and back-pressure). */
  get heldPackets(): number {
    return this.packets.size;
  }

  /**
   * Frees the core's memory (call after {@link finish}, or to abandon a recording). Idempotent: a
   * second close() does nothing; any other call then throws `ERR_TE_STATE`.
   */
  close(): void {
    this.raw?.close();
    this.raw = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private live(): RawRecorder {
    if (!this.raw) throw new InvalidStateError('recorder is closed');
    return this.raw;
  }
}
