import { ABI_VERSION } from './abi.generated.js';
import type { BackendKind, CoreBackend } from './backend.js';
import { BackendLoadError, InvalidArgumentError } from './errors.js';
import { createNativeBackend } from './native-backend.js';
import { guardPcmDecoder, guardRecorder } from './raw-guard.js';
import { createWasmBackend } from './wasm-backend.js';

/** Environment variable that forces a backend: `native` or `wasm` (unset = native, else wasm). */
export const BACKEND_ENV = 'TRACK_EGRESS_BACKEND';
/** The C ABI version this TypeScript expects (TE_ABI_VERSION in native/include/te/te.h). */
export const EXPECTED_ABI_VERSION = ABI_VERSION;

let cached: Promise<CoreBackend> | undefined;

/**
 * Returns the core backend, loading it once. With no preference it tries the native addon and
 * falls back to WebAssembly; `TRACK_EGRESS_BACKEND` (or `force`) picks one and fails if it cannot load.
 * @throws BackendLoadError (`ERR_TE_BACKEND_LOAD`) listing why each backend failed and how to fix it;
 *   InvalidArgumentError (`ERR_TE_INVALID_ARG`) for a `TRACK_EGRESS_BACKEND` other than native/wasm.
 * @example
 * (await getBackend()).kind; // 'native' | 'wasm'
 */
export function getBackend(force?: BackendKind): Promise<CoreBackend> {
  if (force) return loadBackend(force);
  cached ??= loadBackend();
  return cached;
}

/** Loads a backend without caching (tests use it to get both). */
export async function loadBackend(force?: BackendKind): Promise<CoreBackend> {
  const raw = force ?? process.env[BACKEND_ENV];
  const want = raw === '' || raw === undefined ? undefined : raw;
  if (want !== undefined && want !== 'native' && want !== 'wasm') {
    throw new InvalidArgumentError(`${BACKEND_ENV} must be "native" or "wasm", got "${want}"`);
  }
  const attempts: string[] = [];
  if (want !== 'wasm') {
    try {
      return checkAbi(createNativeBackend());
    } catch (err) {
      attempts.push(`native: ${(err as Error).message.split('\n')[0]}`);
      if (want === 'native') throw loadError(attempts, err);
    }
  }
  try {
    return checkAbi(await createWasmBackend());
  } catch (err) {
    attempts.push(`wasm: ${(err as Error).message.split('\n')[0]}`);
    throw loadError(attempts, err);
  }
}

/**
 * Checks the ABI version and puts every handle behind the shared closed/finished guard
 * (raw-guard.ts), so both adapters keep one contract.
 */
function checkAbi(b: CoreBackend): CoreBackend {
  if (b.abiVersion !== EXPECTED_ABI_VERSION) {
    throw new Error(`${b.kind} core has ABI version ${b.abiVersion}, this package needs ${EXPECTED_ABI_VERSION} (stale build: run npm run build)`);
  }
  return {
    ...b,
    createRecorder: (args) => guardRecorder(b.createRecorder(args)),
    createPcmDecoder: (args) => guardPcmDecoder(b.createPcmDecoder(args)),
  };
}

function loadError(attempts: string[], cause: unknown): BackendLoadError {
  return new BackendLoadError(
    `track-egress could not load a core backend.\n  ${attempts.join('\n  ')}\n` +
      'Remedies: install a prebuilt addon for your platform (prebuilds/), build it with ' +
      '`npm run build:native`, or build the WebAssembly fallback with `npm run build:wasm`.',
    { cause },
  );
}
