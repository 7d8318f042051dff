/**
 * S3Sink: an {@link OutputSink} that uploads to S3-compatible storage WHILE it records.
 *
 * Container bytes go append-only (async I/O) into a local spool file (`src/io/async-chunk-writer.ts`); each
 * ≥ 5 MiB part is uploaded from the spool as soon as it is complete on disk (`s3-spool-upload.ts`),
 * so a long recording is mostly in the bucket before it ends and memory stays flat (part bodies
 * are streamed from the file). Part 1 is held back until `finish()`: a seekable finish patches
 * the container header (WebM Duration/SeekHead, MP4 durations) in place, and those bytes live in
 * part 1. A patch that reaches an already uploaded part makes it be uploaded again. A recording
 * that stays within one part is one PutObject at the end.
 *
 * Why not `@aws-sdk/lib-storage`'s `Upload`: it reads one sequential stream and uploads each part
 * once, so it cannot hold part 1 back or replace a part a patch changed, cannot resume from a
 * sidecar after a process restart (it keeps the upload id and ETags in memory only), and it aborts
 * the multipart upload after its retries (a few seconds), where an outage of minutes must be
 * ridden out with the data safe in the spool. The five S3 calls it would make are made directly.
 *
 * Failures: every request is retried with backoff through an outage (`s3-retry.ts`, policy
 * `UploadPolicy`); meanwhile the spool keeps everything and `write()` never waits. When the
 * storage stays down past `maxOutageMs` (or refuses the request), `onFailure` gets an EgressError
 * `S3 upload failed: …; the recording is kept in <spool>`, the multipart upload is aborted (best
 * effort) and `finish()` rejects with the same error. The sidecar `<spool>.upload.json` (0600)
 * then holds no upload id, so `recoverS3Spool()` would upload the spool anew. After a clean
 * finish the sidecar and (unless `keepSpool`) the spool are removed.
 */
import { open, rm } from 'node:fs/promises';

import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Upload } from '@livekit/protocol';
import type { Logger } from 'pino';

import type { OutputChunk } from '../../core/recorder.js';
import { EgressError } from '../egress-error.js';
import type { UploadPolicy } from '../service-types.js';
import type { OutputSink, SinkOptions, SinkResult, SinkStats, UploadState } from './output-sink.js';
import { s3ClientFor } from './s3-client.js';
import { s3Location } from './s3-location.js';
import { S3Retrier } from './s3-retry.js';
import { MIN_PART_SIZE, SpoolUpload } from './s3-spool-upload.js';
import { AsyncChunkWriter } from '../../io/async-chunk-writer.js';

/** Options of {@link S3Sink.open}. */
export type S3SinkOptions = SinkOptions & {
  upload: S3Upload;
  /** Object key (also `filename`). */
  key: string;
  /** The container's MIME type: video/mp4, video/webm, audio/ogg. */
  contentType: string;
  /** Local spool file (created/truncated; its directory must exist). */
  spoolPath: string;
  policy?: UploadPolicy;
  logger?: Logger;
  /** Part size, bytes, ≥ 5 MiB. Default 5 MiB. */
  partSize?: number;
  /** Keep the spool after a successful upload (tests compare it with the object). Default false. */
  keepSpool?: boolean;
  /** A client to use instead of `s3ClientFor(upload)` (not destroyed by the sink). */
  client?: S3Client;
};

/**
 * The S3 output of one egress (see the top of this file).
 *
 * ```ts
 * const sink = await S3Sink.open({ upload, key: 'rec/a.webm', contentType: 'video/webm',
 *   spoolPath: '/var/spool/te/EG_x.webm', onFailure: (e) => job.fail(e) });
 * sink.write(recorder.read());              // as output comes; parts upload meanwhile
 * sink.write(recorder.finish());
 * const { size, location } = await sink.finish();
 * ```
 */
