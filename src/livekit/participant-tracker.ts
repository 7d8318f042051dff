/**
 * The room's other participants as the control session's JoinResponse and ParticipantUpdates
 * describe them, and the subscribed track's TrackInfo and publisher among them: finds the track SID,
 * and after the subscription tells what an update means for it (muted, unpublished, left).
 */
import { DisconnectReason, ParticipantInfo, ParticipantInfo_State, type TrackInfo } from '@livekit/protocol';
import type { TrackEndReason } from './track-source.js';

/** What one ParticipantUpdate means for the subscribed track. */
export type ParticipantChange =
  /** Nothing for us (an older version, ourselves, another participant). */
  | { kind: 'none' }
  /** Not subscribed yet: look for the track again. */
  | { kind: 'lookup' }
  | { kind: 'ended'; reason: TrackEndReason }
  /** The publisher still has the track; its TrackInfo was updated. */
  | { kind: 'track'; muted: boolean };

export class ParticipantTracker {
  private readonly participants = new Map<string, ParticipantInfo>();
  /** The subscribed track's latest TrackInfo, once found. */
  trackInfo: TrackInfo | undefined;
  /** Its publisher, once found. */
  publisher: ParticipantInfo | undefined;

  constructor(private readonly trackSid: string) {}

  /** Starts over from a (new control session's) JoinResponse. */
  reset(otherParticipants: readonly ParticipantInfo[]): void {
    this.participants.clear();
    for (const p of otherParticipants) this.participants.set(p.sid, p);
  }

  /**
   * Applies one ParticipantInfo of an update. `ownSid` is the control session's participant;
   * `subscribed` whether it has sent its subscription.
   */
  update(p: ParticipantInfo, ownSid: string | undefined, subscribed: boolean): ParticipantChange {
    const known = this.participants.get(p.sid);
    if (known && known.version > p.version) return { kind: 'none' };
    if (p.sid === ownSid) return { kind: 'none' };
    this.participants.set(p.sid, p);
    if (p.state === ParticipantInfo_State.DISCONNECTED) this.participants.delete(p.sid);
    if (!subscribed) return { kind: 'lookup' };
    if (p.sid !== this.publisher?.sid) return { kind: 'none' };
    if (p.state === ParticipantInfo_State.DISCONNECTED) {
      // Deleting a room removes its participants first; the Leave(ROOM_DELETED) to us may come later.
      const roomGone = p.disconnectReason === DisconnectReason.ROOM_DELETED || p.disconnectReason === DisconnectReason.ROOM_CLOSED;
      return { kind: 'ended', reason: roomGone ? 'room-closed' : 'participant-left' };
    }
    const t = p.tracks.find((x) => x.sid === this.trackSid);
    if (!t) return { kind: 'ended', reason: 'unpublished' };
    this.trackInfo = t;
    this.publisher = p;
    return { kind: 'track', muted: t.muted };
  }

  /** Looks for the SID among the known participants; remembers and returns it with its publisher. */
  findTrack(): { track: TrackInfo; publisher: ParticipantInfo } | undefined {
    for (const p of this.participants.values()) {
      const t = p.tracks.find((x) => x.sid === this.trackSid);
      if (!t) continue;
      this.trackInfo = t;
      this.publisher = p;
      return { track: t, publisher: p };
    }
    return undefined;
  }
}
