/**
 * A track's audio as a continuous PCM stream on a {@link PcmWebSocket}: Opus RTP from a TrackSource
 * → PcmDecoder (reorder, NACK, PLC/FEC) → {@link PcmTimeline} → fixed-size binary messages, in
 * step with the RTP clock, with silence filling DTX and mute gaps, and `{"muted":true}` /
 * `{"muted":false}` text messages on the publisher's mute and unmute (signal events, or > 2 s
 * without packets as LiveKit does, reference livekit-track-egress.md §3.5 and §4).
 *
 * Latency: every packet is decoded as it arrives and every message completed by it is handed to
 * the socket at once; a single 20 ms tick per stream lets the reorder buffer give up on missing
 * packets (`reorderWaitMs`), sends NACKs (RFC 4585 §6.2.1), inserts real-time silence once no PCM
 * came for `reorderWaitMs + 100 ms` and detects packet-flow mutes.
 */
import { EventEmitter } from 'node:events';

import type { Logger } from 'pino';

import type { BackendKind } from '../../core/backend.js';
import { nowUs } from '../../core/options.js';
import { PcmDecoder } from '../../core/pcm-decoder.js';
import type { TrackSource } from '../../livekit/track-source.js';
import { sniffRtp } from '../../rtp/header.js';
import type { EgressError } from '../egress-error.js';
import { NackScheduler } from '../nack-scheduler.js';
import { LatencyHistogram, type LatencySummary } from './latency-histogram.js';
import { type ResolvedPcmStreamOptions, frameSamples } from './pcm-stream-options.js';
import { PcmTimeline } from './pcm-timeline.js';
import type { PcmWebSocket, PcmWebSocketStats } from './pcm-websocket.js';

export type { LatencySummary } from './latency-histogram.js';

export type TrackPcmStreamStats = PcmWebSocketStats & {
  /** RTP packets received; lost for good (concealed). */
  packets: number;
  lost: number;
  /** Arrival of the first and last RTP packet, µs (0 before the first). */
  firstArrivalUs: number;
  lastArrivalUs: number;
  /** PCM timeline produced so far (sent + dropped), µs. */
  durationUs: number;
  /** Silence inserted for gaps no packet covered (mute, DTX, stalls), µs. */
  silenceInsertedUs: number;
  latency: LatencySummary;
};

/** The stream's single timer: poll, NACK, silence, mute detection, ms. */
export const PCM_TICK_MS = 20;
/** Silence starts once the last PCM is this much older than the reorder wait, µs (contract: G = wait + 100 ms). */
const SILENCE_MARGIN_US = 100_000;
/** No RTP for longer than this → `{"muted":true}` (LiveKit's appwriter: 2 s), µs. */
export const PACKET_FLOW_MUTE_US = 2_000_000;

const MUTED = '{"muted":true}';
const UNMUTED = '{"muted":false}';

/**
 * `piece` with its first `values` samples zeroed (a copy: the decoder's buffer is not ours). While
 * the publisher is muted the SFU forwards only a second of blank frames, with RTP timestamps from
 * its wall clock that are not whole frames apart (LiveKit 1.13.5: steps 1921, 965, 974 …); the core
 * conceals those as invalid packets, and libopus's PLC would replay the last word as a 200 ms
 * murmur inside the mute. A muted track is silent: its concealment is written as zeros.
 */
function silenced(piece: Int16Array, values: number): Int16Array {
  const out = piece.slice();
  out.fill(0, 0, values);
  return out;
}

/**
 * LiveKit's blank Opus frame (`0xf8 0xff 0xfe`, a CELT silence frame) is what the SFU forwards
 * during a mute; DTX frames are 1–2 bytes. A longer payload is encoded sound.
 */
const BLANK_FRAME_BYTES = 3;
/**
 * Sound captured before the mute can still arrive just after the mute signal (network and reorder
 * wait); only sound arriving later than this ends the all-zero output of a signalled mute, µs.
 */
const MUTE_IN_FLIGHT_US = 300_000;

/** Events: `failed` once (the socket's failure). */
export class TrackPcmStream extends EventEmitter<{ failed: [EgressError] }> {
  /**
   * Starts streaming `source` (an Opus track) to `socket`: creates the PcmDecoder (stream channels
   * from the fmtp, RFC 7587 §7.1) on the default backend (TRACK_EGRESS_BACKEND, else native, else
   * wasm). A track already muted gets `{"muted":true}` at once.
   * @throws BackendLoadError (`ERR_TE_BACKEND_LOAD`) when no backend loads.
   */
  static async create(source: TrackSource, socket: PcmWebSocket, options: ResolvedPcmStreamOptions, logger?: Logger): Promise<TrackPcmStream> {
    const fmtp = source.info.codec.fmtp ?? {};
    const decoder = await PcmDecoder.create({
      channels: (fmtp['sprop-stereo'] ?? fmtp['stereo']) === '0' ? 1 : 2,
      sampleRate: options.sampleRate,
      outputChannels: options.channels,
      reorderWaitMs: options.reorderWaitMs,
    });
    return new TrackPcmStream(source, socket, decoder, options, logger);
  }

