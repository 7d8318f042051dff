/**
 * FileSink: an {@link OutputSink} that writes container output into a local file with async I/O
 * (fs/promises FileHandle.writev), for the service path where many recordings share one event loop.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

import type { OutputChunk } from '../../core/recorder.js';
import { AsyncChunkWriter } from '../../io/async-chunk-writer.js';
import { EgressError } from '../egress-error.js';
import type { OutputSink, SinkOptions, SinkResult, SinkStats } from './output-sink.js';

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

/**
 * Writes each chunk at its offset (appends while recording, positioned patches at a seekable
 * finish) through an {@link AsyncChunkWriter}: `write()` only queues; one writev batch is in
 * flight at a time, so the data reaches the OS page cache within milliseconds of `write()` (a
 * `kill -9` of the process loses nothing handed over). An fs error (ENOSPC, EIO, …) is reported once through
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
  private readonly writer: AsyncChunkWriter;
  private bytesWritten = 0;
  private end = 0;
  private failure: EgressError | undefined;
  private closed = false;
  private readonly maxQueuedBytes: number;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    private readonly opts: FileSinkOptions,
  ) {
    this.filename = opts.filename ?? path;
    this.maxQueuedBytes = opts.maxQueuedBytes ?? 64 * 1024 * 1024;
    this.writer = new AsyncChunkWriter(fh, { onError: (e) => this.fail(fsError(path, e)) });
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
      this.bytesWritten += c.size;
      if (c.size) this.end = Math.max(this.end, c.offset + c.size);
    }
    this.writer.write(chunks);
    if (this.writer.queuedBytes > this.maxQueuedBytes) {
      this.fail(new EgressError('resource_exhausted', `local file ${this.path}: the disk does not keep up (${this.writer.queuedBytes} bytes waiting)`));
    }
  }

  async finish(): Promise<SinkResult> {
    if (this.closed) throw new EgressError('failed_precondition', `local file ${this.path}: sink already finished`);
    await this.writer.drain().catch(() => {}); // an fs error arrives through onError
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
    this.writer.discard();
    await this.writer.close();
  }

  stats(): SinkStats {
    return {
      bytesWritten: this.bytesWritten,
      bytesUploaded: 0,
      uploadRetries: 0,
      uploadState: this.failure ? 'failed' : 'local',
      queuedBytes: this.writer.queuedBytes,
    };
  }

  private fail(error: EgressError): void {
    if (this.failure) return;
    this.failure = error;
    this.writer.discard();
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
