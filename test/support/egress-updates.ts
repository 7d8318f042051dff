/**
 * The `update` events of an EgressService, collected for tests: every EgressInfo in order, the
 * status names per egress, and a wait for one egress to reach a status (failing fast, with the
 * statuses seen, when it ends in another).
 */
import { type EgressInfo, EgressStatus } from '@livekit/protocol';

import type { EgressServiceLike } from '../../src/egress/service-types.js';

const S = EgressStatus;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type EgressUpdates = {
  /** Every update so far, in order. */
  updates: EgressInfo[];
  /** Status names of one egress's updates, e.g. ['EGRESS_STARTING', 'EGRESS_ACTIVE']. */
  statuses(egressId: string): string[];
  /**
   * The first update of `egressId` with `status`; throws when the egress ended in another
   * terminal status, or after `timeoutMs` (default 20 000).
   */
  until(egressId: string, status: EgressStatus, timeoutMs?: number): Promise<EgressInfo>;
};

export function watchUpdates(svc: EgressServiceLike): EgressUpdates {
  const updates: EgressInfo[] = [];
  svc.on('update', (info) => updates.push(info));
  const statuses = (id: string) => updates.filter((u) => u.egressId === id).map((u) => S[u.status]);
  const until = async (id: string, status: EgressStatus, timeoutMs = 20_000): Promise<EgressInfo> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const u = updates.find((x) => x.egressId === id && x.status === status);
      if (u) return u;
      const last = updates.filter((x) => x.egressId === id).pop();
      if (last && last.status >= S.EGRESS_COMPLETE) throw new Error(`egress ended ${S[last.status]} (${last.error}) instead of ${S[status]}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${S[status]}: ${statuses(id).join(' → ')}`);
      await sleep(50);
    }
  };
  return { updates, statuses, until };
}
