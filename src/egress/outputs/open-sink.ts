/**
 * Where one egress's container goes, and the sink that writes it: a local file under the
 * recordings root ({@link FileSink}) or an object in S3-compatible storage (`S3Sink`, uploading a
 * local spool while it records). Also writes the `<egress_id>.json` manifest next to the media.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import type { S3Upload } from '@livekit/protocol';
import type { Logger } from 'pino';

import type { UploadPolicy } from '../service-types.js';
import { FileSink } from './file-sink.js';
import type { OutputSink, SinkOptions, SinkResult } from './output-sink.js';

/** The resolved destination of one egress. */
export type OutputTarget =
  | {
      kind: 'local';
      /** `FileInfo.filename`: the templated path as the request named it. */
      filename: string;
      /** Absolute path under the recordings root. */
      path: string;
    }
  | {
      kind: 's3';
      upload: S3Upload;
      /** Object key (= `FileInfo.filename`). */
      key: string;
      /** Local spool file the object is uploaded from while it records. */
      spoolPath: string;
      policy?: UploadPolicy;
    };

/** A sink and how to put the manifest next to what it writes. */
export type OpenedOutput = {
  sink: OutputSink;
  /** Stores the manifest at `filename` (local: under the root; S3: object key); returns its location. */
  writeManifest(filename: string, json: string): Promise<string>;
};

// The S3 modules load on first use (a local-only service never loads the AWS SDK).
const s3Modules = () => Promise.all([import('./s3-sink.js'), import('./s3-client.js'), import('./s3-location.js')]);

/**
 * Opens the sink of `target`; creates missing directories.
 * @param contentType The container's MIME type (`CODECS[codec].mimeType`).
 * @throws EgressError when the file, spool or upload cannot be started.
 */
export async function openSink(target: OutputTarget, contentType: string, opts: SinkOptions & { logger?: Logger }): Promise<OpenedOutput> {
  if (target.kind === 'local') {
    await mkdir(dirname(target.path), { recursive: true });
    const sink = await FileSink.open(target.path, { onFailure: opts.onFailure, filename: target.filename });
    return {
      sink,
      async writeManifest(filename, json) {
        const path = `${dirname(target.path)}/${filename.split('/').pop()}`;
        await writeFile(path, json);
        return path;
      },
    };
  }
  await mkdir(dirname(target.spoolPath), { recursive: true });
  const [{ S3Sink }, { s3ClientFor }, { s3Location }] = await s3Modules();
  const sink = await S3Sink.open({ upload: target.upload, key: target.key, contentType, spoolPath: target.spoolPath,
    policy: target.policy, logger: opts.logger, onFailure: opts.onFailure });
  return {
    sink,
    async writeManifest(key, json) {
      const { PutObjectCommand } = await import('@aws-sdk/client-s3');
      const client = s3ClientFor(target.upload, target.policy);
      try {
        await client.send(new PutObjectCommand({ Bucket: target.upload.bucket, Key: key, Body: json, ContentType: 'application/json' }));
      } finally {
        client.destroy();
      }
      return s3Location(target.upload, key);
    },
  };
}

/** Finishes the multipart upload of an S3 spool a killed process left (see `./s3-recover.js`). */
export async function recoverS3Spool(spoolPath: string, logger?: Logger, policy?: UploadPolicy): Promise<SinkResult> {
  const m = await import('./s3-recover.js');
  return m.recoverS3Spool(spoolPath, logger, policy);
}
