/**
 * A track's audio as a continuous PCM stream on a {@link PcmWebSocket}: Opus RTP from a TrackSource
 * → PcmDecoder (reorder, NACK, PLC/FEC) → fixed-size binary messages, in step with the RTP clock,
 * with silence filling DTX and mute gaps, and `{"muted":true}` / `{"muted":false}` text messages on
 * the publisher's mute and unmute (signal events, or > 2 s without packets as LiveKit does).
 *
 * SKELETON (issue 9 contract, /work/wt/CONTRACT9.md): branch ws-stream implements it.
 */
import { EventEmitter } from 'node:events';

import type { Logger } from 'pino';

import type { TrackSource } from '../../livekit/track-source.js';
import type { EgressError } from '../egress-error.js';
import type { ResolvedPcmStreamOptions } from './pcm-stream-options.js';
import type { PcmWebSocket, PcmWebSocketStats } from './pcm-websocket.js';

/** Packet arrival → its PCM message handed to the socket, µs. */
export type LatencySummary = { count: number; p50Us: number; p99Us: number; maxUs: number };

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

/** Events: `failed` once (the socket's failure). */
export class TrackPcmStream extends EventEmitter<{ failed: [EgressError] }> {
  /**
   * Starts streaming `source` (an Opus track) to `socket`: creates the PcmDecoder (stream channels
   * from the fmtp, RFC 7587 §7.1) on the default backend.
   */
  static async create(source: TrackSource, socket: PcmWebSocket, options: ResolvedPcmStreamOptions, logger?: Logger): Promise<TrackPcmStream> {
    void source;
    void socket;
    void options;
    void logger;
    throw new Error('not implemented yet (branch ws-stream)');
  }

  stats(): TrackPcmStreamStats {
    throw new Error('not implemented yet (branch ws-stream)');
  }

  /**
   * Ends the stream: decodes what is buffered, sends the rest (the last message zero-padded to
   * full size), closes the socket with 1000 and `closeReason`. Returns the final counters. Idempotent.
   */
  async stop(closeReason: string): Promise<TrackPcmStreamStats> {
    void closeReason;
    throw new Error('not implemented yet (branch ws-stream)');
  }

  /** After a failure elsewhere: drops the socket, frees the decoder. Idempotent. */
  abort(): void {}
}
