/**
 * subscribeTrack(): join a LiveKit room as a hidden recorder and deliver one track's RTP.
 * Protocol flow, SSRC resolution, RTCP and resume are described in docs/livekit.md. This file is the
 * state machine tying together the sessions (subscriber-session.ts), the room's participants
 * (participant-tracker.ts), the offer resolution (track-offer.ts), RTCP (track-feedback.ts) and the
 * recovery (connection-recovery.ts).
 */
import { EventEmitter } from 'node:events';
import {
  DisconnectReason,
  JoinResponse,
  LeaveRequest_Action,
  ParticipantInfo,
  ParticipantTracks,
  SessionDescription,
  SubscriptionError,
  UpdateSubscription,
  type SignalResponse,
} from '@livekit/protocol';
import { InvalidArgumentError, invalidParameter } from '../core/errors.js';
import { nowUs } from '../core/options.js';
import { sniffRtp } from '../rtp/header.js';
import { isRtcp } from '../rtp/rtcp-header.js';
import type { ParsedSdp } from '../rtp/sdp.js';
import { ConnectionRecovery, sayGoodbye } from './connection-recovery.js';
import { debug } from './debug.js';
import { LiveKitError, LiveKitErrorCode } from './errors.js';
import { ParticipantTracker } from './participant-tracker.js';
import { recorderToken } from './recorder-token.js';
import { SignalClient } from './signal-client.js';
import { addTrickle, closeSession, openSession, type Session } from './subscriber-session.js';
import { TrackFeedback, onSenderReports, statsFor } from './track-feedback.js';
import { adoptPayloadVariant, publishedCodecError, resolveTrackMedia, trackSummary } from './track-offer.js';
import type { TrackEndReason, TrackInfoSummary, TrackSource, TrackSourceEvents } from './track-source.js';

export { recoveryIdentity } from './connection-recovery.js';

/** How long a vanished track waits for a more specific end reason (see endUnpublishedSoon). */
const UNPUBLISH_SETTLE_MS = 500;

/** Options of {@link subscribeTrack}: a `token`, or `apiKey` + `apiSecret` + `roomName` + `identity` to mint one. */
export type SubscribeTrackOptions = {
  /** ws://, wss://, http:// or https:// URL of the LiveKit server. */
  url: string;
  /** A join token; otherwise one is minted from apiKey/apiSecret/roomName/identity. */
  token?: string;
  apiKey?: string;
  apiSecret?: string;
  roomName?: string;
  /** Our participant identity (the egress id). */
  identity?: string;
  /** The TR_… SID to record. */
  trackSid: string;
  /** How long to wait for the track to be published, ms. Default 30 000. */
  trackTimeoutMs?: number;
  /** How long a dropped connection may take to resume before the source ends ('disconnected'), ms. Default 30 000. */
  resumeGraceMs?: number;
  /** Local address for ICE host candidates (e.g. '127.0.0.1' against a loopback server). */
  bindAddress?: string;
};

/** Test hook: `source[destroySignalSocket]()` drops the signal TCP connection like a network failure. */
export const destroySignalSocket: unique symbol = Symbol.for('track-egress.livekit.destroySignalSocket');

class LiveKitTrackSource extends EventEmitter<TrackSourceEvents> implements TrackSource {
  info!: TrackInfoSummary;

  /** The control session: its signal drives participants/mute/ended; the newest one joined. */
  private session: Session | undefined;
  /** The session whose RTP is emitted (differs from `session` only during a make-before-break). */
  private active: Session | undefined;
  private readonly sessions = new Set<Session>();
  private sessionCounter = 0;
  private readonly room: ParticipantTracker;
  private readonly feedback = new TrackFeedback();
  private readonly recovery: ConnectionRecovery;
  private trackTimer: NodeJS.Timeout | undefined;
  private ended = false;
  private unpublishTimer: NodeJS.Timeout | undefined;
  private resuming = false;
  private token: string;
  private identity: string | undefined;
  private ready: { resolve: () => void; reject: (e: Error) => void } | undefined;

