/**
 * The incremental form every capture reader is written in, so one parser serves both a whole
 * file in memory ({@link parseAll}) and a file read in chunks ({@link CaptureFileReader}).
 *
 * `next(bytes, pos, end, offset, eof)` looks at the record starting at `bytes[pos]` (`offset` is
 * its position in the file) and returns:
 *   n > 0  it consumed n bytes (`packet` is set when the record carried a UDP payload);
 *   n < 0  it needs at least -n bytes from `pos` before it can decide (never when `eof`);
 *   0      the input is done: it ended cleanly, or reading stopped at a truncated or corrupt
 *          record (`stopped` says where and why).
 * Packet `data` are views into `bytes`; a streaming driver must never reuse a buffer it handed in.
 */
import type { CaptureFormat, CaptureReadResult, CapturedPacket, CaptureStats } from './captured-packet.js';
import { emptyCaptureStats } from './captured-packet.js';

/** Where and why a reader stopped before the end of its input. */
export type CaptureStop = {
  /** Byte offset of the record that could not be read. */
  offset: number;
  /** What is wrong with it, e.g. "pcap record at byte 40 truncated (1000 bytes announced, 12 left)". */
  message: string;
};

/**
 * Largest record a reader accepts (64 MiB). Real records are at most a few hundred KiB (snap
 * lengths are ≤ 256 KiB); a larger length field is corruption, and must not make a streaming
 * reader buffer the rest of the file.
 */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

export abstract class RecordParser {
  abstract readonly format: CaptureFormat;
  readonly stats: CaptureStats = emptyCaptureStats();
  readonly warnings: string[] = [];
  /** Set when reading stopped at a truncated or corrupt record (the packets before it are kept). */
  stopped: CaptureStop | undefined;
  /** Link types of the file's interfaces that link-layer.ts does not decode. */
  readonly unsupportedLinkTypes = new Set<number>();
  /** The UDP payload of the record consumed by the last {@link next} call, if it had one. */
  packet: CapturedPacket | undefined;

  private viewOf: Uint8Array | undefined;
  private view: DataView | undefined;

  abstract next(bytes: Uint8Array, pos: number, end: number, offset: number, eof: boolean): number;

  /** A DataView over `bytes`, cached per buffer. */
  protected dv(bytes: Uint8Array): DataView {
    if (this.viewOf !== bytes || !this.view) {
      this.viewOf = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return this.view;
  }

  /** Records a stop (`truncatedRecords = 1`, a warning) and returns 0. */
  protected stop(offset: number, message: string): 0 {
    this.stats.truncatedRecords = 1;
    this.warnings.push(`${message}; stopped reading`);
    this.stopped = { offset, message };
    return 0;
  }

  /** Result shape of the one-call readers. */
  result(packets: CapturedPacket[]): CaptureReadResult {
    return { format: this.format, packets, stats: this.stats, warnings: this.warnings };
  }
}

/** Runs `parser` over a whole input held in memory. */
export function parseAll(parser: RecordParser, bytes: Uint8Array): CaptureReadResult {
  const packets: CapturedPacket[] = [];
  let pos = 0;
  for (;;) {
    const n = parser.next(bytes, pos, bytes.length, pos, true);
    if (n <= 0) break;
    if (parser.packet) packets.push(parser.packet);
    pos += n;
  }
  return parser.result(packets);
}
