/**
 * The contract both backends implement. It mirrors the C ABI (native/include/te/te.h) one to one,
 * so the N-API wrapper and the wasm adapter stay mechanical; the public classes in recorder.ts and
 * pcm-decoder.ts add validation, packet lifetime and naming on top.
 */
export type BackendKind = 'native' | 'wasm';

/** Output of one collect(): chunks [offset, firstRun, runCount]; runs [packet|GENERATED, offset, size]. */
export type RawOutput = {
  chunks: Float64Array;
  runs: Uint32Array;
  generated: Uint8Array;
};

/** Recorder option ids of te_recorder_set_option (TE_OPT_* in te.h). */
export const RECORDER_OPTION = { crashSafe: 1 } as const;

/** Marks a run that points into RawOutput.generated instead of an input packet. */
export const GENERATED_RUN = 0xffffffff;

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
  /** te_recorder_set_option: a TE_OPT_* (RECORDER_OPTION) before the first push. */
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
  codec: number;
  clockRate: number;
  channels: number;
  seekable: boolean;
  fragmentMs: number;
  reorderWaitMs: number;
  reorderCapacity: number;
  ssrc: number;
  payloadType: number;
  /** SDP fmtp parameter string "k=v;k=v" (te_recorder_set_fmtp); absent or "" = none. */
  fmtp?: string;
};

export type PcmArgs = {
  inChannels: number;
  outRate: number;
  outChannels: number;
  reorderWaitMs: number;
  reorderCapacity: number;
  ssrc: number;
  payloadType: number;
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
