/**
 * One participant session: a signal WebSocket and its subscriber PeerConnection, plus what that
 * PeerConnection negotiated for the track. There are two only during a make-before-break recovery;
 * each session answers its own offers and trickles its own candidates.
 */
import { SessionDescription, SignalTarget, TrickleRequest, type JoinResponse, type SignalResponse } from '@livekit/protocol';
import { debug } from './debug.js';
import type { ReceiverStats } from './rtcp.js';
import type { SignalClient } from './signal-client.js';
import { SubscriberPeer, type CandidateInit } from './subscriber-peer.js';
import type { SessionMedia } from './track-offer.js';

export type Session = {
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

/** What the source does with a session's traffic. */
export type SessionHandlers = {
  packet(session: Session, mid: string, packet: Buffer): void;
  peerFailed(session: Session): void;
  signal(session: Session, res: SignalResponse): void;
  signalLost(session: Session, reason: string): void;
};

/** A session from a JoinResponse: creates its PeerConnection, wires both sides and starts pinging. */
export function openSession(
  no: number,
  identity: string | undefined,
  signal: SignalClient,
  join: JoinResponse,
  bindAddress: string | undefined,
  on: SessionHandlers,
): Session {
  const peer = new SubscriberPeer({
    iceServers: join.iceServers.map((s) => ({ urls: s.urls, username: s.username, credential: s.credential })),
    forceRelay: join.clientConfiguration?.forceRelay === 1,
    ...(bindAddress ? { bindAddress } : {}),
  });
  const session: Session = {
    no,
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
  peer.on('answer', (sdp, id) => {
    session.signal.send({ case: 'answer', value: new SessionDescription({ type: 'answer', sdp, id }) });
  });
  peer.on('candidate', (init) => {
    session.signal.send({
      case: 'trickle',
      value: new TrickleRequest({ candidateInit: JSON.stringify(init), target: SignalTarget.SUBSCRIBER }),
    });
  });
  peer.on('packet', (mid, packet) => on.packet(session, mid, packet));
  peer.on('state', (state) => {
    debug(`session ${session.no} pc state`, state);
    if (state === 'failed') on.peerFailed(session);
  });
  peer.on('error', () => {});
  signal.on('response', (res) => on.signal(session, res));
  signal.on('lost', (reason) => {
    session.signalLost = true;
    on.signalLost(session, reason);
  });
  signal.startPing(join.pingInterval, join.pingTimeout);
  return session;
}

/** A remote candidate for the session's subscriber PeerConnection (publisher-side ones are not ours). */
export function addTrickle(session: Session, trickle: TrickleRequest): void {
  if (trickle.target !== SignalTarget.SUBSCRIBER) return;
  let init: CandidateInit;
  try {
    init = JSON.parse(trickle.candidateInit) as CandidateInit;
  } catch {
    return;
  }
  session.peer.addRemoteCandidate(init);
}

/** Closes both sides once; false when the session was closed already. */
export function closeSession(session: Session, sendLeave: boolean): boolean {
  if (session.closed) return false;
  session.closed = true;
  session.signal.close(sendLeave);
  session.peer.close();
  return true;
}
