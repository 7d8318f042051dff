/**
 * FileSink: an {@link OutputSink} that writes container output into a local file with async I/O
 * (fs/promises FileHandle.writev), for the service path where many recordings share one event loop.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

import type { OutputChunk } from '../../core/recorder.js';
import { viewsAfter } from '../../io/chunk-file-writer.js';
import { EgressError } from '../egress-error.js';
import type { OutputSink, SinkOptions, SinkResult, SinkStats } from './output-sink.js';

/** writev takes at most IOV_MAX (1024) buffers per call. */
const IOV_MAX = 1024;

/** Options of {@link FileSink.open}. */
export type FileSinkOptions = SinkOptions & {
  /** `FileInfo.filename` (the path as the request named it). Default: the path. */
  filename?: string;
  /**
   * Most bytes that may wait in memory for a disk that does not keep up; past it the sink fails
   * (`resource_exhausted`) instead of growing without bound. Default 64 MiB.
   */
  maxQueuedBytes?: number;
};

/** One positioned write: views of consecutive bytes starting at `offset`. */
type Run = { offset: number; data: Uint8Array[]; size: number };

/**
 * Writes each chunk at its offset (appends while recording, positioned patches at a seekable
 * finish) with async writev. `write()` only queues; one writev batch is in flight at a time and
 * takes everything queued meanwhile, so the data reaches the OS page cache within milliseconds of
 * `write()` (a `kill -9` of the process loses nothing handed over; fsync is not needed against a
 * process kill, only against a power loss). An fs error (ENOSPC, EIO, …) is reported once through
 * `onFailure`; later writes are dropped and `finish()` throws it. The file is created (truncated);
 * its directory must exist.
 *
 * ```ts
 * const sink = await FileSink.open('/rec/a.ogg', { onFailure: (e) => job.fail(e) });
 * sink.write(recorder.read());     // as output comes
 * sink.write(recorder.finish());
 * const { size, location } = await sink.finish();
 * ```
 */
export class FileSink implements OutputSink {
  readonly filename: string;
  private queue: Run[] = [];
  private queuedBytes = 0;
  private bytesWritten = 0;
  private end = 0;
  private flushing: Promise<void> | undefined;
  private failure: EgressError | undefined;
  private closed = false;
  private aborted = false;
  private readonly maxQueuedBytes: number;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    private readonly opts: FileSinkOptions,
  ) {
    this.filename = opts.filename ?? path;
    this.maxQueuedBytes = opts.maxQueuedBytes ?? 64 * 1024 * 1024;
  }

  /**
   * Creates (or truncates) the file at `path`.
   * @throws EgressError (`internal`, or `resource_exhausted` for a full disk) when it cannot be created.
   */
  static async open(path: string, opts: FileSinkOptions): Promise<FileSink> {
    try {
      return new FileSink(await open(path, 'w'), path, opts);
    } catch (e) {
      throw fsError(path, e);
    }
  }

  write(chunks: readonly OutputChunk[]): void {
    if (this.closed || this.failure || chunks.length === 0) return;
    for (const c of chunks) {
      if (c.size === 0) continue;
      const last = this.queue[this.queue.length - 1];
      // Consecutive appends join one run (one writev); a patch starts its own.
      if (last && last.offset + last.size === c.offset) {
        last.data.push(...c.data);
        last.size += c.size;
      } else this.queue.push({ offset: c.offset, data: [...c.data], size: c.size });
      this.queuedBytes += c.size;
      this.bytesWritten += c.size;
      this.end = Math.max(this.end, c.offset + c.size);
    }
    if (this.queuedBytes > this.maxQueuedBytes) {
      this.fail(new EgressError('resource_exhausted', `local file ${this.path}: the disk does not keep up (${this.queuedBytes} bytes waiting)`));
      return;
    }
    this.kick();
  }

  async finish(): Promise<SinkResult> {
    if (this.closed) throw new EgressError('failed_precondition', `local file ${this.path}: sink already finished`);
    await this.drain();
    this.closed = true;
    try {
      await this.fh.close();
    } catch (e) {
      this.failure ??= fsError(this.path, e);
    }
    if (this.failure) throw this.failure;
    return { size: this.end, location: this.path };
  }

  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.aborted = true;
    this.queue = [];
    this.queuedBytes = 0;
    await this.drain();
    await this.fh.close().catch(() => {});
  }

  stats(): SinkStats {
    return {
      bytesWritten: this.bytesWritten,
      bytesUploaded: 0,
      uploadRetries: 0,
      uploadState: this.failure ? 'failed' : 'local',
      queuedBytes: this.queuedBytes,
    };
  }

  /** Waits until everything queued so far is written (or the sink failed). */
  private async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /**
   * Starts a flush when bytes wait and none is running. `flushing` is cleared in a `.finally`
   * (after the assignment, even if flush() ended synchronously: a settled promise left there would
   * make drain() spin on the microtask queue), and what was queued meanwhile is flushed next.
   */
  private kick(): void {
    if (this.flushing || this.queue.length === 0 || this.failure || this.aborted) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      this.kick();
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length && !this.failure) {
        const batch = this.queue;
        this.queue = [];
        for (const run of batch) {
          if (this.failure || this.aborted) break;
          await this.writeRun(run);
          this.queuedBytes -= run.size;
        }
      }
    } catch (e) {
      this.fail(fsError(this.path, e));
    }
  }

  /** One run at its offset: writev of ≤ IOV_MAX views, continuing after a short write. */
  private async writeRun(run: Run): Promise<void> {
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
  }

  private fail(error: EgressError): void {
    if (this.failure) return;
    this.failure = error;
    this.queue = [];
    this.queuedBytes = 0;
    this.opts.onFailure(error);
  }
}

/** An fs error as the egress error the job ends with: a full disk is `resource_exhausted`. */
function fsError(path: string, e: unknown): EgressError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const full = code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG';
  const msg = e instanceof Error ? e.message : String(e);
  return new EgressError(full ? 'resource_exhausted' : 'internal', `local file ${path}: ${msg}`, { cause: e });
}
