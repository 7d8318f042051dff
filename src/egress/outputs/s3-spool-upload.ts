/**
 * The multipart upload of one spool file, and its sidecar `<spool>.upload.json` (mode 0600) that
 * lets a restarted process finish it (`s3-recover.ts`). Shared by the S3 sink (parts uploaded while
 * recording) and the recovery (everything at once).
 *
 * Parts have a fixed size (`partSize`, ≥ 5 MiB, the S3 minimum for all parts but the last), so part
 * n always covers spool bytes [(n-1)·partSize, n·partSize): a positioned patch maps to the parts it
 * touches, and the sidecar only needs part numbers and ETags. Bodies are streamed from the spool
 * file (never held in memory). The sidecar holds the credentials (it is what recovery needs): it
 * is written owner-only and deleted as soon as the upload is complete.
 */
import { createReadStream } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';

import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { S3Upload } from '@livekit/protocol';

import { EgressError } from '../egress-error.js';
import type { S3Retrier } from './s3-retry.js';

/** The S3 minimum size of every part but the last. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;

/** Contents of `<spoolPath>.upload.json`. */
export type UploadRecord = {
  version: 1;
  /** The request's S3Upload as protobuf JSON (with credentials: recovery needs them). */
  upload: unknown;
  key: string;
  contentType: string;
  partSize: number;
  /** Set once CreateMultipartUpload answered; absent for a single PutObject / nothing started. */
  uploadId?: string;
  /** Parts in the bucket that still match the spool. */
  parts: { partNumber: number; etag: string; size: number }[];
};

export const sidecarPath = (spoolPath: string): string => `${spoolPath}.upload.json`;

/** Reads a sidecar. @throws EgressError `not_found` when there is none, `internal` when unreadable. */
export async function readUploadRecord(spoolPath: string): Promise<UploadRecord> {
  let text: string;
  try {
    text = await readFile(sidecarPath(spoolPath), 'utf8');
  } catch (err) {
    throw new EgressError('not_found', `no S3 upload record ${sidecarPath(spoolPath)}`, { cause: err });
  }
  const rec = JSON.parse(text) as UploadRecord;
  if (rec.version !== 1 || typeof rec.key !== 'string' || !Array.isArray(rec.parts) || !(rec.partSize >= MIN_PART_SIZE)) {
    throw new EgressError('internal', `${sidecarPath(spoolPath)} is not an upload record this version understands`);
  }
  return rec;
}

/** Request fields every object gets (LiveKit's: ContentType, Metadata, Tagging, ContentDisposition default `inline`). */
function objectFields(upload: S3Upload, key: string, contentType: string) {
  return {
    Bucket: upload.bucket,
    Key: key,
    ContentType: contentType,
    ContentDisposition: upload.contentDisposition || 'inline',
    ...(Object.keys(upload.metadata).length ? { Metadata: { ...upload.metadata } } : {}),
    ...(upload.tagging ? { Tagging: upload.tagging } : {}),
  };
}

/**
 * One object's multipart upload from a spool file, with its sidecar: `uploadPart` while recording,
 * `complete(size)` at the end (or in recovery), `abort()` on failure. Every request goes through
 * the given {@link S3Retrier}.
 */