  constructor(
    private readonly options: SubscribeTrackOptions & { token: string },
  ) {
    super();
    this.token = options.token;
    this.identity = options.identity;
    this.room = new ParticipantTracker(options.trackSid);
    this.recovery = new ConnectionRecovery(options, options.resumeGraceMs ?? 30_000, {
      recovering: () => !this.ended && this.resuming,
      activeAlive: () => this.activeAlive(),
      muted: () => this.info?.muted === true,
      identity: () => this.identity,
      token: () => this.token,
      closeFailedAttempt: () => {
        const control = this.session;
        if (control && control !== this.active) this.closeSession(control, true);
      },
      closeActive: () => {
        if (this.active) this.closeSession(this.active, !this.active.signalLost);
      },
      join: (signal, join, identity) => {
        const session = this.adoptSession(signal, join, identity);
        this.checkTrack();
        return session;
      },
      switchTo: (session) => this.switchTo(session),
      error: (e) => this.emit('error', e),
      giveUp: () => this.end('disconnected'),
    });
  }

  // ---- start -------------------------------------------------------------------------------

  async start(): Promise<void> {
    const { client, first } = await SignalClient.connect({ url: this.options.url, token: this.token });
    if (first.message.case !== 'join') {
      client.close();
      throw new LiveKitError(LiveKitErrorCode.ConnectionFailed, `Expected a JoinResponse, got ${first.message.case}`);
    }
    const ready = new Promise<void>((resolve, reject) => {
      this.ready = { resolve, reject };
    });
    const timeoutMs = this.options.trackTimeoutMs ?? 30_000;
    this.trackTimer = setTimeout(() => {
      if (this.room.trackInfo) return;
      this.fail(
        new LiveKitError(
          LiveKitErrorCode.TrackNotFound,
          `Track ${this.options.trackSid} was not published in room within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    this.active = this.adoptSession(client, first.message.value, this.identity);
    this.checkTrack();
    try {
      await ready;
    } finally {
      clearTimeout(this.trackTimer);
    }
    this.feedback.startReceiverReports(() => (this.ended ? [] : this.sessions));
  }

  private fail(error: Error): void {
    if (this.ready) {
      const r = this.ready;
      this.ready = undefined;
      this.teardown(true);
      this.ended = true;
      r.reject(error);
    } else {
      this.emit('error', error);
    }
  }

  /** A new session from a JoinResponse; it becomes the control session. */
  private adoptSession(signal: SignalClient, join: JoinResponse, identity: string | undefined): Session {
    const session = openSession(++this.sessionCounter, identity, signal, join, this.options.bindAddress, {
      packet: (s, mid, packet) => this.onPacket(s, mid, packet),
      peerFailed: (s) => {
        if (s === this.session) this.connectionLost('peer connection failed');
      },
      signal: (s, res) => this.onSignal(s, res),
      signalLost: (s, reason) => {
        if (s === this.session) this.connectionLost(reason);
      },
    });
    this.sessions.add(session);
    this.session = session;
    this.room.reset(join.otherParticipants);
    return session;
  }

  private closeSession(s: Session, sendLeave: boolean): void {
    if (!closeSession(s, sendLeave)) return;
    this.sessions.delete(s);
    if (this.session === s) this.session = undefined;
    if (this.active === s) this.active = undefined;
  }

  // ---- signal messages -------------------------------------------------------------------------

  private onSignal(session: Session, res: SignalResponse): void {
    if (session.closed) return;
    const m = res.message;
    if (m.case !== 'pongResp' && m.case !== 'pong') debug(`signal ${session.no} <-`, m.case, m.case === 'offer' ? JSON.stringify(m.value.midToTrackId) : m.case === 'streamStateUpdate' || m.case === 'leave' || m.case === 'subscriptionResponse' ? m.value.toJsonString() : '');
    // Negotiation belongs to the session's own PeerConnection, whichever session it is.
    if (m.case === 'offer') {
      this.onOffer(session, m.value);
      return;
    }
    if (m.case === 'trickle') {
      addTrickle(session, m.value);
      return;
    }
    // Room state only from the control session.
    if (session !== this.session) return;
    switch (m.case) {
      case 'update':
        for (const p of m.value.participants) this.onParticipant(p);
        break;
      case 'leave':
        this.onLeave(m.value.action, m.value.reason);
        break;
      case 'refreshToken':
        this.token = m.value;
        break;
      case 'subscriptionResponse':
        if (m.value.trackSid === this.options.trackSid && m.value.err !== SubscriptionError.SE_UNKNOWN) {
          const codec = m.value.err === SubscriptionError.SE_CODEC_UNSUPPORTED;
          this.fail(
            new LiveKitError(
              codec ? LiveKitErrorCode.UnsupportedCodec : LiveKitErrorCode.TrackNotFound,
              `LiveKit could not subscribe to ${m.value.trackSid}: ${SubscriptionError[m.value.err]}`,
            ),
          );
        }
        break;
      default:
        break;
    }
  }

  private onParticipant(p: ParticipantInfo): void {
    const change = this.room.update(p, this.session?.participantSid, !!this.session?.subscribeSent);
    if (change.kind === 'lookup') this.checkTrack();
    else if (change.kind === 'ended' && change.reason === 'unpublished') this.endUnpublishedSoon();
    else if (change.kind === 'ended') this.end(change.reason);
    else if (change.kind === 'track') {
      clearTimeout(this.unpublishTimer); // the track is back: the publisher carried on
      this.unpublishTimer = undefined;
      this.updateMuted(change.muted);
    }
  }

  /**
   * The track vanished from its publisher. When a participant leaves or a room is deleted, the
   * server first sends an update without the track and only then the DISCONNECTED update or our
   * Leave(ROOM_DELETED); wait that long for the more specific reason before calling it unpublished.
   */
  private endUnpublishedSoon(): void {
    this.unpublishTimer ??= setTimeout(() => this.end('unpublished'), UNPUBLISH_SETTLE_MS);
  }

  private updateMuted(muted: boolean): void {
    if (!this.info || this.info.muted === muted) return;
    this.info.muted = muted;
    if (muted) this.emit('muted');
    else {
      this.emit('unmuted');
      this.requestKeyframe();
    }
  }

  /** Looks for the SID among the known participants; subscribes (in the control session) once found. */
  private checkTrack(): void {
    const session = this.session;
    if (!session || session.subscribeSent) return;
    const found = this.room.findTrack();
    if (!found) return;
    const error = publishedCodecError(found.track);
    if (error) {
      this.fail(error);
      return;
    }
    // After a rejoin: a mute change during the gap shows up in the new JoinResponse.
    this.updateMuted(found.track.muted);
    this.subscribe(session, found.publisher);
  }

  private subscribe(session: Session, publisher: ParticipantInfo): void {
    session.subscribeSent = true;
    session.signal.send({
      case: 'subscription',
      value: new UpdateSubscription({
        trackSids: [this.options.trackSid],
        subscribe: true,
        participantTracks: [new ParticipantTracks({ participantSid: publisher.sid, trackSids: [this.options.trackSid] })],
      }),
    });
  }

  private onOffer(session: Session, offer: SessionDescription): void {
    let parsed: ParsedSdp;
    try {
      parsed = session.peer.applyOffer(offer.sdp, offer.id);
    } catch (e) {
      // libdatachannel refuses offers it cannot apply (an ICE restart); start over.
      if (session === this.session) this.connectionLost(`offer not applicable: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.resolveTrack(session, parsed, offer.midToTrackId);
  }

  /** Re-resolves our track's media section from each offer of a session (docs/livekit.md). */
  private resolveTrack(session: Session, parsed: ParsedSdp, midToTrackId: Record<string, string>): void {
    const resolved = resolveTrackMedia(parsed, midToTrackId, this.options.trackSid, this.room.trackInfo?.mimeType);
    if (resolved.kind === 'absent') {
      // Not (or no longer) in this offer: stop accepting packets for the old SSRC.
      session.media = undefined;
      return;
    }
    if (resolved.kind === 'no-codec') return;
    if (resolved.kind === 'unsupported') {
      this.fail(resolved.error);
      return;
    }
    const media = resolved.media;
    const previous = session.media?.ssrc;
    session.media = media;
    session.stats = statsFor(session.stats, media);
    if (session !== this.active) return; // a make-before-break session: adopted at its first packet
    this.publishInfo(session);
    if (this.ready) {
      const r = this.ready;
      this.ready = undefined;
      r.resolve();
      // Ask for a keyframe as soon as media can flow.
      setTimeout(() => this.requestKeyframe(), 200).unref();
    } else if (previous !== undefined && previous !== media.ssrc && !this.resuming) {
      // Same track SID on a new SSRC (publisher re-published or the SFU rebuilt the downtrack).
      this.emit('resumed');
      this.feedback.resetKeyframeThrottle();
      this.requestKeyframe();
    }
  }

  /** `info` from the active session's negotiated media and the latest TrackInfo. */
  private publishInfo(session: Session): void {
    const t = this.room.trackInfo!;
    this.info = trackSummary(this.options.trackSid, session.media!, t, this.room.publisher!, this.info?.muted ?? t.muted);
  }

  private onLeave(action: LeaveRequest_Action, reason: DisconnectReason): void {
    if (action === LeaveRequest_Action.RESUME || action === LeaveRequest_Action.RECONNECT) {
      this.connectionLost(`server asked to ${LeaveRequest_Action[action]?.toLowerCase()}`);
      return;
    }
    if (reason === DisconnectReason.ROOM_CLOSED || reason === DisconnectReason.ROOM_DELETED) {
      this.endOrFail('room-closed', `room closed (${DisconnectReason[reason]})`);
    } else {
      this.endOrFail('disconnected', `server disconnected us (${DisconnectReason[reason] ?? reason})`);
    }
  }

  private endOrFail(reason: TrackEndReason, message: string): void {
    if (this.ready) this.fail(new LiveKitError(LiveKitErrorCode.ConnectionFailed, message));
    else this.end(reason);
  }

  // ---- media ----------------------------------------------------------------------------------

  private onPacket(session: Session, mid: string, packet: Buffer): void {
    debugPackets++;
    const rtcp = isRtcp(packet);
    const header = rtcp ? undefined : sniffRtp(packet);
    if ((debugPackets & (debugPackets - 1)) === 0) debug('packet', debugPackets, `session ${session.no}`, mid, packet.length, rtcp ? 'rtcp' : header?.ssrc);
    const media = session.media;
    if (this.ended || session.closed || !media) return;
    const arrivalUs = nowUs();
    if (rtcp) {
      onSenderReports(session, packet, arrivalUs);
      return;
    }
    if (header?.ssrc !== media.ssrc) return;
    const pt = header.payloadType;
    if (!media.payloadTypes.has(pt)) return;
    if (session !== this.active) {
      // Make-before-break: the new session's first packet of the track. From here on only it is
      // forwarded; the old session is closed, so packets of the two are never interleaved.
      if (session !== this.session || !this.resuming) return;
      this.switchTo(session);
    }
    // The SFU picked another variant of the same codec (e.g. H.264 packetization-mode=1).
    if (pt !== media.codec.payloadType && adoptPayloadVariant(media, pt)) this.info.codec = media.codec;
    session.stats?.onRtp(header, arrivalUs);
    this.emit('rtp', packet, arrivalUs);
  }

  /** Makes `session` the one whose RTP is emitted; closes the previous one; ends the recovery. */
  private switchTo(session: Session): void {
    const old = this.active;
    debug(`switch: session ${old?.no ?? '-'} -> ${session.no}`);
    this.active = session;
    this.identity = session.identity;
    this.publishInfo(session);
    if (old && old !== session) {
      this.closeSession(old, true);
      if (old.signalLost) void sayGoodbye(this.options, old);
    }
    this.resuming = false;
    this.emit('resumed');
    this.feedback.resetKeyframeThrottle();
    this.requestKeyframe();
  }

  requestKeyframe(): void {
    if (this.ended || !this.active) return;
    this.feedback.requestKeyframe(this.active);
  }

  requestRetransmission(sequenceNumbers: readonly number[]): void {
    if (this.ended || !this.active) return;
    this.feedback.requestRetransmission(this.active, sequenceNumbers);
  }

  // ---- resilience -----------------------------------------------------------------------------

  /**
   * The signal socket (or the PC) failed: emit `connectionLost` and start the recovery
   * (ConnectionRecovery.run(): make-before-break rejoin, or rejoin with the same identity).
   */
  private connectionLost(reason: string): void {
    if (this.ended || this.resuming) return;
    if (this.ready) {
      this.fail(new LiveKitError(LiveKitErrorCode.ConnectionFailed, `Connection lost while joining: ${reason}`));
      return;
    }
    this.resuming = true;
    debug('connection lost:', reason);
    this.emit('connectionLost', reason);
    void this.recovery.run();
  }

  /** The active session's PC still delivers media. */
  private activeAlive(): boolean {
    const a = this.active;
    return !!a && !a.closed && a.peer.state === 'connected';
  }

  // ---- end ------------------------------------------------------------------------------------

  private end(reason: TrackEndReason): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.unpublishTimer);
    this.teardown(reason !== 'room-closed' && reason !== 'disconnected');
    this.emit('ended', reason);
  }

  private teardown(sendLeave: boolean): void {
    this.feedback.stop();
    clearTimeout(this.trackTimer);
    for (const s of [...this.sessions]) this.closeSession(s, sendLeave);
    this.session = undefined;
    this.active = undefined;
  }

  async close(): Promise<void> {
    if (this.ready) {
      this.fail(new LiveKitError(LiveKitErrorCode.ConnectionFailed, 'closed before the track was subscribed'));
      return;
    }
    this.end('closed');
  }

  [destroySignalSocket](): void {
    this.session?.signal.destroySocket();
  }
}

let debugPackets = 0;

/**
 * Joins the room as a hidden recorder, subscribes to exactly `trackSid` and resolves once its media
 * section is negotiated (codec and SSRC known): a {@link TrackSource} emitting the track's RTP as
 * the SFU sends it (SRTP-decrypted), with PLI/NACK back (RFC 4585) and resume after a dropped
 * connection (docs/livekit.md).
 * @throws InvalidArgumentError (`ERR_TE_INVALID_ARG`) for a missing `trackSid` or `url`, or neither
 *   `token` nor `apiKey` + `apiSecret` + `roomName` + `identity` (the message names what is missing).
 * @throws LiveKitError with `code` `ERR_LIVEKIT_BAD_URL`, `_TOKEN_REJECTED`, `_ROOM_NOT_FOUND`,
 *   `_TRACK_NOT_FOUND` (after `trackTimeoutMs`), `_UNSUPPORTED_CODEC` or `_CONNECTION_FAILED`.
 * @example
 * const source = await subscribeTrack({ url: 'ws://127.0.0.1:7880', apiKey, apiSecret,
 *   roomName: 'demo', identity: 'EG_1234', trackSid: 'TR_VCabc' });
 * source.on('rtp', (packet, arrivalUs) => rec.push(packet, arrivalUs));
 * source.on('ended', (reason) => console.log('track ended:', reason));
 */
export async function subscribeTrack(options: SubscribeTrackOptions): Promise<TrackSource> {
  if (typeof options?.trackSid !== 'string' || options.trackSid.length === 0) {
    throw invalidParameter('trackSid', 'a track SID (TR_…)', options?.trackSid);
  }
  if (typeof options.url !== 'string' || options.url.length === 0) throw invalidParameter('url', 'a LiveKit server URL', options.url);
  let token = options.token;
  if (!token) {
    const { apiKey, apiSecret, roomName, identity } = options;
    if (!apiKey || !apiSecret || !roomName || !identity) {
      const missing = Object.entries({ apiKey, apiSecret, roomName, identity }).filter(([, v]) => !v).map(([k]) => k);
      throw new InvalidArgumentError(
        `subscribeTrack: pass either token, or apiKey + apiSecret + roomName + identity (missing ${missing.join(', ')})`,
      );
    }
    token = await recorderToken({ apiKey, apiSecret, roomName, identity });
  }
  const source = new LiveKitTrackSource({ ...options, token });
  await source.start();
  return source;
}
