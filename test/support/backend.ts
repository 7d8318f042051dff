import { getBackend } from '../../src/core/load-backend.js';
import type { BackendKind, CoreBackend } from '../../src/core/backend.js';

/** The backend this vitest run targets: TRACK_EGRESS_BACKEND (set by scripts/test-all.sh). */
export const BACKEND = (process.env.TRACK_EGRESS_BACKEND || 'native') as BackendKind;

/** Loads exactly the backend under test (no silent fallback: a missing build fails the suite). */
export function backendUnderTest(): Promise<CoreBackend> {
  return getBackend(BACKEND);
}