  /** The core backend decoding this stream ('native' or 'wasm'). */
  readonly backend: BackendKind;
  private readonly timeline: PcmTimeline;
  private readonly histogram = new LatencyHistogram();
  private readonly nacks = new NackScheduler();
  private readonly timer: NodeJS.Timeout;
  private readonly channels: number;
  private readonly rate: number;
  private decoder: PcmDecoder | undefined;
  private packets = 0;
  private lost = 0;
  private firstArrival = 0;
  private lastArrival = 0;
  /** Clock (nowUs) of the last packet, for the packet-flow mute. */
  private lastPacketAt = 0;
  /** samplesConcealed when the current reconciliation window was last read. */
  private concealedBase = 0;
  /** Arrival of the oldest packet whose PCM has not come out yet (0: none): latency origin. */
  private pendingSinceUs = 0;
  /** Latency origin of the messages being emitted now (0: silence, not measured). */
  private emitOriginUs = 0;
  private signalMuted: boolean;
  /** Concealment is written as zeros (see silenced()): from a mute signal until audio is decoded after the unmute. */
  private muteSpan = false;
  /** Clock (nowUs) of the last mute signal. */
  private mutedAt = 0;
  /**
   * Sound came during a signalled mute (see MUTE_IN_FLIGHT_US): its decoded output is kept. Until
   * then, all output of a signalled mute is zeros — the decode of blank frames right after
   * concealment carries a fading tail of the last word (a 20 ms blip of ~1000 in a muted span).
   */
  private soundInMute = false;
  private flowMuted = false;
  private lastMuteSent = false;
  private done = false;
  private failedEmitted = false;
  private stopping: Promise<TrackPcmStreamStats> | undefined;

  private constructor(
    private readonly source: TrackSource,
    private readonly socket: PcmWebSocket,
    decoder: PcmDecoder,
    options: ResolvedPcmStreamOptions,
    private readonly logger?: Logger,
  ) {
    super();
    this.decoder = decoder;
    this.backend = decoder.backend.kind;
    this.channels = options.channels;
    this.rate = options.sampleRate;
    this.timeline = new PcmTimeline(
      {
        sampleRate: options.sampleRate,
        channels: options.channels,
        frameSamples: frameSamples(options),
        silenceAfterUs: options.reorderWaitMs * 1000 + SILENCE_MARGIN_US,
        lateTickUs: 3 * PCM_TICK_MS * 1000,
      },
      this.onMessage,
    );
    this.signalMuted = source.info.muted;
    this.muteSpan = this.signalMuted;
    if (this.signalMuted) this.sendMuted(true);
    source.on('rtp', this.onRtp);
    source.on('muted', this.onMuted);
    source.on('unmuted', this.onUnmuted);
    socket.on('failed', this.onFailed);
    this.timer = setInterval(this.tick, PCM_TICK_MS);
    // The receiver may have gone between connect() and create(): report it like a later failure.
    const early = socket.failure;
    if (early) queueMicrotask(() => this.onFailed(early));
  }

  stats(): TrackPcmStreamStats {
    return {
      ...this.socket.stats(),
      packets: this.packets,
      lost: this.decoder ? this.decoder.stats().lost : this.lost,
      firstArrivalUs: this.firstArrival,
      lastArrivalUs: this.lastArrival,
      durationUs: Math.round((this.timeline.positionFrames * 1e6) / this.rate),
      silenceInsertedUs: Math.round((this.timeline.silenceInsertedFrames * 1e6) / this.rate),
      latency: this.histogram.summary(),
    };
  }