export class S3Sink implements OutputSink {
  readonly filename: string;
  readonly spoolPath: string;
  private bytesWritten = 0;
  private failure: EgressError | undefined;
  private finished = false;
  private aborted = false;
  private finishing: Promise<unknown> | undefined;
  private complete = false;
  private pumping: Promise<void> | undefined;
  private aborting: Promise<boolean> | undefined;
  /** Bumped per part when a patch changes it (an upload in flight then does not count). */
  private readonly generation = new Map<number, number>();
  private readonly abortController = new AbortController();
  private readonly retry: S3Retrier;
  private readonly spool: AsyncChunkWriter;
  private readonly up: SpoolUpload;

  private constructor(
    fh: Awaited<ReturnType<typeof open>>,
    private readonly opts: S3SinkOptions,
    private readonly client: S3Client,
  ) {
    this.filename = opts.key;
    this.spoolPath = opts.spoolPath;
    const u = opts.upload;
    this.retry = new S3Retrier(opts.policy, {
      secrets: [u.accessKey, u.secret, u.sessionToken, u.proxy?.password ?? ''],
      signal: this.abortController.signal,
      ...(opts.logger ? { logger: opts.logger } : {}),
      context: `s3://${u.bucket}/${opts.key}`,
    });
    this.up = new SpoolUpload(client, this.retry, opts.spoolPath, {
      version: 1,
      upload: u.toJson(),
      key: opts.key,
      contentType: opts.contentType,
      partSize: opts.partSize ?? MIN_PART_SIZE,
    });
    this.spool = new AsyncChunkWriter(fh, {
      beforePatch: (start, end) => this.beforePatch(start, end),
      onWritten: () => this.kick(),
      onError: (err) => {
        const code = (err as NodeJS.ErrnoException).code;
        const full = code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG';
        this.fail(new EgressError(full ? 'resource_exhausted' : 'internal', `S3 upload failed: cannot write the spool ${opts.spoolPath}: ${(err as Error).message}`, { cause: err }));
      },
    });
  }

  /**
   * Creates the spool (and its sidecar) and returns the sink; nothing is sent to the storage yet.
   * @throws EgressError `invalid_argument` (bad part size or proxy), `internal` (spool not writable).
   */
  static async open(opts: S3SinkOptions): Promise<S3Sink> {
    if (opts.partSize !== undefined && !(opts.partSize >= MIN_PART_SIZE)) {
      throw new EgressError('invalid_argument', `S3 part size must be at least ${MIN_PART_SIZE} bytes`);
    }
    const client = opts.client ?? s3ClientFor(opts.upload, opts.policy);
    let fh;
    try {
      fh = await open(opts.spoolPath, 'w+', 0o600);
    } catch (err) {
      if (!opts.client) client.destroy();
      throw new EgressError('internal', `cannot create the spool ${opts.spoolPath}: ${(err as Error).message}`, { cause: err });
    }
    const sink = new S3Sink(fh, opts, client);
    await sink.up.save();
    return sink;
  }

  write(chunks: readonly OutputChunk[]): void {
    if (this.finished) return; // after finish()/abort(): nothing more goes to the spool
    for (const c of chunks) this.bytesWritten += c.size;
    this.spool.write(chunks); // also after an upload failure: the spool keeps the recording
  }

  async finish(): Promise<SinkResult> {
    if (this.finished) throw new EgressError('failed_precondition', `S3 sink ${this.filename}: already finished`);
    this.finished = true;
    const done = this.finishUpload();
    this.finishing = done.catch(() => {});
    try {
      return await done;
    } finally {
      if (!this.aborted) this.destroyClient();
    }
  }

