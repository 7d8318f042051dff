import { PCM_STAT_NAMES } from './abi.generated.js';
import type { CoreBackend, RawPcmDecoder } from './backend.js';
import { InvalidStateError, invalidParameter } from './errors.js';
import { getBackend } from './load-backend.js';
import { intOption, namedStats, nowUs, oneOf } from './options.js';
import { PacketRegistry } from './packet-registry.js';

/** Options of {@link PcmDecoder.create}. Values out of range throw InvalidArgumentError (`ERR_TE_INVALID_ARG`). */
export type PcmDecoderOptions = {
  /** The Opus stream's channel count from the SDP (stereo=1 → 2). Default 2. */
  channels?: 1 | 2;
  /** Output sample rate. Default 48000 (LiveKit's WebSocket format). */
  sampleRate?: 8000 | 12000 | 16000 | 24000 | 48000;
  /** Output channels, interleaved. Default 2 (LiveKit's WebSocket format). */
  outputChannels?: 1 | 2;
  /** Reorder wait before a missing packet is concealed, ms, 0..10 000. Default 100 (low latency). */
  reorderWaitMs?: number;
  /** Reorder buffer capacity in packets, 2..65 536. Default 512. */
  reorderCapacity?: number;
  /** Only decode this SSRC, 0..2^32-1 (default: any). */
  ssrc?: number;
  /** Only decode this RTP payload type, 0..127 (default: any). */
  payloadType?: number;
  /** Backend to use (default: getBackend()). */
  backend?: CoreBackend;
};

/**
 * Counters of one PCM decoder, by the names of `backend.pcmStatNames`. The RTP input counters are
 * those of {@link RecorderStats} (including `padding`, `timestampOutliers`, `timestampRebases`);
 * then `payloadMalformed`, `framesDecoded`, `samplesDecoded`, `samplesConcealed`, `fecUsed`,
 * `decodeErrors`, `timingInvalid`, `timingSnapped` (Opus timestamp jitter of less than 2.5 ms
 * moved onto the frame grid, see {@link RecorderStats}) (te.h's TE_PCM_STATS).
 */
export type PcmStats = Record<(typeof PCM_STAT_NAMES)[number], number>;

/**
 * Opus RTP in, pcm_s16le out (interleaved, native-endian Int16Array; little-endian on every
 * platform Node supports). Lost packets are concealed (libopus PLC, in-band FEC when the next
 * packet carries it) so the PCM timeline has exactly the samples the RTP clock says (RFC 7587).
 *
 * ```ts
 * const pcm = await PcmDecoder.create({ channels: 2, sampleRate: 16000, outputChannels: 1 });
 * pcm.push(rtpPacket);                            // as packets arrive
 * for (const piece of pcm.drain()) ws.send(piece); // Int16Array, ≤ 1 s each
 * ```
 */
export class PcmDecoder {
  readonly sampleRate: number;
  readonly channels: number;
  readonly backend: CoreBackend;
  private raw: RawPcmDecoder | undefined;
  private readonly packets = new PacketRegistry();
  private finished = false;

  private constructor(backend: CoreBackend, raw: RawPcmDecoder, sampleRate: number, channels: number) {
    this.backend = backend;
    this.raw = raw;
    this.sampleRate = sampleRate;
    this.channels = channels;
  }

  /**
   * A decoder on the default backend ({@link getBackend}: native, else wasm).
   * @throws InvalidArgumentError (`ERR_TE_INVALID_ARG`) naming an option of the wrong type or range.
   * @throws BackendLoadError (`ERR_TE_BACKEND_LOAD`) when no backend can be loaded.
   */
  static async create(options: PcmDecoderOptions = {}): Promise<PcmDecoder> {
    // `?.`: a null or non-object `options` reaches withBackend's InvalidArgumentError, not a TypeError.
    return PcmDecoder.withBackend((options as PcmDecoderOptions | null)?.backend ?? (await getBackend()), options);
  }

