/**
 * The EgressService as the CLI drives it, loaded on demand (`serve` and `record` only; `convert`
 * never loads the LiveKit and AWS stacks).
 */
import type { EgressService } from '../egress/egress-service.js';
import type { EgressServiceConfig } from '../egress/service-types.js';

/** `new EgressService(config)`, with its module loaded on first use. */
export async function createEgressService(config: EgressServiceConfig): Promise<EgressService> {
  const { EgressService } = await import('../egress/egress-service.js');
  return new EgressService(config);
}
