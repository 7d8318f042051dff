/**
 * Connection recovery: after the signal socket or the PeerConnection failed, join again (make-before-
 * break when we can), retrying with backoff until the grace period runs out; and the goodbye Leave
 * for an old participant whose socket died. See "Recovery" in docs/livekit.md.
 */
import type { JoinResponse } from '@livekit/protocol';
import { debug } from './debug.js';
import { LiveKitError, LiveKitErrorCode } from './errors.js';
import { recorderToken } from './recorder-token.js';
import { SignalClient } from './signal-client.js';
import type { Session } from './subscriber-session.js';

/** How long a new session that is ready (connected, SSRC known) may wait for its first packet
 * before we switch to it anyway (a muted or paused track sends nothing). */
const SWITCH_WAIT_MS = 4000;

/** Where and as whom to join; apiKey/apiSecret/roomName/identity let us mint tokens. */
export type RecoveryCredentials = {
  url: string;
  apiKey?: string;
  apiSecret?: string;
  roomName?: string;
  identity?: string;
};

/** Can we mint tokens (for a derived identity)? Not with a caller-supplied token. */
function canMint(c: RecoveryCredentials): boolean {
  return !!(c.apiKey && c.apiSecret && c.roomName && c.identity);
}

function mintToken(c: RecoveryCredentials, identity: string): Promise<string> {
  return recorderToken({ apiKey: c.apiKey!, apiSecret: c.apiSecret!, roomName: c.roomName!, identity });
}

/**
 * The identity of a make-before-break session: `${identity}~1` when the current one is the base
 * identity, the base identity again when the current one is `~1`. At most two identities exist; each
 * join evicts a stale participant of the same identity left over from the recovery before.
 */
export function recoveryIdentity(base: string, current: string): string {
  return current === base ? `${base}~1` : base;
}

/** The source's side of a recovery. */
export interface RecoveryHost {
  /** False once the source ended or a switch finished the recovery. */
  recovering(): boolean;
  /** The active session's PC still delivers media. */
  activeAlive(): boolean;
  /** The track is muted (a new session then has no packet to switch at). */
  muted(): boolean;
  /** Identity of the active (or last active) session. */
  identity(): string | undefined;
  /** The latest token (refreshed by the server). */
  token(): string;
  /** Closes the control session if it is a failed earlier attempt (never active). */
  closeFailedAttempt(): void;
  /** Closes the active session (break-before-make). */
  closeActive(): void;
  /** Makes a JoinResponse the new control session and looks the track up in it. */
  join(signal: SignalClient, join: JoinResponse, identity: string | undefined): Session;
  /** Makes `session` the one whose RTP is emitted; ends the recovery. */
  switchTo(session: Session): void;
  /** Recovery cannot succeed (a rejected token). */
  error(error: Error): void;
  /** The grace period ran out. */
  giveUp(): void;
}

export class ConnectionRecovery {
  constructor(
    private readonly credentials: RecoveryCredentials,
    private readonly resumeGraceMs: number,
    private readonly host: RecoveryHost,
  ) {}

  /**
   * Rejoins until a switch happens or `resumeGraceMs` passes; backoff 250 ms … 2 s between attempts.
   * LiveKit's resume (`reconnect=1&sid=…`) always answers with an ICE-restart offer, and
   * libdatachannel 0.24 cannot apply one ("Invalid ICE settings from remote SDP"; see
   * docs/livekit.md). So we join again, make-before-break when we can: while the old PeerConnection
   * still receives, it keeps feeding `rtp`, and a second session with a derived identity
   * (recoveryIdentity()) subscribes the same SID; we switch at its first packet. When the old PC is
   * gone (or the caller gave a fixed token), we rejoin with the same identity instead.
   */
  async run(): Promise<void> {
    const host = this.host;
    const deadline = Date.now() + this.resumeGraceMs;
    let attempt = 0;
    while (host.recovering() && Date.now() < deadline) {
      if (attempt > 0) await sleep(Math.min(2000, 250 * 2 ** (attempt - 1)));
      attempt++;
      if (!host.recovering()) return;
      try {
        await this.rejoin(Math.max(1000, deadline - Date.now()));
      } catch (e) {
        debug('rejoin failed:', e instanceof Error ? e.message : e);
        if (e instanceof LiveKitError && e.code === LiveKitErrorCode.TokenRejected) {
          host.error(e);
          break;
        }
      }
    }
    if (host.recovering()) host.giveUp();
  }

