/**
 * Finishing the S3 upload of a spool that a killed process left behind (the service calls this at
 * start for every `<spool>.upload.json` it finds). The sidecar says where the object goes (with
 * the credentials), the multipart upload id and the parts already in the bucket; what the bucket
 * lacks is uploaded from the spool and the object completed — as it was at the kill: a crash-safe
 * container (fragmented MP4, live WebM, Ogg) that plays up to about a second before it, without
 * the index a clean finish adds. An upload id the storage no longer knows (aborted, expired by a
 * lifecycle rule) starts a new upload from the spool. On success the sidecar and the spool are
 * removed.
 */
import { rm, stat } from 'node:fs/promises';

import { ListPartsCommand } from '@aws-sdk/client-s3';
import { S3Upload } from '@livekit/protocol';
import type { Logger } from 'pino';

import { EgressError } from '../egress-error.js';
import type { SinkResult } from './output-sink.js';
import { s3ClientFor } from './s3-client.js';
import { s3Location } from './s3-location.js';
import { S3Retrier, httpStatusOf } from './s3-retry.js';
import { SpoolUpload, readUploadRecord } from './s3-spool-upload.js';
import type { UploadPolicy } from '../service-types.js';

/**
 * Completes the upload of the spool at `spoolPath` from its sidecar; returns the object's size and
 * location. An empty (or missing) spool aborts the multipart upload instead and returns
 * `{ size: 0, location: '' }`.
 * @throws EgressError `not_found` (no sidecar), `unavailable` / `invalid_argument`
 *   (`S3 upload failed: …`, the spool and sidecar are kept for a later attempt).
 */
export async function recoverS3Spool(spoolPath: string, logger?: Logger, policy?: UploadPolicy): Promise<SinkResult> {
  const record = await readUploadRecord(spoolPath);
  const size = await stat(spoolPath).then((s) => s.size, () => 0);
  const u = S3Upload.fromJson(record.upload as never);
  const client = s3ClientFor(u, policy);
  const retry = new S3Retrier(policy, {
    secrets: [u.accessKey, u.secret, u.sessionToken, u.proxy?.password ?? ''],
    signal: new AbortController().signal,
    ...(logger ? { logger } : {}),
    context: `recover s3://${u.bucket}/${record.key}`,
  });
  const up = new SpoolUpload(client, retry, spoolPath, record);
  try {
    if (size === 0) {
      if (!(await up.abort())) throw new EgressError('unavailable', `S3 upload failed: cannot abort the multipart upload of ${spoolPath} now (storage unreachable); the record is kept`);
      await up.removeRecord();
      await rm(spoolPath, { force: true });
      logger?.info({ spoolPath, key: record.key }, 'empty S3 spool: multipart upload aborted');
      return { size: 0, location: '' };
    }
    if (up.uploadId) {
      const uploadId = up.uploadId;
      try {
        // The bucket's view wins: only parts it lists (with the recorded size) are kept.
        const inBucket = new Map<number | undefined, number | undefined>();
        for (let marker: string | undefined, more = true; more; ) {
          const page = await retry.run('ListParts', (abortSignal) =>
            client.send(new ListPartsCommand({ Bucket: u.bucket, Key: record.key, UploadId: uploadId, PartNumberMarker: marker }), { abortSignal }),
          );
          for (const p of page.Parts ?? []) inBucket.set(p.PartNumber, p.Size);
          more = !!page.IsTruncated && !!page.NextPartNumberMarker;
          marker = page.NextPartNumberMarker;
        }
        for (const [n, p] of [...up.parts]) if (inBucket.get(n) !== p.size) up.parts.delete(n);
      } catch (err) {
        if (httpStatusOf((err as Error).cause) !== 404 && !/NoSuchUpload/.test((err as Error).message)) throw err;
        up.uploadId = undefined; // the storage forgot it: start over
        up.parts.clear();
      }
    }
    await up.complete(size);
    await rm(spoolPath, { force: true });
    logger?.info({ spoolPath, key: record.key, size }, 'S3 spool recovered');
    return { size, location: s3Location(u, record.key) };
  } finally {
    client.destroy();
  }
}
