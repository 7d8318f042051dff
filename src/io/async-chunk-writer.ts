/**
 * Recorder output into a local file with async I/O (FileHandle.writev): each chunk at its offset,
 * in order, consecutive appends joined into one writev, one batch in flight at a time, so bytes
 * reach the OS page cache within milliseconds of `write()` (crash safety: a `kill -9` leaves
 * them in the file; fsync only matters against a power loss). The service's local file output
 * (`FileSink`) and the S3 spool (`S3Sink`) both write through it: the spool uses `onWritten(end)`
 * to upload parts as the file fills, and `beforePatch` to forget an uploaded part a positioned
 * patch changes.
 */
import type { FileHandle } from 'node:fs/promises';

import type { OutputChunk } from '../core/recorder.js';
import { viewsAfter } from './chunk-file-writer.js';

const IOV_MAX = 1024;

type Run = { offset: number; data: Uint8Array[]; size: number };

/** Hooks of an {@link AsyncChunkWriter}; all optional. */
export type AsyncChunkWriterHooks = {
  /** Called (and awaited) before a write that lands below the current end. */
  beforePatch?(start: number, end: number): Promise<void>;
  /** The file is complete up to `end` (appends and patches written). */
  onWritten?(end: number): void;
  /** The fs error that stopped the writer (reported once; later writes are dropped). */
  onError?(err: unknown): void;
};

export class AsyncChunkWriter {
  /** Bytes queued, not yet written. */
  queuedBytes = 0;
  /** End of the bytes written to the file so far (appends and patches done). */
  writtenEnd = 0;
  private queue: Run[] = [];
  private flushing: Promise<void> | undefined;
  private error: unknown;

  constructor(
    private readonly fh: FileHandle,
    private readonly hooks: AsyncChunkWriterHooks = {},
  ) {}

  /** Whether a write failed (later writes are dropped). */
  get failed(): boolean {
    return this.error !== undefined;
  }

  /** Queues chunks; never throws. */
  write(chunks: readonly OutputChunk[]): void {
    if (this.error) return;
    for (const c of chunks) {
      if (c.size === 0) continue;
      const last = this.queue[this.queue.length - 1];
      if (last && last.offset + last.size === c.offset) {
        last.data.push(...c.data);
        last.size += c.size;
      } else this.queue.push({ offset: c.offset, data: [...c.data], size: c.size });
      this.queuedBytes += c.size;
    }
    // Not for an empty queue: flush() would finish synchronously, before this assignment, and
    // `flushing` would stay a settled promise that drain() awaits in a loop forever.
    if (this.queue.length) this.flushing ??= this.flush();
  }

  /** Resolves when everything queued so far is written; rejects with the write error. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.error) throw this.error;
  }

  /** Drops what is queued. */
  discard(): void {
    this.queue = [];
    this.queuedBytes = 0;
  }

  async close(): Promise<void> {
    await this.drain().catch(() => {});
    await this.fh.close().catch(() => {});
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length) {
        const run = this.queue.shift()!;
        if (run.offset < this.writtenEnd) await this.hooks.beforePatch?.(run.offset, run.offset + run.size);
        let pos = run.offset;
        for (let i = 0; i < run.data.length; i += IOV_MAX) {
          let part = run.data.slice(i, i + IOV_MAX);
          for (;;) {
            const want = part.reduce((n, b) => n + b.byteLength, 0);
            const { bytesWritten } = await this.fh.writev(part, pos);
            pos += bytesWritten;
            if (bytesWritten >= want) break;
            part = viewsAfter(part, bytesWritten);
          }
        }
        this.queuedBytes -= run.size;
        this.writtenEnd = Math.max(this.writtenEnd, pos);
        this.hooks.onWritten?.(this.writtenEnd);
      }
    } catch (err) {
      this.error = err;
      this.discard();
      this.hooks.onError?.(err);
    } finally {
      this.flushing = undefined;
    }
  }
}
