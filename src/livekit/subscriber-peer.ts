/**
 * The subscriber PeerConnection (node-datachannel). The server offers, we answer — every offer,
 * including renegotiations and ICE restarts. Ground rules from the reference (docs/livekit.md):
 * register callbacks before negotiating, keep references to every Track and DataChannel (else they
 * are garbage-collected and go silent), and set NO media handler (raw RTP/RTCP in and out).
 */
import { EventEmitter } from 'node:events';
import nodeDataChannel from 'node-datachannel';
import type { DataChannel, PeerConnection, Track } from 'node-datachannel';
import { debug } from './debug.js';
import { parseSessionDescription, type ParsedSdp } from '../rtp/sdp.js';
import { rewriteAnswer } from '../rtp/sdp-answer.js';

export type IceServerInfo = { urls: string[]; username?: string; credential?: string };

export type SubscriberPeerOptions = {
  iceServers?: IceServerInfo[];
  /** Local address to gather host candidates on (e.g. 127.0.0.1 for a loopback server). */
  bindAddress?: string;
  forceRelay?: boolean;
};

export type CandidateInit = { candidate: string; sdpMid?: string; sdpMLineIndex?: number; usernameFragment?: string };

export type SubscriberPeerEvents = {
  answer: [sdp: string, offerId: number, offer: ParsedSdp];
  candidate: [init: CandidateInit];
  /** RTCPeerConnectionState: new, connecting, connected, disconnected, failed, closed. */
  state: [state: string];
  /** Every RTP and RTCP packet of a media section (SRTP-decrypted, as on the wire). */
  packet: [mid: string, packet: Buffer];
  error: [error: Error];
};

/** JoinResponse ICE servers → libdatachannel URLs ("turn:user:pass@host:port?transport=udp"). */
function toNdcIceServers(servers: IceServerInfo[]): string[] {
  const out: string[] = [];
  for (const s of servers) {
    for (const url of s.urls) {
      const m = /^(stuns?|turns?):(.*)$/.exec(url);
      if (!m) continue;
      if (m[1]!.startsWith('turn') && s.username) {
        out.push(`${m[1]}:${encodeURIComponent(s.username)}:${encodeURIComponent(s.credential ?? '')}@${m[2]}`);
      } else {
        out.push(url);
      }
    }
  }
  return out;
}

let peerCounter = 0;

export class SubscriberPeer extends EventEmitter<SubscriberPeerEvents> {
  private readonly pc: PeerConnection;
  /** Strong references: a Track or DataChannel only referenced natively stops delivering. */
  private readonly tracks = new Map<string, Track>();
  private readonly allTracks: Track[] = [];
  private readonly channels: DataChannel[] = [];
  private pendingCandidates: CandidateInit[] = [];
  private hasRemote = false;
  private currentOffer: { id: number; parsed: ParsedSdp } | undefined;
  private closed = false;
  state = 'new';
  /** An offer was applied and its answer has not been produced yet. */
  awaitingAnswer = false;

  constructor(options: SubscriberPeerOptions = {}) {
    super();
    this.pc = new nodeDataChannel.PeerConnection(`te-sub-${++peerCounter}`, {
      iceServers: toNdcIceServers(options.iceServers ?? []),
      // The server's first offer has only the data channels. libdatachannel picks DTLS (no SRTP) when
      // the first negotiated description has no media, and media added later is then dropped.
      forceMediaTransport: true,
      ...(options.bindAddress ? { bindAddress: options.bindAddress } : {}),
      ...(options.forceRelay ? { iceTransportPolicy: 'relay' as const } : {}),
    });
    // Callbacks first: auto-negotiation answers as soon as the remote offer is set.
    this.pc.onLocalDescription((sdp, type) => {
      if (this.closed || type.toLowerCase() !== 'answer' || !this.currentOffer) return;
      const { id, parsed } = this.currentOffer;
      this.awaitingAnswer = false;
      const answer = rewriteAnswer(sdp, parsed);
      debug(`raw answer ${id}:\n${sdp}`);
      debug(`answer ${id}:\n${answer}`);
      this.emit('answer', answer, id, parsed);
    });
    this.pc.onLocalCandidate((candidate, mid) => {
      if (this.closed) return;
      // libdatachannel gives the SDP line; RTCIceCandidateInit carries the bare RFC 8839 §5.1 candidate-attribute.
      const line = candidate.startsWith('a=') ? candidate.slice(2) : candidate;
      const index = this.currentOffer?.parsed.media.findIndex((m) => m.mid === mid) ?? -1;
      this.emit('candidate', { candidate: line, sdpMid: mid, ...(index >= 0 ? { sdpMLineIndex: index } : {}) });
    });
    this.pc.onStateChange((state) => {
      this.state = state;
      debug('pc state', state);
      if (!this.closed) this.emit('state', state);
    });
    this.pc.onDataChannel((dc) => {
      // The server's _reliable/_lossy/_data_track channels must open for it to consider the
      // transport established; their messages are not needed by a recorder.
      this.channels.push(dc);
      dc.onMessage(() => {});
    });
    this.pc.onTrack((track) => this.adoptTrack(track));
  }

  private adoptTrack(track: Track): void {
    const mid = track.mid();
    debug('onTrack', mid, track.type(), track.direction());
    this.tracks.set(mid, track);
    this.allTracks.push(track);
    track.onMessage((msg) => {
      if (!this.closed) this.emit('packet', mid, msg);
    });
  }

  /** Applies a server offer; the rewritten answer comes back as the 'answer' event. */
  applyOffer(sdp: string, id: number): ParsedSdp {
    const parsed = parseSessionDescription(sdp);
    debug(`offer ${id}:\n${sdp}`);
    this.currentOffer = { id, parsed };
    this.awaitingAnswer = true;
    this.pc.setRemoteDescription(sdp, 'offer' as never);
    this.hasRemote = true;
    const queued = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const c of queued) this.addRemoteCandidate(c);
    return parsed;
  }

  addRemoteCandidate(init: CandidateInit): void {
    if (this.closed || !init.candidate) return;
    if (!this.hasRemote) {
      this.pendingCandidates.push(init);
      return;
    }
    const mid = init.sdpMid ?? this.currentOffer?.parsed.media[init.sdpMLineIndex ?? 0]?.mid ?? '0';
    try {
      this.pc.addRemoteCandidate(init.candidate, mid);
    } catch (e) {
      this.emit('error', e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Sends an RTCP packet on the given media section (any open track if it is gone). */
  sendRtcp(mid: string | undefined, packet: Buffer): boolean {
    if (this.closed || packet.length === 0) return false;
    const track = (mid !== undefined ? this.tracks.get(mid) : undefined) ?? [...this.tracks.values()].find((t) => t.isOpen());
    if (!track) return false;
    try {
      return track.sendMessageBinary(packet);
    } catch {
      return false;
    }
  }

  get remoteDescription(): string | undefined {
    return this.pc.remoteDescription()?.sdp;
  }

  /**
   * Closes the connection. Never calls node-datachannel's cleanup(): with it the process segfaulted
   * on exit (reference pitfall 4); see docs/livekit.md for how processes still exit.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const dc of this.channels) {
      try {
        dc.close();
      } catch {
        // already closed
      }
    }
    for (const t of this.allTracks) {
      try {
        t.close();
      } catch {
        // already closed
      }
    }
    try {
      this.pc.close();
    } catch {
      // already closed
    }
    this.removeAllListeners();
  }
}