  /**
   * Ends the stream: decodes what is buffered, sends the rest (the last message zero-padded to
   * full size), closes the socket with 1000 and `closeReason`. Returns the final counters. Idempotent.
   */
  async stop(closeReason: string): Promise<TrackPcmStreamStats> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      const decoder = this.decoder;
      this.detach();
      if (decoder && !this.socket.failure) {
        try {
          decoder.end();
          const now = nowUs();
          this.drain(now, this.pendingSinceUs || now, false);
        } catch (err) {
          this.logger?.warn({ err }, 'PCM decoder failed at the end of the stream');
        }
      }
      this.timeline.end();
      this.releaseDecoder();
      await this.socket.close(1000, closeReason);
      return this.stats();
    })();
    return this.stopping;
  }

  /** After a failure elsewhere: drops the socket, frees the decoder. Idempotent. */
  abort(): void {
    this.detach();
    this.releaseDecoder();
    this.socket.terminate();
  }

  private readonly onRtp = (packet: Uint8Array, arrivalUs: number): void => {
    const decoder = this.decoder;
    if (this.done || !decoder) return;
    const now = nowUs();
    if (this.packets++ === 0) this.firstArrival = arrivalUs;
    this.lastArrival = arrivalUs;
    this.lastPacketAt = now;
    if (this.signalMuted && !this.soundInMute && now - this.mutedAt > MUTE_IN_FLIGHT_US &&
      (sniffRtp(packet)?.payloadLength ?? 0) > BLANK_FRAME_BYTES) this.soundInMute = true;
    if (this.flowMuted) {
      this.flowMuted = false;
      if (!this.signalMuted) this.sendMuted(false);
    }
    try {
      decoder.push(packet, arrivalUs);
      this.drain(now, this.pendingSinceUs || arrivalUs, true);
    } catch (err) {
      this.logger?.warn({ err }, 'PCM decoder rejected a packet');
    }
  };

  private readonly onMuted = (): void => {
    // Concealment counts from here: see silenced().
    if (!this.muteSpan && this.decoder && !this.timeline.reconciling) this.concealedBase = this.decoder.stats().samplesConcealed;
    this.signalMuted = true;
    this.muteSpan = true;
    this.mutedAt = nowUs();
    this.soundInMute = false;
    this.sendMuted(true);
  };

  private readonly onUnmuted = (): void => {
    this.signalMuted = false;
    this.flowMuted = false;
    // The SFU resumes forwarding a moment after the signal: packets get the usual 2 s to come
    // before the flow says "muted" again.
    this.lastPacketAt = nowUs();
    this.sendMuted(false);
  };

  private readonly onFailed = (err: EgressError): void => {
    if (this.failedEmitted) return;
    this.failedEmitted = true;
    this.detach();
    this.releaseDecoder();
    this.emit('failed', err);
  };

  private readonly tick = (): void => {
    const decoder = this.decoder;
    if (this.done || !decoder) return;
    const now = nowUs();
    // After an event-loop stall the packets that came meanwhile are still queued behind this timer.
    if (!this.timeline.onTime(now)) return;
    try {
      decoder.poll(now);
      this.drain(now, this.pendingSinceUs || now, false);
      const wasReconciling = this.timeline.reconciling;
      this.timeline.tick(now);
      // Silence just started: concealment from here on is the decoder's view of this same gap.
      if (!wasReconciling && this.timeline.reconciling) this.concealedBase = decoder.stats().samplesConcealed;
      const due = this.nacks.due(decoder.missingSequences(), now);
      if (due.length) this.source.requestRetransmission(due);
    } catch (err) {
      this.logger?.warn({ err }, 'PCM stream tick failed');
    }
    if (this.packets > 0 && !this.flowMuted && now - this.lastPacketAt > PACKET_FLOW_MUTE_US) {
      this.flowMuted = true;
      this.sendMuted(true);
    }
  };

  /**
   * Moves everything the decoder has into the timeline. `originUs`: the arrival of the oldest
   * packet this output can belong to (latency origin); `afterPacket`: called right after a push
   * (a push that produced nothing makes its packet the origin of the next output).
   */
  private drain(now: number, originUs: number, afterPacket: boolean): void {
    const decoder = this.decoder!;
    let concealed = 0;
    // From the mute signal until audio is decoded again after the unmute (the concealment of the
    // timestamp jump at the unmute belongs to the mute too).
    const muted = this.muteSpan;
    const allZero = this.signalMuted && !this.soundInMute;
    if (this.timeline.reconciling || muted) {
      // Only during a gap or a mute: one stats read per packet then.
      const c = decoder.stats().samplesConcealed;
      concealed = c - this.concealedBase;
      this.concealedBase = c;
    }
    let any = false;
    let decoded = false;
    this.emitOriginUs = originUs;
    for (const piece of decoder.drain()) {
      any = true;
      const frames = piece.length / this.channels;
      // Concealment of a gap precedes the packet decoded after it: the first pieces carry it.
      const k = Math.min(concealed, frames);
      concealed -= k;
      if (k < frames) decoded = true;
      const out = allZero ? new Int16Array(piece.length) : muted && k > 0 ? silenced(piece, k * this.channels) : piece;
      this.timeline.pcm(out, k, now);
    }
    this.emitOriginUs = 0;
    if (decoded && !this.signalMuted) this.muteSpan = false;
    if (any) this.pendingSinceUs = 0;
    // A packet that released nothing counts from its arrival only while the reorder buffer holds
    // it back (a dropped duplicate or stale packet never comes out: it must not become the origin
    // of the next output, which may come seconds later after a mute).
    else if (afterPacket && !this.pendingSinceUs && decoder.missingSequences().length > 0) this.pendingSinceUs = originUs;
  }

  private readonly onMessage = (message: Int16Array): void => {
    if (this.emitOriginUs) this.histogram.record(nowUs() - this.emitOriginUs);
    this.socket.sendFrame(message);
  };

  private sendMuted(muted: boolean): void {
    if (muted === this.lastMuteSent) return;
    this.lastMuteSent = muted;
    this.socket.sendText(muted ? MUTED : UNMUTED);
  }

  private detach(): void {
    if (this.done) return;
    this.done = true;
    clearInterval(this.timer);
    this.source.off('rtp', this.onRtp);
    this.source.off('muted', this.onMuted);
    this.source.off('unmuted', this.onUnmuted);
    this.socket.off('failed', this.onFailed);
  }

  private releaseDecoder(): void {
    if (!this.decoder) return;
    try {
      this.lost = this.decoder.stats().lost;
    } catch {
      // closed already
    }
    this.decoder.close();
    this.decoder = undefined;
  }
}