  private async finishUpload(): Promise<SinkResult> {
    try {
      await this.spool.drain().catch(() => {}); // a write error already went to fail()
      await this.spool.close();
      while (this.pumping) await this.pumping;
      if (this.failure) throw this.failure;
      const size = this.spool.writtenEnd;
      await this.up.complete(size);
      this.complete = true;
      if (!this.opts.keepSpool) await rm(this.spoolPath, { force: true });
      this.opts.logger?.info({ key: this.filename, size, parts: Math.max(1, Math.ceil(size / this.up.partSize)), retries: this.retry.retries }, 'S3 upload complete');
      return { size, location: s3Location(this.opts.upload, this.opts.key) };
    } catch (err) {
      if (this.aborted) throw new EgressError('unavailable', `S3 upload aborted; the recording is kept in ${this.spoolPath}`, { cause: err });
      if (!(err instanceof EgressError)) this.fail(new EgressError('internal', `S3 upload failed: ${(err as Error).message}; the recording is kept in ${this.spoolPath}`));
      else if (err !== this.failure) this.fail(err);
      // The abort at the failure may have met the storage still down: one more try now.
      if (!(await this.aborting)) await this.up.abort();
      throw this.failure!;
    }
  }

  async abort(): Promise<void> {
    if (this.aborted || this.complete) return;
    this.aborted = true;
    this.finished = true;
    this.abortController.abort(new Error('S3 sink aborted'));
    await this.spool.close();
    await this.pumping?.catch(() => {});
    await this.finishing;
    if (this.complete) return; // the finish it interrupted had just completed
    await (this.aborting ??= this.up.abort());
    this.destroyClient();
  }

  private destroyClient(): void {
    if (!this.opts.client) this.client.destroy();
  }

  stats(): SinkStats {
    let uploadState: UploadState = 'uploading';
    if (this.failure) uploadState = 'failed';
    else if (this.complete) uploadState = 'complete';
    else if (this.retry.outageSince !== undefined) uploadState = 'retrying';
    return {
      bytesWritten: this.bytesWritten,
      bytesUploaded: this.complete ? this.spool.writtenEnd : this.up.bytesUploaded,
      uploadRetries: this.retry.retries,
      uploadState,
      queuedBytes: this.spool.queuedBytes,
    };
  }

  /** Parts 2.. that are complete on disk and not in the bucket: upload them, one at a time, in order. */
  private kick(): void {
    if (this.pumping || this.failure || this.abortController.signal.aborted) return;
    this.pumping = this.pump().finally(() => (this.pumping = undefined));
  }

  private async pump(): Promise<void> {
    const P = this.up.partSize;
    try {
      for (;;) {
        if (this.failure || this.abortController.signal.aborted) return;
        const full = Math.floor(this.spool.writtenEnd / P);
        let n = 2;
        while (n <= full && this.up.parts.has(n)) n++;
        if (n > full) return;
        const gen = this.generation.get(n) ?? 0;
        await this.up.uploadPart(n, (n - 1) * P, n * P, () => (this.generation.get(n) ?? 0) === gen);
      }
    } catch (err) {
      if (this.abortController.signal.aborted) return;
      this.fail(err instanceof EgressError ? err : new EgressError('internal', `S3 upload failed: ${(err as Error).message}`, { cause: err }));
    }
  }

  /** A patch of [start, end): forget (and record that) every part it touches before it is written. */
  private async beforePatch(start: number, end: number): Promise<void> {
    const P = this.up.partSize;
    const touched: number[] = [];
    for (let n = Math.floor(start / P) + 1; n <= Math.ceil(end / P); n++) {
      this.generation.set(n, (this.generation.get(n) ?? 0) + 1);
      touched.push(n);
    }
    await this.up.invalidate(touched);
  }

  /** Reports the failure once, with the spool's path; aborts the multipart upload (best effort). */
  private fail(error: EgressError): void {
    if (this.failure) return;
    const msg = error.message.includes(this.spoolPath) ? error.message : `${error.message}; the recording is kept in ${this.spoolPath}`;
    this.failure = new EgressError(error.twirpCode, msg, { cause: error.cause });
    this.opts.logger?.error({ key: this.filename, error: msg }, 'S3 upload failed');
    this.aborting ??= this.up.abort();
    this.opts.onFailure(this.failure);
  }
}
