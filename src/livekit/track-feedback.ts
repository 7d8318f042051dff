/**
 * RTCP feedback for the subscribed track: PLI (≤ 1/s), generic NACK, a Receiver Report every second
 * from each session's receive statistics, and the SFU's Sender Reports those statistics need for
 * LSR/DLSR. One random sender SSRC per source. See "RTCP we send" in docs/livekit.md.
 */
import { nowUs } from '../core/options.js';
import { ReceiverStats, buildNack, buildPli, buildReceiverReport, parseSenderReports } from './rtcp.js';
import type { SubscriberPeer } from './subscriber-peer.js';
import type { SessionMedia } from './track-offer.js';

/** Where feedback for one session goes: its PeerConnection, and the track's section and statistics in it. */
export type FeedbackTarget = {
  peer: Pick<SubscriberPeer, 'sendRtcp'>;
  media: SessionMedia | undefined;
  stats: ReceiverStats | undefined;
};

function randomSsrc(): number {
  return (Math.floor(Math.random() * 0xfffffffe) + 1) >>> 0;
}

/** Receive statistics for `media`: the current ones while the SSRC is unchanged, else new ones. */
export function statsFor(stats: ReceiverStats | undefined, media: SessionMedia): ReceiverStats {
  return stats && stats.ssrc === media.ssrc ? stats : new ReceiverStats(media.ssrc, media.codec.clockRate);
}

/** Feeds the SFU's Sender Reports for our SSRC (in an RTCP packet of the session) to its statistics. */
export function onSenderReports(target: FeedbackTarget, packet: Uint8Array, arrivalUs: number): void {
  const media = target.media;
  if (!media) return;
  for (const sr of parseSenderReports(packet)) {
    if (sr.ssrc === media.ssrc) target.stats?.onSenderReport(sr, arrivalUs);
  }
}

export class TrackFeedback {
  readonly senderSsrc = randomSsrc();
  private lastPliMs = 0;
  private rrTimer: NodeJS.Timeout | undefined;

  /** Sends a PLI for a video track unless one went out less than a second ago. */
  requestKeyframe(target: FeedbackTarget): void {
    const media = target.media;
    if (!media || media.kind !== 'video') return;
    const now = Date.now();
    if (now - this.lastPliMs < 1000) return;
    this.lastPliMs = now;
    target.peer.sendRtcp(media.mid, buildPli(this.senderSsrc, media.ssrc));
  }

  /** The next requestKeyframe() goes out at once (a new SSRC needs its keyframe now). */
  resetKeyframeThrottle(): void {
    this.lastPliMs = 0;
  }

  requestRetransmission(target: FeedbackTarget, sequenceNumbers: readonly number[]): void {
    const media = target.media;
    if (!media || sequenceNumbers.length === 0) return;
    target.peer.sendRtcp(media.mid, buildNack(this.senderSsrc, media.ssrc, sequenceNumbers));
  }

  /** Every second, a Receiver Report from each of `targets()` that has media and statistics. */
  startReceiverReports(targets: () => Iterable<FeedbackTarget>): void {
    this.rrTimer = setInterval(() => {
      // Every live session with media reports (the old one keeps its downtrack healthy until the switch).
      for (const s of targets()) {
        if (!s.media || !s.stats) continue;
        const block = s.stats.report(nowUs());
        if (block) s.peer.sendRtcp(s.media.mid, buildReceiverReport(this.senderSsrc, block));
      }
    }, 1000);
    this.rrTimer.unref();
  }

  stop(): void {
    clearInterval(this.rrTimer);
  }
}
