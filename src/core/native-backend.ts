import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { type CoreBackend, optionPairs, type PcmArgs, type RawPcmDecoder, type RawRecorder, type RecorderArgs } from './backend.js';
import { errorFromStatus } from './errors.js';

type NativeAddon = {
  abiVersion: number;
  version: string;
  opusVersion: string;
  recorderStatNames: string;
  pcmStatNames: string;
  /** codec id, [TE_OPT_* id, value] pairs, fmtp ("" = none); see native/napi/recorder_wrap.cc. */
  Recorder: new (codec: number, options: Float64Array, fmtp: string) => RawRecorder;
  PcmDecoder: new (options: Float64Array) => RawPcmDecoder;
  /** Registers the function the addon builds every error it throws with (native/napi/napi_util.h). */
  setErrorFactory?: (factory: (status: number, message: string) => Error) => void;
};

/** Package root, from src/core (tsx/vitest) or dist/core (compiled). */
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Loads the N-API addon: build/Release first (a local build), then prebuilds/<platform>/
 * (node-gyp-build's order). Throws node-gyp-build's "No native build was found" when neither exists.
 */
export function createNativeBackend(): CoreBackend {
  const require = createRequire(import.meta.url);
  const load = require('node-gyp-build') as (dir: string) => NativeAddon;
  const addon = load(packageRoot);
  if (typeof addon.setErrorFactory !== 'function') {
    throw new Error('native addon is stale (no setErrorFactory): run npm run build:native');
  }
  addon.setErrorFactory(errorFromStatus); // the classes and codes the wasm adapter throws
  return {
    kind: 'native',
    abiVersion: addon.abiVersion,
    version: addon.version,
    opusVersion: addon.opusVersion,
    recorderStatNames: addon.recorderStatNames.split(','),
    pcmStatNames: addon.pcmStatNames.split(','),
    zeroCopyInput: true,
    createRecorder: (a: RecorderArgs) => new addon.Recorder(a.codec, optionPairs(a.options), a.fmtp ?? ''),
    createPcmDecoder: (a: PcmArgs) => new addon.PcmDecoder(optionPairs(a.options)),
  };
}
