/**
 * The local spool of an S3 output: container bytes written with async I/O (FileHandle.writev) at
 * their offsets, in order, one batch in flight at a time, so they reach the OS page cache within
 * milliseconds of `write()` (crash safety: a `kill -9` leaves them in the spool). Tells its owner
 * how far the file is complete (`onWritten(end)`) so parts can be uploaded from it, and lets it act
 * before a positioned patch lands (`beforePatch`), so an already uploaded part it changes is
 * forgotten first.
 */
import type { FileHandle } from 'node:fs/promises';

import type { OutputChunk } from '../../core/recorder.js';
import { viewsAfter } from '../../io/chunk-file-writer.js';

const IOV_MAX = 1024;

type Run = { offset: number; data: Uint8Array[]; size: number };

export class SpoolFile {
  /** Bytes queued, not yet written. */
  queuedBytes = 0;
  /** End of the bytes written to the file so far (appends and patches done). */
  writtenEnd = 0;
  private queue: Run[] = [];
  private flushing: Promise<void> | undefined;
  private error: unknown;

  constructor(
    private readonly fh: FileHandle,
    private readonly hooks: {
      /** Called (and awaited) before a write that lands below the current end. */
      beforePatch(start: number, end: number): Promise<void>;
      onWritten(end: number): void;
      onError(err: unknown): void;
    },
  ) {}

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
        if (run.offset < this.writtenEnd) await this.hooks.beforePatch(run.offset, run.offset + run.size);
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
        this.hooks.onWritten(this.writtenEnd);
      }
    } catch (err) {
      this.error = err;
      this.discard();
      this.hooks.onError(err);
    } finally {
      this.flushing = undefined;
    }
  }
}
