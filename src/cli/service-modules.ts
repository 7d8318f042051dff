/**
 * The EgressService as the CLI drives it, loaded on demand (`serve` and `record` only; `convert`
 * never loads the LiveKit and AWS stacks). Typed by the issue-8 names: `EgressService` in
 * src/egress/egress-service.ts — loaded by a module path in a variable until that file is on
 * main; then this module can become a static import.
 */
import type { EgressInfo } from '@livekit/protocol';

import type { EgressServiceConfig, EgressServiceLike } from '../egress/service-types.js';

/** An EgressService as the CLI drives it. */
export type EgressServiceHandle = EgressServiceLike & {
  /** Reports (and for S3 finishes) what a killed process left; resolves with their EgressInfos. */
  start(): Promise<EgressInfo[]>;
  /** Ends running jobs cleanly (ENDING → COMPLETE), then releases everything. */
  close(opts?: { deadlineMs?: number }): Promise<void>;
};

const SERVICE = '../egress/egress-service.js';

/** `new EgressService(config)`. */
export async function createEgressService(config: EgressServiceConfig): Promise<EgressServiceHandle> {
  const { EgressService } = (await import(SERVICE)) as { EgressService: new (c: EgressServiceConfig) => EgressServiceHandle };
  return new EgressService(config);
}
