import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { MAX_MISSING, MAX_STATS, type WasmExport } from './abi.generated.js';
import { type CoreBackend, optionPairs, type PcmArgs, type RawOutput, type RawPcmDecoder, type RawRecorder, type RecorderArgs } from './backend.js';
import { errorFromStatus, type TrackEgressError } from './errors.js';

/** The Emscripten module: the C ABI functions plus heap views. */
type WasmModule = {
  HEAPU8: Uint8Array;
  HEAP16: Int16Array;
  HEAPU16: Uint16Array;
  HEAPU32: Uint32Array;
  HEAPF64: Float64Array;
  UTF8ToString(ptr: number): string;
} & Record<WasmExport, (...args: number[]) => number>;

const wasmPath = fileURLToPath(new URL('../../wasm/dist/track_egress.cjs', import.meta.url));

/**
 * Instantiates the WebAssembly build (wasm/dist/track_egress.cjs, a single file with the binary
 * inlined). One copy per packet is unavoidable here: wasm cannot see JS memory, so push() copies
 * each packet into the wasm heap once. Output runs still refer to the caller's original packets, so
 * payload bytes are never copied back out (see docs/zero-copy.md).
 */
export async function createWasmBackend(): Promise<CoreBackend> {
  if (!existsSync(wasmPath)) {
    throw new Error(`wasm build not found at ${wasmPath} (run npm run build:wasm)`);
  }
  const require = createRequire(import.meta.url);
  const factory = require(wasmPath) as () => Promise<WasmModule>;
  const m = await factory();
  const str = (ptr: number): string => m.UTF8ToString(ptr);
  const scratch = m._te_alloc(16); // out-parameter slot for counts

  // Errors come from the factory the native addon is given too (errors.ts), with te_last_error().
  const check = (status: number): void => {
    if (status < 0) throw errorFromStatus(status, str(m._te_last_error()));
  };
  const lastError = (): TrackEgressError => errorFromStatus(m._te_last_status(), str(m._te_last_error()));
  const u32s = (ptr: number, count: number): Uint32Array =>
    m.HEAPU32.slice(ptr >>> 2, (ptr >>> 2) + count);

  /** Per-handle packet copies in the wasm heap, freed when the core releases them. */
  class HeapPackets {
    private readonly ptrs = new Map<number, number>();
    private closed = false;
    copyIn(id: number, data: Uint8Array): number {
      const ptr = m._te_alloc(data.byteLength);
      m.HEAPU8.set(data, ptr); // read HEAPU8 after the allocation: growth replaces the view
      this.ptrs.set(id, ptr);
      return ptr;
    }
    free(ids: Uint32Array): void {
      for (const id of ids) {
        const ptr = this.ptrs.get(id);
        if (ptr !== undefined) {
          m._te_free(ptr);
          this.ptrs.delete(id);
        }
      }
    }
    /** The handle's close(): frees the handle and the copies once; a second close frees nothing. */
    close(freeHandle: () => void): void {
      if (this.closed) return;
      this.closed = true;
      freeHandle();
      for (const ptr of this.ptrs.values()) m._te_free(ptr);
      this.ptrs.clear();
    }
  }

  const released = (fn: (h: number, countPtr: number) => number, h: number, heap: HeapPackets): Uint32Array => {
    const ptr = fn(h, scratch);
    const ids = u32s(ptr, m.HEAPU32[scratch >>> 2]!);
    heap.free(ids);
    return ids;
  };
  const missing = (fn: (h: number, out: number, max: number) => number, h: number): Uint16Array => {
    const out = m._te_alloc(MAX_MISSING * 2);
    const n = fn(h, out, MAX_MISSING);
    const seqs = m.HEAPU16.slice(out >>> 1, (out >>> 1) + n);
    m._te_free(out);
    return seqs;
  };
  const stats = (fn: (h: number, out: number, max: number) => number, h: number): Float64Array => {
    const out = m._te_alloc(MAX_STATS * 8);
    const n = fn(h, out, MAX_STATS);
    const v = m.HEAPF64.slice(out >>> 3, (out >>> 3) + n);
    m._te_free(out);
    return v;
  };

  /** Sets [id, value] option pairs on a new handle; frees it and throws on the first failure. */
  const setOptions = (h: number, pairs: Float64Array, set: (h: number, id: number, v: number) => number,
    free: (h: number) => number): void => {
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      if (set(h, pairs[i]!, pairs[i + 1]!) < 0) {
        const err = lastError();
        free(h);
        throw err;
      }
    }
  };

  const createRecorder = (a: RecorderArgs): RawRecorder => {
    const h = m._te_recorder_new(a.codec);
    if (!h) throw lastError();
    setOptions(h, optionPairs(a.options), m._te_recorder_set_option, m._te_recorder_free);
    if (a.fmtp) {
      const text = new TextEncoder().encode(a.fmtp);
      const ptr = m._te_alloc(text.byteLength + 1);
      m.HEAPU8.set(text, ptr);
      m.HEAPU8[ptr + text.byteLength] = 0; // C string
      const status = m._te_recorder_set_fmtp(h, ptr);
      m._te_free(ptr);
      if (status < 0) {
        const err = lastError();
        m._te_recorder_free(h);
        throw err;
      }
    }
    const heap = new HeapPackets();
    return {
      push(id, data, arrivalUs) {
        const ptr = heap.copyIn(id, data);
        check(m._te_recorder_push(h, id, ptr, data.byteLength, arrivalUs));
      },
      poll: (nowUs) => check(m._te_recorder_poll(h, nowUs)),
      finish: () => check(m._te_recorder_finish(h)),
      collect(): RawOutput | null {
        const n = m._te_recorder_collect(h);
        if (n <= 0) return null;
        const chunksPtr = m._te_recorder_chunks(h) >>> 3;
        const runCount = m._te_recorder_run_count(h);
        const genPtr = m._te_recorder_generated(h);
        return {
          chunks: m.HEAPF64.slice(chunksPtr, chunksPtr + n * 3),
          runs: u32s(m._te_recorder_runs(h), runCount * 3),
          generated: m.HEAPU8.slice(genPtr, genPtr + m._te_recorder_generated_size(h)),
        };
      },
      released: () => released(m._te_recorder_released, h, heap),
      takeKeyframeRequest: () => m._te_recorder_take_keyframe_request(h) !== 0,
      waitingForKeyframe: () => m._te_recorder_waiting_for_keyframe(h) !== 0,
      missing: () => missing(m._te_recorder_missing, h),
      stats: () => stats(m._te_recorder_stats, h),
      mimeType: () => str(m._te_recorder_mime_type(h)),
      setOption: (option, value) => check(m._te_recorder_set_option(h, option, value)),
      close: () => heap.close(() => m._te_recorder_free(h)),
    };
  };

  const createPcmDecoder = (a: PcmArgs): RawPcmDecoder => {
    const h = m._te_pcm_new();
    if (!h) throw lastError();
    setOptions(h, optionPairs(a.options), m._te_pcm_set_option, m._te_pcm_free);
    const heap = new HeapPackets();
    return {
      push(id, data, arrivalUs) {
        const ptr = heap.copyIn(id, data);
        check(m._te_pcm_push(h, id, ptr, data.byteLength, arrivalUs));
      },
      poll: (nowUs) => check(m._te_pcm_poll(h, nowUs)),
      finish: () => check(m._te_pcm_finish(h)),
      read(): Int16Array {
        const ptr = m._te_pcm_read(h, scratch);
        const count = m.HEAPU32[scratch >>> 2]!;
        return m.HEAP16.slice(ptr >>> 1, (ptr >>> 1) + count);
      },
      released: () => released(m._te_pcm_released, h, heap),
      missing: () => missing(m._te_pcm_missing, h),
      stats: () => stats(m._te_pcm_stats, h),
      close: () => heap.close(() => m._te_pcm_free(h)),
    };
  };

  return {
    kind: 'wasm',
    abiVersion: m._te_abi_version(),
    version: str(m._te_version()),
    opusVersion: str(m._te_opus_version()),
    recorderStatNames: str(m._te_recorder_stat_names()).split(','),
    pcmStatNames: str(m._te_pcm_stat_names()).split(','),
    zeroCopyInput: false,
    createRecorder,
    createPcmDecoder,
  };
}