  /**
   * Synchronous construction when the backend is already loaded (e.g. from {@link loadBackend}).
   * @throws the same errors as {@link create}, except BackendLoadError.
   */
  static withBackend(backend: CoreBackend, options: PcmDecoderOptions = {}): PcmDecoder {
    if (typeof options !== 'object' || options === null) throw invalidParameter('options', 'an object', options);
    const sampleRate = oneOf('sampleRate', options.sampleRate, [8000, 12000, 16000, 24000, 48000], 48000);
    const outChannels = oneOf('outputChannels', options.outputChannels, [1, 2], 2);
    const raw = backend.createPcmDecoder({
      options: {
        channels: oneOf('channels', options.channels, [1, 2], 2),
        outputRate: sampleRate,
        outputChannels: outChannels,
        reorderWaitMs: intOption('reorderWaitMs', options.reorderWaitMs, 0, 10_000, 100),
        reorderCapacity: intOption('reorderCapacity', options.reorderCapacity, 2, 65536, 512),
        ssrc: intOption('ssrc', options.ssrc, 0, 0xffffffff, -1),
        payloadType: intOption('payloadType', options.payloadType, 0, 127, -1),
      },
    });
    return new PcmDecoder(backend, raw, sampleRate, outChannels);
  }

  /**
   * Pushes one Opus RTP packet; `arrivalUs` in µs on any monotonic clock (default: now).
   * @throws InvalidArgumentError (`ERR_TE_INVALID_ARG`) when `packet` is not a Uint8Array;
   *   InvalidStateError (`ERR_TE_STATE`) after {@link close} or {@link finish}/{@link end}.
   */
  push(packet: Uint8Array, arrivalUs: number = nowUs()): void {
    const raw = this.live();
    if (!(packet instanceof Uint8Array)) throw invalidParameter('packet', 'a Uint8Array', packet);
    raw.push(this.packets.add(packet), packet, arrivalUs);
    this.packets.release(raw.released());
  }

  /** Lets the reorder buffer conceal gaps that waited long enough (call every ~20 ms live); `nowMicros` in µs. */
  poll(nowMicros: number = nowUs()): void {
    this.live().poll(nowMicros);
  }

  /**
   * All samples decoded since the last read, concatenated into one array (interleaved; length =
   * frames × channels). Its size is whatever the stream produced since then — after a long gap
   * that can be a lot of (concealment) silence; use {@link drain} for bounded pieces.
   */
  read(): Int16Array {
    const pieces = [...this.drain()];
    if (pieces.length === 1) return pieces[0]!;
    const out = new Int16Array(pieces.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of pieces) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /**
   * The samples decoded since the last read, in pieces of at most one second each (interleaved),
   * so memory stays bounded whatever the stream's timestamps say. Yields until nothing is left.
   */
  *drain(): Generator<Int16Array> {
    for (;;) {
      const raw = this.live();
      const pcm = raw.read();
      this.packets.release(raw.released());
      if (pcm.length === 0) return;
      yield pcm;
    }
  }

  /**
   * Ends the stream: decodes what is buffered and returns the remaining samples concatenated
   * (see {@link read}; use {@link end} and then {@link drain} for bounded pieces).
   */
  finish(): Int16Array {
    this.end();
    return this.read();
  }

  /** Ends the stream like {@link finish} without reading: take the rest with {@link drain}. */
  end(): void {
    if (!this.finished) {
      this.live().finish();
      this.finished = true;
    }
  }

  /** RTP sequence numbers the reorder buffer is still waiting for (NACK candidates, RFC 4585 §6.2.1). */
  missingSequences(): number[] {
    return Array.from(this.live().missing());
  }

  /** Counters so far (see {@link PcmStats}). */
  stats(): PcmStats {
    return namedStats(this.backend.pcmStatNames, this.live().stats()) as PcmStats;
  }

  /** Frees the core's memory. Idempotent: a second close() does nothing; any other call then throws `ERR_TE_STATE`. */
  close(): void {
    this.raw?.close();
    this.raw = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private live(): RawPcmDecoder {
    if (!this.raw) throw new InvalidStateError('PCM decoder is closed');
    return this.raw;
  }
}
