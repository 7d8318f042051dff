/**
 * subscribeTrack(): join a LiveKit room as a hidden recorder and deliver one track's RTP.
 * Protocol flow, SSRC resolution, RTCP and resume are described in docs/livekit.md.
 */
import { EventEmitter } from 'node:events';
import {
  DisconnectReason,
  JoinResponse,
  LeaveRequest_Action,
  ParticipantInfo,
  ParticipantInfo_State,
  ParticipantTracks,
  SessionDescription,
  SignalTarget,
  SubscriptionError,
  TrackInfo,
  TrackSource as LkTrackSource,
  TrickleRequest,
  UpdateSubscription,
  type SignalResponse,
} from '@livekit/protocol';
import { nowUs } from '../core/options.js';
import { debug } from './debug.js';
import { LiveKitError, LiveKitErrorCode } from './errors.js';
import { recorderToken } from './recorder-token.js';
import { ReceiverStats, buildNack, buildPli, buildReceiverReport, isRtcp, parseSenderReports } from './rtcp.js';
import { codecPayloads, type ParsedSdp, type SdpMedia, type SdpPayload } from './sdp-media.js';
import { SignalClient } from './signal-client.js';
import { SubscriberPeer, type CandidateInit, type IceServerInfo } from './subscriber-peer.js';
import type { TrackCodec, TrackEndReason, TrackInfoSummary, TrackSource, TrackSourceEvents } from './track-source.js';

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
  /** How long to wait for the track to be published. Default 30 000 ms. */
  trackTimeoutMs?: number;
  /** How long a dropped connection may take to resume before the source ends. Default 30 000 ms. */
  resumeGraceMs?: number;
  /** Local address for ICE host candidates (e.g. '127.0.0.1' against a loopback server). */
  bindAddress?: string;
};

/** Test hook: `source[destroySignalSocket]()` drops the signal TCP connection like a network failure. */
export const destroySignalSocket: unique symbol = Symbol.for('track-egress.livekit.destroySignalSocket');

const SUPPORTED = new Set(['h264', 'vp8', 'vp9', 'opus']);

function mimeOf(kind: string, name: string): string {
  const n = name.toLowerCase() === 'opus' ? 'opus' : name.toUpperCase();
  return `${kind}/${n}`;
}

function sourceName(s: LkTrackSource): string {
  return (LkTrackSource[s] ?? 'UNKNOWN').toLowerCase();
}

function randomSsrc(): number {
  return (Math.floor(Math.random() * 0xfffffffe) + 1) >>> 0;
}

/** The track's media section as negotiated in one session's PeerConnection. */
type SessionMedia = {
  mid: string;
  ssrc: number;
  kind: 'audio' | 'video';
  codec: TrackCodec;
  payloadTypes: Set<number>;
  /** Payloads of the track's codec in the current offer (H.264 lists one per profile/mode). */
  codecVariants: SdpPayload[];
};

/** One participant session: signal WebSocket + subscriber PeerConnection (+ what it negotiated). */
type Session = {
  no: number;
  identity: string | undefined;
  signal: SignalClient;
  peer: SubscriberPeer;
  participantSid: string;
  subscribeSent: boolean;
  media: SessionMedia | undefined;
  stats: ReceiverStats | undefined;
  signalLost: boolean;
  closed: boolean;
};

/** How long a new session that is ready (connected, SSRC known) may wait for its first packet
 * before we switch to it anyway (a muted or paused track sends nothing). */
const SWITCH_WAIT_MS = 4000;

/**
 * The identity of a make-before-break session: `${identity}~1` when the current one is the base
 * identity, the base identity again when the current one is `~1`. At most two identities exist; each
 * join evicts a stale participant of the same identity left over from the recovery before.
 */
export function recoveryIdentity(base: string, current: string): string {
  return current === base ? `${base}~1` : base;
}

class LiveKitTrackSource extends EventEmitter<TrackSourceEvents> implements TrackSource {
  info!: TrackInfoSummary;

