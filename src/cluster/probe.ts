/**
 * A start-up probe that a livekit-server speaking the same psrpc is on this Redis: one
 * side-effect-free `IOInfo.ListEgress` round trip (a room nobody uses). An answer proves the
 * channel names, the envelope, the claim flow and the message types against the live server; no
 * answer means no livekit-server is subscribed under the names this version uses (none on this
 * Redis, or one whose psrpc naming differs from {@link UPSTREAM_VERSIONS}).
 */
import { ListEgressRequest } from '@livekit/protocol';

import { requestChannel } from './channels.js';
import type { PsrpcClient } from './client.js';
import { PsrpcCode, PsrpcError } from './errors.js';
import { UPSTREAM_VERSIONS } from './gen/versions.js';
import { IOInfo } from './services.js';

/** Room name the probe lists (nothing is ever stored under it). */
export const PROBE_ROOM = '__track-egress-probe__';

/**
 * Resolves with the round-trip time (ms) once a livekit-server answered.
 * @param timeoutMs how long to wait for an answer. Default 3000.
 * @throws Error naming the channel and the pinned versions when no server answers (psrpc
 *   `unavailable` / `deadline_exceeded`); the server's own PsrpcError if it answers with one.
 */
export async function probeLiveKitServer(client: PsrpcClient, timeoutMs = 3000): Promise<number> {
  const t0 = performance.now();
  try {
    await client.request(IOInfo.ListEgress, undefined, new ListEgressRequest({ roomName: PROBE_ROOM }), { timeoutMs });
  } catch (err) {
    if (err instanceof PsrpcError && (err.code === PsrpcCode.Unavailable || err.code === PsrpcCode.DeadlineExceeded)) {
      throw new Error(
        `no livekit-server answered on Redis channel ${requestChannel(IOInfo.ListEgress.service, IOInfo.ListEgress.method, [])} ` +
          `within ${timeoutMs} ms (${err.message}). The worker and livekit-server must share the same Redis (and redis.db), ` +
          `and the server must speak psrpc ${UPSTREAM_VERSIONS.psrpc} as livekit-server ${UPSTREAM_VERSIONS.livekitServer} does.`,
      );
    }
    throw err;
  }
  return performance.now() - t0;
}
