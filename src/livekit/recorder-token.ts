import { AccessToken } from 'livekit-server-sdk';

import { invalidParameter } from '../core/errors.js';

/** Options of {@link recorderToken}. */
export type RecorderTokenOptions = {
  /** LiveKit API key. */
  apiKey: string;
  /** The API key's secret (signs the JWT, HS256). */
  apiSecret: string;
  /** The room the token admits to. */
  roomName: string;
  /** Participant identity; the egress id (EG_…) for an egress. */
  identity: string;
  /** Validity: seconds, or a duration string ("24h", "10m"). Default "24h", like LiveKit's own egress token. */
  ttl?: number | string;
};

/**
 * A join token for a hidden, subscribe-only recorder (the grants LiveKit's egress uses): hidden keeps
 * us out of everyone's participant list, recorder / kind "egress" make the server treat us as a
 * dependent participant that bypasses track permissions and does not keep an empty room open.
 * Nothing is checked here: a wrong key or secret is refused by the server when joining
 * (`ERR_LIVEKIT_TOKEN_REJECTED`).
 * @throws InvalidArgumentError (`ERR_TE_INVALID_ARG`) when `apiKey`, `apiSecret`, `roomName` or
 *   `identity` is missing or empty.
 * @returns The signed JWT.
 * @example
 * const token = await recorderToken({ apiKey, apiSecret, roomName: 'demo', identity: 'EG_1234' });
 * const source = await subscribeTrack({ url, token, trackSid: 'TR_VCabc' });
 */
export async function recorderToken(options: RecorderTokenOptions): Promise<string> {
  for (const k of ['apiKey', 'apiSecret', 'roomName', 'identity'] as const) {
    if (typeof options?.[k] !== 'string' || options[k].length === 0) throw invalidParameter(k, 'a non-empty string', options?.[k]);
  }
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