  /** The control session: its signal drives participants/mute/ended; the newest one joined. */
  private session: Session | undefined;
  /** The session whose RTP is emitted (differs from `session` only during a make-before-break). */
  private active: Session | undefined;
  private readonly sessions = new Set<Session>();
  private sessionCounter = 0;
  private readonly participants = new Map<string, ParticipantInfo>();
  private trackInfo: TrackInfo | undefined;
  private publisher: ParticipantInfo | undefined;
  private readonly senderSsrc = randomSsrc();
  private lastPliMs = 0;
  private rrTimer: NodeJS.Timeout | undefined;
  private trackTimer: NodeJS.Timeout | undefined;
  private ended = false;
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
  }

  /** Can we mint tokens (for a derived identity)? Not with a caller-supplied token. */
  private get canMint(): boolean {
    const o = this.options;
    return !!(o.apiKey && o.apiSecret && o.roomName && o.identity);
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
      if (this.trackInfo) return;
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
    this.rrTimer = setInterval(() => this.sendReceiverReport(), 1000);
    this.rrTimer.unref();
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
    const peer = new SubscriberPeer({
      iceServers: join.iceServers.map((s) => ({ urls: s.urls, username: s.username, credential: s.credential })),
      forceRelay: join.clientConfiguration?.forceRelay === 1,
      ...(this.options.bindAddress ? { bindAddress: this.options.bindAddress } : {}),
    });
    const session: Session = {
      no: ++this.sessionCounter,
      identity,
      signal,
      peer,
      participantSid: join.participant?.sid ?? '',
      subscribeSent: false,
      media: undefined,
      stats: undefined,
      signalLost: false,
      closed: false,
    };
    this.sessions.add(session);
    peer.on('answer', (sdp, id) => {
      session.signal.send({ case: 'answer', value: new SessionDescription({ type: 'answer', sdp, id }) });
    });
    peer.on('candidate', (init) => {
      session.signal.send({
        case: 'trickle',
        value: new TrickleRequest({ candidateInit: JSON.stringify(init), target: SignalTarget.SUBSCRIBER }),
      });
    });
    peer.on('packet', (mid, packet) => this.onPacket(session, mid, packet));
    peer.on('state', (state) => {
      debug(`session ${session.no} pc state`, state);
      if (state === 'failed' && session === this.session) this.connectionLost('peer connection failed');
    });
    peer.on('error', () => {});
    signal.on('response', (res) => this.onSignal(session, res));
    signal.on('lost', (reason) => {
      session.signalLost = true;
      if (session === this.session) this.connectionLost(reason);
    });
    signal.startPing(join.pingInterval, join.pingTimeout);
    this.session = session;
    this.participants.clear();
    for (const p of join.otherParticipants) this.participants.set(p.sid, p);
    return session;
  }

  private closeSession(s: Session, sendLeave: boolean): void {
    if (s.closed) return;
    s.closed = true;
    this.sessions.delete(s);
    s.signal.close(sendLeave);
    s.peer.close();
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
      if (m.value.target !== SignalTarget.SUBSCRIBER) return;
      let init: CandidateInit;
      try {
        init = JSON.parse(m.value.candidateInit) as CandidateInit;
      } catch {
        return;
      }
      session.peer.addRemoteCandidate(init);
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
    const known = this.participants.get(p.sid);
    if (known && known.version > p.version) return;
    if (p.sid === this.session?.participantSid) return;
    this.participants.set(p.sid, p);
    if (p.state === ParticipantInfo_State.DISCONNECTED) this.participants.delete(p.sid);
    if (!this.session?.subscribeSent) {
      this.checkTrack();
      return;
    }
    if (p.sid !== this.publisher?.sid) return;
    if (p.state === ParticipantInfo_State.DISCONNECTED) {
      // Deleting a room removes its participants first; the Leave(ROOM_DELETED) to us may come later.
      const roomGone = p.disconnectReason === DisconnectReason.ROOM_DELETED || p.disconnectReason === DisconnectReason.ROOM_CLOSED;
      this.end(roomGone ? 'room-closed' : 'participant-left');
      return;
    }
    const t = p.tracks.find((x) => x.sid === this.options.trackSid);
    if (!t) {
      this.end('unpublished');
      return;
    }
    this.trackInfo = t;
    this.publisher = p;
    this.updateMuted(t.muted);
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
    for (const p of this.participants.values()) {
      const t = p.tracks.find((x) => x.sid === this.options.trackSid);
      if (!t) continue;
      this.trackInfo = t;
      this.publisher = p;
      const mime = t.mimeType.toLowerCase();
      const codec = mime.split('/')[1] ?? '';
      // audio/red is Opus with redundancy; we refuse RED in the answer and get plain Opus.
      if (codec && !SUPPORTED.has(codec) && mime !== 'audio/red') {
        this.fail(
          new LiveKitError(
            LiveKitErrorCode.UnsupportedCodec,
            `Track ${t.sid} uses ${t.mimeType}, which cannot be recorded without transcoding (supported: H264, VP8, VP9, Opus)`,
          ),
        );
        return;
      }
      // After a rejoin: a mute change during the gap shows up in the new JoinResponse.
      this.updateMuted(t.muted);
      this.subscribe(session, p);
      return;
    }
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

  /** Finds our track's media section in a session's offer: mid_to_track_id first, then msid. */
  private resolveTrack(session: Session, parsed: ParsedSdp, midToTrackId: Record<string, string>): void {
    const sid = this.options.trackSid;
    const live = (m: SdpMedia): boolean => m.direction === 'sendonly' || m.direction === 'sendrecv';
    let media = parsed.media.find((m) => midToTrackId[m.mid] === sid && live(m));
    media ??= parsed.media.find((m) => live(m) && (m.msid?.track === sid || m.msid?.stream.split('|')[1] === sid));
    if (!media || media.ssrc === undefined) {
      // Not (or no longer) in this offer: stop accepting packets for the old SSRC.
      session.media = undefined;
      return;
    }
    const codecs = codecPayloads(media);
    // The SFU lists every enabled codec in a fixed order (VP8 first); prefer the TrackInfo's codec.
    const wanted = this.trackInfo?.mimeType.toLowerCase().split('/')[1];
    const main = codecs.find((c) => c.name.toLowerCase() === wanted) ?? codecs[0];
    if (!main) return;
    const mimeType = mimeOf(media.kind, main.name);
    if (!SUPPORTED.has(main.name.toLowerCase())) {
      this.fail(new LiveKitError(LiveKitErrorCode.UnsupportedCodec, `Track ${sid} uses ${mimeType}, which cannot be recorded without transcoding (supported: H264, VP8, VP9, Opus)`));
      return;
    }
    const previous = session.media?.ssrc;
    const codecVariants = codecs.filter((c) => c.name.toLowerCase() === main.name.toLowerCase());
    session.media = {
      mid: media.mid,
      ssrc: media.ssrc,
      kind: media.kind === 'audio' ? 'audio' : 'video',
      codec: {
        mimeType,
        payloadType: main.payloadType,
        clockRate: main.clockRate,
        ...(main.channels !== undefined ? { channels: main.channels } : {}),
        fmtp: main.fmtp,
      },
      codecVariants,
      payloadTypes: new Set(codecVariants.map((c) => c.payloadType)),
    };
    if (!session.stats || session.stats.ssrc !== media.ssrc) session.stats = new ReceiverStats(media.ssrc, main.clockRate);
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
      this.lastPliMs = 0;
      this.requestKeyframe();
    }
  }

  /** `info` from the active session's negotiated media and the latest TrackInfo. */
  private publishInfo(session: Session): void {
    const m = session.media!;
    const t = this.trackInfo!;
    const p = this.publisher!;
    this.info = {
      trackSid: this.options.trackSid,
      kind: m.kind,
      source: sourceName(t.source),
      publisherIdentity: p.identity,
      publisherSid: p.sid,
      codec: m.codec,
      ssrc: m.ssrc,
      muted: this.info?.muted ?? t.muted,
    };
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
    if ((debugPackets & (debugPackets - 1)) === 0) debug('packet', debugPackets, `session ${session.no}`, mid, packet.length, isRtcp(packet) ? 'rtcp' : packet.readUInt32BE(8));
    const media = session.media;
    if (this.ended || session.closed || !media || packet.length < 12) return;
    const arrivalUs = nowUs();
    if (isRtcp(packet)) {
      for (const sr of parseSenderReports(packet)) {
        if (sr.ssrc === media.ssrc) session.stats?.onSenderReport(sr, arrivalUs);
      }
      return;
    }
    if (packet.readUInt32BE(8) !== media.ssrc) return;
    const pt = packet[1]! & 0x7f;
    if (!media.payloadTypes.has(pt)) return;
    if (session !== this.active) {
      // Make-before-break: the new session's first packet of the track. From here on only it is
      // forwarded; the old session is closed, so packets of the two are never interleaved.
      if (session !== this.session || !this.resuming) return;
      this.switchTo(session);
    }
    if (pt !== media.codec.payloadType) {
      // The SFU picked another variant of the same codec (e.g. H.264 packetization-mode=1).
      const v = media.codecVariants.find((c) => c.payloadType === pt);
      if (v) {
        media.codec = { ...media.codec, payloadType: pt, fmtp: v.fmtp };
        this.info.codec = media.codec;
      }
    }
    session.stats?.onRtp(packet, arrivalUs);
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
      if (old.signalLost) void this.sayGoodbye(old);
    }
    this.resuming = false;
    this.emit('resumed');
    this.lastPliMs = 0;
    this.requestKeyframe();
  }

  requestKeyframe(): void {
    const s = this.active;
    if (this.ended || !s?.media || s.media.kind !== 'video') return;
    const now = Date.now();
    if (now - this.lastPliMs < 1000) return;
    this.lastPliMs = now;
    s.peer.sendRtcp(s.media.mid, buildPli(this.senderSsrc, s.media.ssrc));
  }

  requestRetransmission(sequenceNumbers: readonly number[]): void {
    const s = this.active;
    if (this.ended || !s?.media || sequenceNumbers.length === 0) return;
    s.peer.sendRtcp(s.media.mid, buildNack(this.senderSsrc, s.media.ssrc, sequenceNumbers));
  }

  private sendReceiverReport(): void {
    if (this.ended) return;
    // Every live session with media reports (the old one keeps its downtrack healthy until the switch).
    for (const s of this.sessions) {
      if (!s.media || !s.stats) continue;
      const block = s.stats.report(nowUs());
      if (block) s.peer.sendRtcp(s.media.mid, buildReceiverReport(this.senderSsrc, block));
    }
  }

  // ---- resilience -----------------------------------------------------------------------------

  /**
   * The signal socket (or the PC) failed. LiveKit's resume (`reconnect=1&sid=…`) always answers with
   * an ICE-restart offer, and libdatachannel 0.24 cannot apply one ("Invalid ICE settings from remote
   * SDP"; see docs/livekit.md). So we join again, make-before-break when we can: while the old
   * PeerConnection still receives, it keeps feeding `rtp`, and a second session with a derived
   * identity (recoveryIdentity()) subscribes the same SID; we switch at its first packet. When the
   * old PC is gone (or the caller gave a fixed token), we rejoin with the same identity instead.
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
    void this.recover();
  }

  /** The active session's PC still delivers media. */
  private activeAlive(): boolean {
    const a = this.active;
    return !!a && !a.closed && a.peer.state === 'connected';
  }

  private async recover(): Promise<void> {
    const graceMs = this.options.resumeGraceMs ?? 30_000;
    const deadline = Date.now() + graceMs;
    let attempt = 0;
    while (!this.ended && this.resuming && Date.now() < deadline) {
      if (attempt > 0) await sleep(Math.min(2000, 250 * 2 ** (attempt - 1)));
      attempt++;
      if (this.ended || !this.resuming) return;
      try {
        await this.rejoin(Math.max(1000, deadline - Date.now()));
      } catch (e) {
        debug('rejoin failed:', e instanceof Error ? e.message : e);
        if (e instanceof LiveKitError && e.code === LiveKitErrorCode.TokenRejected) {
          this.emit('error', e);
          break;
        }
      }
    }
    if (!this.ended && this.resuming) this.end('disconnected');
  }

  /**
   * One recovery attempt: a new session (new participant, new PC) subscribing the same track SID.
   * Resolves once the switch to it happened (`resuming` cleared by switchTo()).
   */
  private async rejoin(timeoutMs: number): Promise<void> {
    // A previous failed attempt (never active) goes away first.
    const control = this.session;
    if (control && control !== this.active) this.closeSession(control, true);
    const overlap = this.canMint && this.activeAlive();
    if (!overlap && this.active) this.closeSession(this.active, !this.active.signalLost);
    // this.identity is the active (or last active) session's identity: a failed overlap attempt
    // never changes it, so a retry never evicts the session that is still recording.
    let identity = this.identity;
    let token = this.token;
    if (this.canMint) {
      const base = this.options.identity!;
      if (overlap) identity = recoveryIdentity(base, this.identity ?? base);
      token = await recorderToken({ apiKey: this.options.apiKey!, apiSecret: this.options.apiSecret!, roomName: this.options.roomName!, identity: identity! });
    }
    debug(`rejoin as ${identity ?? '(token identity)'}${overlap ? ', old session keeps receiving' : ''}`);
    const { client, first } = await SignalClient.connect({
      url: this.options.url,
      token,
      timeoutMs: Math.min(timeoutMs, 10_000),
    });
    if (this.ended || !this.resuming) {
      client.close();
      return;
    }
    if (first.message.case !== 'join') {
      client.close();
      throw new LiveKitError(LiveKitErrorCode.ConnectionFailed, `Expected a JoinResponse, got ${first.message.case}`);
    }
    const session = this.adoptSession(client, first.message.value, identity);
    this.checkTrack();
    const broken = (): boolean => session.closed || session.signalLost || session.peer.state === 'failed' || session.peer.state === 'closed';
    const ready = (): boolean => session.media !== undefined && session.peer.state === 'connected';
    const done = (): boolean => this.ended || !this.resuming;
    const until = Date.now() + timeoutMs;
    if (!(await waitFor(() => done() || broken() || ready(), until - Date.now()))) {
      throw new LiveKitError(LiveKitErrorCode.ConnectionFailed, 'rejoin did not reconnect the media in time');
    }
    if (done()) return;
    if (broken()) throw new LiveKitError(LiveKitErrorCode.ConnectionFailed, 'the new session failed while joining');
    // Connected with the SSRC known: the switch happens at its first packet (onPacket). Switch now if
    // nothing can come from the old session, or the track is muted, or nothing arrives for a while.
    const switchBy = Math.min(until, Date.now() + SWITCH_WAIT_MS);
    await waitFor(() => done() || broken() || !this.activeAlive() || this.info?.muted === true, switchBy - Date.now());
    if (done()) return;
    if (broken()) throw new LiveKitError(LiveKitErrorCode.ConnectionFailed, 'the new session failed before its first packet');
    this.switchTo(session);
  }

  /**
   * The old participant of a make-before-break lost its signal socket, so it could not send Leave and
   * the server would keep it (and its downtrack) until its own timeouts. Resume its signal session
   * (`reconnect=1&sid=PA_…`) just long enough to send Leave. Best effort.
   */
  private async sayGoodbye(old: Session): Promise<void> {
    if (!this.canMint || !old.identity || !old.participantSid) return;
    try {
      const token = await recorderToken({ apiKey: this.options.apiKey!, apiSecret: this.options.apiSecret!, roomName: this.options.roomName!, identity: old.identity });
      const { client, first } = await SignalClient.connect({ url: this.options.url, token, resumeSid: old.participantSid, timeoutMs: 5000 });
      debug(`goodbye to ${old.identity} (${old.participantSid}): first response ${first.message.case}`);
      client.close(true);
    } catch (e) {
      debug('goodbye failed:', e instanceof Error ? e.message : e);
    }
  }

  // ---- end ------------------------------------------------------------------------------------

  private end(reason: TrackEndReason): void {
    if (this.ended) return;
    this.ended = true;
    this.teardown(reason !== 'room-closed' && reason !== 'disconnected');
    this.emit('ended', reason);
  }

  private teardown(sendLeave: boolean): void {
    clearInterval(this.rrTimer);
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

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() >= until) return false;
    await sleep(50);
  }
  return true;
}

/**
 * Joins the room as a hidden recorder, subscribes to exactly `trackSid` and resolves once its media
 * section is negotiated (codec and SSRC known). Rejects with a LiveKitError (errors.ts codes).
 */
export async function subscribeTrack(options: SubscribeTrackOptions): Promise<TrackSource> {
  if (typeof options?.trackSid !== 'string' || options.trackSid.length === 0) {
    throw new LiveKitError(LiveKitErrorCode.TrackNotFound, 'subscribeTrack: trackSid is required');
  }
  let token = options.token;
  if (!token) {
    const { apiKey, apiSecret, roomName, identity } = options;
    if (!apiKey || !apiSecret || !roomName || !identity) {
      throw new LiveKitError(
        LiveKitErrorCode.TokenRejected,
        'subscribeTrack: pass either token, or apiKey + apiSecret + roomName + identity',
      );
    }
    token = await recorderToken({ apiKey, apiSecret, roomName, identity });
  }
  const source = new LiveKitTrackSource({ ...options, token });
  await source.start();
  return source;
}