  /**
   * One recovery attempt: a new session (new participant, new PC) subscribing the same track SID.
   * Resolves once the switch to it happened (host.recovering() false after host.switchTo()).
   */
  private async rejoin(timeoutMs: number): Promise<void> {
    const host = this.host;
    const c = this.credentials;
    // A previous failed attempt (never active) goes away first.
    host.closeFailedAttempt();
    const overlap = canMint(c) && host.activeAlive();
    if (!overlap) host.closeActive();
    // host.identity() is the active (or last active) session's identity: a failed overlap attempt
    // never changes it, so a retry never evicts the session that is still recording.
    let identity = host.identity();
    let token = host.token();
    if (canMint(c)) {
      const base = c.identity!;
      if (overlap) identity = recoveryIdentity(base, identity ?? base);
      token = await mintToken(c, identity!);
    }
    debug(`rejoin as ${identity ?? '(token identity)'}${overlap ? ', old session keeps receiving' : ''}`);
    const { client, first } = await SignalClient.connect({
      url: c.url,
      token,
      timeoutMs: Math.min(timeoutMs, 10_000),
    });
    if (!host.recovering()) {
      client.close();
      return;
    }
    if (first.message.case !== 'join') {
      client.close();
      throw new LiveKitError(LiveKitErrorCode.ConnectionFailed, `Expected a JoinResponse, got ${first.message.case}`);
    }
    const session = host.join(client, first.message.value, identity);
    const broken = (): boolean => session.closed || session.signalLost || session.peer.state === 'failed' || session.peer.state === 'closed';
    const ready = (): boolean => session.media !== undefined && session.peer.state === 'connected';
    const done = (): boolean => !host.recovering();
    const until = Date.now() + timeoutMs;
    if (!(await waitFor(() => done() || broken() || ready(), until - Date.now()))) {
      throw new LiveKitError(LiveKitErrorCode.ConnectionFailed, 'rejoin did not reconnect the media in time');
    }
    if (done()) return;
    if (broken()) throw new LiveKitError(LiveKitErrorCode.ConnectionFailed, 'the new session failed while joining');
    // Connected with the SSRC known: the switch happens at its first packet (onPacket). Switch now if
    // nothing can come from the old session, or the track is muted, or nothing arrives for a while.
    const switchBy = Math.min(until, Date.now() + SWITCH_WAIT_MS);
    await waitFor(() => done() || broken() || !host.activeAlive() || host.muted(), switchBy - Date.now());
    if (done()) return;
    if (broken()) throw new LiveKitError(LiveKitErrorCode.ConnectionFailed, 'the new session failed before its first packet');
    host.switchTo(session);
  }
}

/**
 * The old participant of a make-before-break lost its signal socket, so it could not send Leave and
 * the server would keep it (and its downtrack) until its own timeouts. Resume its signal session
 * (`reconnect=1&sid=PA_…`) just long enough to send Leave. Best effort.
 */
export async function sayGoodbye(c: RecoveryCredentials, old: { identity: string | undefined; participantSid: string }): Promise<void> {
  if (!canMint(c) || !old.identity || !old.participantSid) return;
  try {
    const token = await mintToken(c, old.identity);
    const { client, first } = await SignalClient.connect({ url: c.url, token, resumeSid: old.participantSid, timeoutMs: 5000 });
    debug(`goodbye to ${old.identity} (${old.participantSid}): first response ${first.message.case}`);
    client.close(true);
  } catch (e) {
    debug('goodbye failed:', e instanceof Error ? e.message : e);
  }
}

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
