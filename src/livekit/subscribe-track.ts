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

type Session = {
  signal: SignalClient;
  peer: SubscriberPeer;
  participantSid: string;
};

class LiveKitTrackSource extends EventEmitter<TrackSourceEvents> implements TrackSource {
  info!: TrackInfoSummary;

  private session: Session | undefined;
  private readonly participants = new Map<string, ParticipantInfo>();
  private trackInfo: TrackInfo | undefined;
  private publisher: ParticipantInfo | undefined;
  private subscribeSent = false;
  private mid: string | undefined;
  private ssrc: number | undefined;
  private payloadTypes = new Set<number>();
  /** Payloads of the track's codec in the current offer (H.264 lists one per profile/mode). */
  private codecVariants: SdpPayload[] = [];
  private stats: ReceiverStats | undefined;
  private readonly senderSsrc = randomSsrc();
  private lastPliMs = 0;
  private rrTimer: NodeJS.Timeout | undefined;
  private trackTimer: NodeJS.Timeout | undefined;
  private ended = false;
  private resuming = false;
  private token: string;
  private ready: { resolve: () => void; reject: (e: Error) => void } | undefined;

  constructor(
    private readonly options: SubscribeTrackOptions & { token: string },
  ) {
    super();
    this.token = options.token;
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
    this.adoptSession(client, first.message.value);
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

  private newPeer(join: { iceServers: IceServerInfo[]; forceRelay: boolean }): SubscriberPeer {
    const peer = new SubscriberPeer({
      iceServers: join.iceServers,
      forceRelay: join.forceRelay,
      ...(this.options.bindAddress ? { bindAddress: this.options.bindAddress } : {}),
    });
    peer.on('answer', (sdp, id) => {
      this.session?.signal.send({ case: 'answer', value: new SessionDescription({ type: 'answer', sdp, id }) });
    });
    peer.on('candidate', (init) => {
      this.session?.signal.send({
        case: 'trickle',
        value: new TrickleRequest({ candidateInit: JSON.stringify(init), target: SignalTarget.SUBSCRIBER }),
      });
    });
    peer.on('packet', (mid, packet) => this.onPacket(mid, packet));
    peer.on('state', (state) => {
      if (state === 'failed') this.connectionLost('peer connection failed');
    });
    peer.on('error', () => {});
    return peer;
  }

  private adoptSession(signal: SignalClient, join: JoinResponse): void {
    const peer = this.newPeer({
      iceServers: join.iceServers.map((s) => ({ urls: s.urls, username: s.username, credential: s.credential })),
      forceRelay: join.clientConfiguration?.forceRelay === 1,
    });
    this.session = { signal, peer, participantSid: join.participant?.sid ?? '' };
    this.wireSignal(signal);
    signal.startPing(join.pingInterval, join.pingTimeout);
    this.participants.clear();
    for (const p of join.otherParticipants) this.participants.set(p.sid, p);
    this.checkTrack();
  }

  private wireSignal(signal: SignalClient): void {
    signal.on('response', (res) => {
      if (this.session?.signal === signal) this.onSignal(res);
    });
    signal.on('lost', (reason) => {
      if (this.session?.signal === signal) this.connectionLost(reason);
    });
  }

  // ---- signal messages -------------------------------------------------------------------------

  private onSignal(res: SignalResponse): void {
    const m = res.message;
    if (m.case !== 'pongResp' && m.case !== 'pong') debug('signal <-', m.case, m.case === 'offer' ? JSON.stringify(m.value.midToTrackId) : m.case === 'streamStateUpdate' || m.case === 'leave' || m.case === 'subscriptionResponse' ? m.value.toJsonString() : '');
    switch (m.case) {
      case 'offer':
        this.onOffer(m.value);
        break;
      case 'trickle': {
        if (m.value.target !== SignalTarget.SUBSCRIBER) break;
        let init: CandidateInit;
        try {
          init = JSON.parse(m.value.candidateInit) as CandidateInit;
        } catch {
          break;
        }
        this.session?.peer.addRemoteCandidate(init);
        break;
      }
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
    if (!this.trackInfo) {
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
    const wasMuted = this.trackInfo.muted;
    this.trackInfo = t;
    this.publisher = p;
    if (this.info) this.info.muted = t.muted;
    if (t.muted !== wasMuted) {
      if (t.muted) this.emit('muted');
      else {
        this.emit('unmuted');
        this.requestKeyframe();
      }
    }
  }

  /** Looks for the SID among the known participants; subscribes once found. */
  private checkTrack(): void {
    if (this.subscribeSent || !this.session) return;
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
      this.subscribe();
      return;
    }
  }

  private subscribe(): void {
    if (!this.session || !this.publisher) return;
    this.subscribeSent = true;
    this.session.signal.send({
      case: 'subscription',
      value: new UpdateSubscription({
        trackSids: [this.options.trackSid],
        subscribe: true,
        participantTracks: [new ParticipantTracks({ participantSid: this.publisher.sid, trackSids: [this.options.trackSid] })],
      }),
    });
  }

  private onOffer(offer: SessionDescription): void {
    const session = this.session;
    if (!session) return;
    let parsed: ParsedSdp;
    try {
      parsed = session.peer.applyOffer(offer.sdp, offer.id);
    } catch (e) {
      // libdatachannel refuses offers it cannot apply (an ICE restart); start over.
      this.connectionLost(`offer not applicable: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.resolveTrack(parsed, offer.midToTrackId);
  }

  /** Finds our track's media section: mid_to_track_id first, then msid. */
  private resolveTrack(parsed: ParsedSdp, midToTrackId: Record<string, string>): void {
    const sid = this.options.trackSid;
    const live = (m: SdpMedia): boolean => m.direction === 'sendonly' || m.direction === 'sendrecv';
    let media = parsed.media.find((m) => midToTrackId[m.mid] === sid && live(m));
    media ??= parsed.media.find((m) => live(m) && (m.msid?.track === sid || m.msid?.stream.split('|')[1] === sid));
    if (!media || media.ssrc === undefined) {
      // Not (or no longer) in this offer: stop accepting packets for the old SSRC.
      if (this.ssrc !== undefined) {
        this.ssrc = undefined;
        this.mid = undefined;
      }
      return;
    }
    const codecs = codecPayloads(media);
    // The SFU lists every enabled codec; the track's own comes first, but prefer the TrackInfo's.
    const wanted = this.trackInfo?.mimeType.toLowerCase().split('/')[1];
    const main = codecs.find((c) => c.name.toLowerCase() === wanted) ?? codecs[0];
    if (!main) return;
    const mimeType = mimeOf(media.kind, main.name);
    if (!SUPPORTED.has(main.name.toLowerCase())) {
      this.fail(new LiveKitError(LiveKitErrorCode.UnsupportedCodec, `Track ${sid} uses ${mimeType}, which cannot be recorded without transcoding (supported: H264, VP8, VP9, Opus)`));
      return;
    }
    const changed = this.ssrc !== undefined && this.ssrc !== media.ssrc;
    this.mid = media.mid;
    this.ssrc = media.ssrc;
    this.codecVariants = codecs.filter((c) => c.name.toLowerCase() === main.name.toLowerCase());
    this.payloadTypes = new Set(this.codecVariants.map((c) => c.payloadType));
    if (!this.stats || this.stats.ssrc !== media.ssrc) this.stats = new ReceiverStats(media.ssrc, main.clockRate);
    const codec: TrackCodec = {
      mimeType,
      payloadType: main.payloadType,
      clockRate: main.clockRate,
      ...(main.channels !== undefined ? { channels: main.channels } : {}),
      fmtp: main.fmtp,
    };
    const t = this.trackInfo!;
    const p = this.publisher!;
    this.info = {
      trackSid: sid,
      kind: media.kind === 'audio' ? 'audio' : 'video',
      source: sourceName(t.source),
      publisherIdentity: p.identity,
      publisherSid: p.sid,
      codec,
      ssrc: media.ssrc,
      muted: t.muted,
    };
    if (this.ready) {
      const r = this.ready;
      this.ready = undefined;
      r.resolve();
      // Ask for a keyframe as soon as media can flow.
      setTimeout(() => this.requestKeyframe(), 200).unref();
    } else if (changed) {
      // Same track SID on a new SSRC (publisher re-published or the SFU rebuilt the downtrack).
      this.emit('resumed');
      this.lastPliMs = 0;
      this.requestKeyframe();
    }
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

  private onPacket(_mid: string, packet: Buffer): void {
    debugPackets++;
    if ((debugPackets & (debugPackets - 1)) === 0) debug('packet', debugPackets, _mid, packet.length, isRtcp(packet) ? 'rtcp' : packet.readUInt32BE(8));
    if (this.ended || this.ssrc === undefined || packet.length < 12) return;
    const arrivalUs = nowUs();
    if (isRtcp(packet)) {
      for (const sr of parseSenderReports(packet)) {
        if (sr.ssrc === this.ssrc) this.stats?.onSenderReport(sr, arrivalUs);
      }
      return;
    }
    const ssrc = packet.readUInt32BE(8);
    if (ssrc !== this.ssrc) return;
    const pt = packet[1]! & 0x7f;
    if (!this.payloadTypes.has(pt)) return;
    if (pt !== this.info.codec.payloadType) {
      // The SFU picked another variant of the same codec (e.g. H.264 packetization-mode=1).
      const v = this.codecVariants.find((c) => c.payloadType === pt);
      if (v) this.info.codec = { ...this.info.codec, payloadType: pt, fmtp: v.fmtp };
    }
    this.stats?.onRtp(packet, arrivalUs);
    this.emit('rtp', packet, arrivalUs);
  }

  requestKeyframe(): void {
    if (this.ended || this.ssrc === undefined || this.info?.kind !== 'video') return;
    const now = Date.now();
    if (now - this.lastPliMs < 1000) return;
    this.lastPliMs = now;
    this.session?.peer.sendRtcp(this.mid, buildPli(this.senderSsrc, this.ssrc));
  }

  requestRetransmission(sequenceNumbers: readonly number[]): void {
    if (this.ended || this.ssrc === undefined || sequenceNumbers.length === 0) return;
    this.session?.peer.sendRtcp(this.mid, buildNack(this.senderSsrc, this.ssrc, sequenceNumbers));
  }

  private sendReceiverReport(): void {
    if (this.ended || !this.stats || this.ssrc === undefined) return;
    const block = this.stats.report(nowUs());
    if (block) this.session?.peer.sendRtcp(this.mid, buildReceiverReport(this.senderSsrc, block));
  }

  // ---- resilience -----------------------------------------------------------------------------

  /**
   * The signal socket (or the PC) failed. LiveKit's resume (`reconnect=1&sid=…`) always answers with
   * an ICE-restart offer, and libdatachannel 0.24 cannot apply one ("Invalid ICE settings from remote
   * SDP"; see docs/livekit.md). So we rejoin: a new session with the same identity (the server drops
   * the old one), a new PC, and a subscription to the same track SID. The track's SSRC may change;
   * the core treats that as a restart, so the recording carries on.
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

  private async recover(): Promise<void> {
    const graceMs = this.options.resumeGraceMs ?? 30_000;
    const deadline = Date.now() + graceMs;
    let attempt = 0;
    let recovered = false;
    while (!this.ended && !recovered && Date.now() < deadline) {
      if (attempt > 0) await sleep(Math.min(2000, 250 * 2 ** (attempt - 1)));
      attempt++;
      if (this.ended) return;
      try {
        await this.rejoin(Math.max(1000, deadline - Date.now()));
        recovered = true;
      } catch (e) {
        debug('rejoin failed:', e instanceof Error ? e.message : e);
        if (e instanceof LiveKitError && e.code === LiveKitErrorCode.TokenRejected) {
          this.emit('error', e);
          break;
        }
      }
    }
    if (this.ended) return;
    if (!recovered) {
      this.end('disconnected');
      return;
    }
    this.resuming = false;
    this.emit('resumed');
    this.lastPliMs = 0;
    this.requestKeyframe();
  }

  /** A brand-new session (new participant SID, new PC), subscribing to the same track SID. */
  private async rejoin(timeoutMs: number): Promise<void> {
    const old = this.session;
    this.session = undefined;
    old?.signal.close(true);
    old?.peer.close();
    const { client, first } = await SignalClient.connect({
      url: this.options.url,
      token: this.token,
      timeoutMs: Math.min(timeoutMs, 10_000),
    });
    if (first.message.case !== 'join') {
      client.close();
      throw new LiveKitError(LiveKitErrorCode.ConnectionFailed, `Expected a JoinResponse, got ${first.message.case}`);
    }
    this.subscribeSent = false;
    this.trackInfo = undefined;
    this.ssrc = undefined;
    this.adoptSession(client, first.message.value);
    const session = this.session as Session | undefined;
    const ok = await waitFor(
      () => this.ended || this.session !== session || (this.ssrc !== undefined && session?.peer.state === 'connected'),
      timeoutMs,
    );
    if (!ok || this.session !== session) {
      throw new LiveKitError(LiveKitErrorCode.ConnectionFailed, 'rejoin did not reconnect the media in time');
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
    const s = this.session;
    this.session = undefined;
    s?.signal.close(sendLeave);
    s?.peer.close();
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