export class SpoolUpload {
  readonly upload: S3Upload;
  readonly parts = new Map<number, { etag: string; size: number }>();
  uploadId: string | undefined;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    readonly client: S3Client,
    readonly retry: S3Retrier,
    readonly spoolPath: string,
    readonly record: Omit<UploadRecord, 'parts' | 'uploadId'> & { uploadId?: string; parts?: UploadRecord['parts'] },
  ) {
    this.upload = S3Upload.fromJson(record.upload as never);
    this.uploadId = record.uploadId;
    for (const p of record.parts ?? []) this.parts.set(p.partNumber, { etag: p.etag, size: p.size });
  }

  get partSize(): number {
    return this.record.partSize;
  }

  /** Bytes of the parts in the bucket. */
  get bytesUploaded(): number {
    let n = 0;
    for (const p of this.parts.values()) n += p.size;
    return n;
  }

  /** Writes the sidecar (0600, via a temp file and rename); calls are serialised, the last state wins. */
  save(): Promise<void> {
    const rec: UploadRecord = {
      version: 1,
      upload: this.record.upload,
      key: this.record.key,
      contentType: this.record.contentType,
      partSize: this.partSize,
      ...(this.uploadId ? { uploadId: this.uploadId } : {}),
      parts: [...this.parts].sort((a, b) => a[0] - b[0]).map(([partNumber, p]) => ({ partNumber, ...p })),
    };
    const path = sidecarPath(this.spoolPath);
    this.saving = this.saving.catch(() => {}).then(async () => {
      await writeFile(`${path}.tmp`, JSON.stringify(rec), { mode: 0o600 });
      await rename(`${path}.tmp`, path);
    });
    return this.saving;
  }

  /** Removes the sidecar (after completion). */
  async removeRecord(): Promise<void> {
    await this.saving.catch(() => {});
    await rm(sidecarPath(this.spoolPath), { force: true });
  }

  /** CreateMultipartUpload once (recorded in the sidecar). */
  async start(): Promise<string> {
    if (this.uploadId) return this.uploadId;
    const { upload, record } = this;
    const out = await this.retry.run('CreateMultipartUpload', (abortSignal) =>
      this.client.send(new CreateMultipartUploadCommand(objectFields(upload, record.key, record.contentType)), { abortSignal }),
    );
    if (!out.UploadId) throw new EgressError('internal', 'S3 upload failed: CreateMultipartUpload returned no UploadId');
    this.uploadId = out.UploadId;
    await this.save();
    return this.uploadId;
  }

  /**
   * Uploads spool bytes [start, end) as part `n`. `stillValid()` is asked when it answered: false
   * (a patch touched the part meanwhile) leaves the part out, to be uploaded again.
   */
  async uploadPart(n: number, start: number, end: number, stillValid: () => boolean = () => true): Promise<void> {
    const uploadId = await this.start();
    const out = await this.retry.run(`UploadPart ${n}`, (abortSignal) =>
      this.client.send(
        new UploadPartCommand({
          Bucket: this.upload.bucket,
          Key: this.record.key,
          UploadId: uploadId,
          PartNumber: n,
          ContentLength: end - start,
          Body: createReadStream(this.spoolPath, { start, end: end - 1, highWaterMark: 256 * 1024 }),
        }),
        { abortSignal },
      ),
    );
    if (!stillValid()) return;
    this.parts.set(n, { etag: out.ETag ?? '', size: end - start });
    await this.save();
  }

  /** Forgets parts (a patch changed their bytes); the sidecar is saved before the patch is written. */
  async invalidate(partNumbers: readonly number[]): Promise<void> {
    let changed = false;
    for (const n of partNumbers) changed = this.parts.delete(n) || changed;
    if (changed) await this.save();
  }

  /**
   * Uploads what the bucket lacks of a spool of `size` bytes and completes the object: one
   * PutObject when it fits in one part and no multipart upload was started, else the missing parts
   * then CompleteMultipartUpload. Removes the sidecar.
   */
  async complete(size: number): Promise<void> {
    const P = this.partSize;
    if (!this.uploadId && size <= P) {
      const { upload, record } = this;
      await this.retry.run('PutObject', (abortSignal) =>
        this.client.send(
          new PutObjectCommand({
            ...objectFields(upload, record.key, record.contentType),
            ContentLength: size,
            Body: size ? createReadStream(this.spoolPath, { start: 0, end: size - 1, highWaterMark: 256 * 1024 }) : Buffer.alloc(0),
          }),
          { abortSignal },
        ),
      );
    } else {
      const count = Math.max(1, Math.ceil(size / P));
      for (const n of this.parts.keys()) if (n > count) this.parts.delete(n);
      for (let n = 1; n <= count; n++) {
        const want = Math.min(size, n * P) - (n - 1) * P;
        if (this.parts.get(n)?.size !== want) await this.uploadPart(n, (n - 1) * P, (n - 1) * P + want);
      }
      const uploadId = this.uploadId!;
      const parts = [...this.parts].sort((a, b) => a[0] - b[0]).map(([PartNumber, p]) => ({ PartNumber, ETag: p.etag }));
      await this.retry.run('CompleteMultipartUpload', (abortSignal) =>
        this.client.send(
          new CompleteMultipartUploadCommand({ Bucket: this.upload.bucket, Key: this.record.key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
          { abortSignal },
        ),
      );
    }
    await this.removeRecord();
  }

  /**
   * AbortMultipartUpload, one attempt (best effort: the storage may be the thing that is down).
   * On success the upload id and parts are forgotten in the sidecar, so a later recovery starts a
   * new upload from the spool; on failure they stay (a later abort or recovery can use them).
   * @returns whether no multipart upload is left open.
   */
  async abort(): Promise<boolean> {
    const uploadId = this.uploadId;
    if (!uploadId) return true;
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.upload.bucket, Key: this.record.key, UploadId: uploadId }), {
        abortSignal: AbortSignal.timeout(10_000),
      });
    } catch {
      return false;
    }
    this.uploadId = undefined;
    this.parts.clear();
    await this.save().catch(() => {});
    return true;
  }
}
