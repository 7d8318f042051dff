import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { type CoreBackend, optionPairs, type PcmArgs, type RawPcmDecoder, type RawRecorder, type RecorderArgs } from './backend.js';

type NativeAddon = {
  abiVersion: number;
  version: string;
  opusVersion: string;
  recorderStatNames: string;
  pcmStatNames: string;
  /** codec id, [TE_OPT_* id, value] pairs, fmtp ("" = none); see native/napi/recorder_wrap.cc. */
  Recorder: new (codec: number, options: Float64Array, fmtp: string) => RawRecorder;
  PcmDecoder: new (options: Float64Array) => RawPcmDecoder;
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
