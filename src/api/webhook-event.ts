/**
 * The webhook events LiveKit's server sends for an egress (`livekit: pkg/telemetry/events.go`,
 * `pkg/service/ioservice.go`) and how a body is signed (`protocol: webhook/url_notifier.go`).
 */
import { createHash } from 'node:crypto';

import { type EgressInfo, EgressStatus, Room, WebhookEvent } from '@livekit/protocol';
import { AccessToken } from 'livekit-server-sdk';

import { newGuid } from '../egress/egress-id.js';

/** Event names of an egress's life (LiveKit's `webhook.EventEgress*`). */
export type EgressWebhookName = 'egress_started' | 'egress_updated' | 'egress_ended';

/** A webhook event id: `EV_` + 12 base57 characters, as LiveKit's `guid.New("EV_")`. */
export function newWebhookEventId(): string {
  return newGuid('EV_');
}

/**
 * The event an EgressInfo update is sent as: STARTING → `egress_started`, ACTIVE and ENDING →
 * `egress_updated`, COMPLETE / FAILED / ABORTED / LIMIT_REACHED → `egress_ended`.
 */
export function webhookNameFor(status: EgressStatus): EgressWebhookName {
  switch (status) {
    case EgressStatus.EGRESS_STARTING:
      return 'egress_started';
    case EgressStatus.EGRESS_ACTIVE:
    case EgressStatus.EGRESS_ENDING:
      return 'egress_updated';
    default:
      return 'egress_ended';
  }
}

/** A `WebhookEvent` for an egress: new id, `createdAt` now (Unix seconds), room `{sid, name}`. */
export function egressWebhookEvent(event: EgressWebhookName, info: EgressInfo, now = Date.now()): WebhookEvent {
  return new WebhookEvent({
    event,
    id: newWebhookEventId(),
    createdAt: BigInt(Math.floor(now / 1000)),
    room: new Room({ sid: info.roomId, name: info.roomName }),
    egressInfo: info,
  });
}

/**
 * The `Authorization` header value of a webhook body: a JWT (HS256, `iss` = apiKey, valid 5 min,
 * as LiveKit) whose `sha256` claim is the base64 SHA-256 of the exact body bytes — what
 * livekit-server-sdk's `WebhookReceiver` checks. No `Bearer ` prefix, as LiveKit sends it.
 */
export async function signWebhookBody(body: string, apiKey: string, apiSecret: string): Promise<string> {
  const token = new AccessToken(apiKey, apiSecret, { ttl: '5m' });
  token.sha256 = createHash('sha256').update(body, 'utf8').digest('base64');
  return token.toJwt();
}
