/**
 * The contract both backends implement. It mirrors the C ABI (native/include/te/te.h) one to one,
 * so the N-API wrapper and the wasm adapter stay mechanical; the public classes in recorder.ts and
 * pcm-decoder.ts add validation, packet lifetime and naming on top.
 */
import { OPTION_ID, type OptionName } from './abi.generated.js';
import { InvalidArgumentError } from './errors.js';

export type BackendKind = 'native' | 'wasm';

/** Output of one collect(): chunks [offset, firstRun, runCount]; runs [packet|GENERATED, offset, size]. */
export type RawOutput = {
  chunks: Float64Array;
  runs: Uint32Array;
  generated: Uint8Array;
};

/** Marks a run that points into RawOutput.generated instead of an input packet. */
export { RUN_GENERATED as GENERATED_RUN } from './abi.generated.js';

/**
 * Core options by name (TE_OPT_* of te.h, documented there: units, defaults, ranges); unset ones
 * keep the core's default. Booleans are 0|1.
 */
export type CoreOptions = Partial<Record<OptionName, number>>;

/** Flattens options to [TE_OPT_* id, value] pairs, the form both bindings pass to the C ABI. */
export function optionPairs(options: CoreOptions): Float64Array {
  const entries = Object.entries(options).filter(([, v]) => v !== undefined);
  const pairs = new Float64Array(entries.length * 2);
  entries.forEach(([name, value], i) => {
    if (!Object.hasOwn(OPTION_ID, name)) throw new InvalidArgumentError(`unknown core option "${name}"`);
    pairs[2 * i] = OPTION_ID[name as OptionName];
    pairs[2 * i + 1] = value!;
  });
  return pairs;
}

export interface RawRecorder {
  /** Borrowed: `data` must stay alive and unchanged until `id` is returned by released(). */
  push(id: number, data: Uint8Array, arrivalUs: number): void;
  poll(nowUs: number): void;
  finish(): void;
  collect(): RawOutput | null;
  released(): Uint32Array;
  takeKeyframeRequest(): boolean;
  waitingForKeyframe(): boolean;
  missing(): Uint16Array;
  stats(): Float64Array;
  mimeType(): string;
  /** te_recorder_set_option: a TE_OPT_* id (OPTION_ID) before the first push. */
  setOption(option: number, value: number): void;
  close(): void;
}

export interface RawPcmDecoder {
  push(id: number, data: Uint8Array, arrivalUs: number): void;
  poll(nowUs: number): void;
  finish(): void;
  /**
   * Interleaved samples decoded since the last read (a fresh copy the caller owns): at most one
   * second per call (te_pcm_read); empty when nothing is left.
   */
  read(): Int16Array;
  released(): Uint32Array;
  missing(): Uint16Array;
  stats(): Float64Array;
  close(): void;
}

export type RecorderArgs = {
  /** TE_CODEC_* id (CODEC_ID). */
  codec: number;
  options: CoreOptions;
  /** SDP fmtp parameter string "k=v;k=v" (te_recorder_set_fmtp); absent or "" = none. */
  fmtp?: string;
};

export type PcmArgs = {
  /** channels (the stream's), outputRate, outputChannels, reorder*, ssrc, payloadType. */
  options: CoreOptions;
};

export interface CoreBackend {
  readonly kind: BackendKind;
  readonly abiVersion: number;
  readonly version: string;
  readonly opusVersion: string;
  readonly recorderStatNames: readonly string[];
  readonly pcmStatNames: readonly string[];
  /** True when packets are referenced in place; false when they are copied once (wasm heap). */
  readonly zeroCopyInput: boolean;
  createRecorder(args: RecorderArgs): RawRecorder;
  createPcmDecoder(args: PcmArgs): RawPcmDecoder;
}
