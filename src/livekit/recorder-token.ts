import { AccessToken } from 'livekit-server-sdk';

export type RecorderTokenOptions = {
  apiKey: string;
  apiSecret: string;
  roomName: string;
  /** Participant identity; the egress id (EG_…) for an egress. */
  identity: string;
  /** Validity; default 24 h like LiveKit's own egress token. */
  ttl?: number | string;
};

/**
 * A join token for a hidden, subscribe-only recorder (the grants LiveKit's egress uses): hidden keeps
 * us out of everyone's participant list, recorder / kind "egress" make the server treat us as a
 * dependent participant that bypasses track permissions and does not keep an empty room open.
 */
export async function recorderToken(options: RecorderTokenOptions): Promise<string> {
  const at = new AccessToken(options.apiKey, options.apiSecret, {
    identity: options.identity,
    ttl: options.ttl ?? '24h',
  });
  at.kind = 'egress';
  at.addGrant({
    roomJoin: true,
    room: options.roomName,
    canSubscribe: true,
    canPublish: false,
    canPublishData: false,
    hidden: true,
    recorder: true,
  });
  return at.toJwt();
}
