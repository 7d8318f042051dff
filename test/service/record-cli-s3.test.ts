/**
 * `track-egress record -o s3://bucket/key` against a real livekit-server and a real MinIO: the
 * credentials come from the AWS environment variables, the object is in the bucket when the job
 * is COMPLETE, its size is FileInfo.size, and it decodes.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decoderErrors } from '../support/ffmpeg.js';
import { useLiveKitTestBed } from '../support/livekit-testbed.js';
import { startMinio, type TestMinio } from '../support/minio.js';

const bed = useLiveKitTestBed('livekit-record-cli-s3');
let minio: TestMinio;
beforeAll(async () => {
  minio = await startMinio();
});
afterAll(async () => {
  await minio?.close();
});

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('track-egress record -o s3://… (real LiveKit server, real MinIO)', () => {
  it('uploads an Opus track as .ogg; FileInfo.size is the object size; the object decodes; no secret printed', async () => {
    const bucket = await minio.bucket('record-cli');
    const publisher = await bed.publisher('record-cli-s3', 'alice');
    const audio = await publisher.publishAudio();
    const r = await runCli(
      ['record', '--url', bed.server.url, '--api-key', bed.server.apiKey, '--api-secret', bed.server.apiSecret, '--room', 'record-cli-s3',
        '--track', audio.sid, '--duration', '3', '-o', `s3://${bucket}/cli/{track_id}.ogg`, '--s3-endpoint', minio.endpoint, '--s3-force-path-style'],
      { AWS_ACCESS_KEY_ID: minio.accessKey, AWS_SECRET_ACCESS_KEY: minio.secretKey },
    );
    expect(r.code, r.err).toBe(0);
    const info = JSON.parse(r.out) as { status: string; fileResults: { filename: string; size: string; location: string }[] };
    expect(info.status).toBe('EGRESS_COMPLETE');
    const key = `cli/${audio.sid}.ogg`;
    expect(info.fileResults[0]!.filename).toBe(key);
    const head = await minio.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(String(head.ContentLength)).toBe(info.fileResults[0]!.size);
    const body = await (await minio.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray();
    const file = join(bed.dir, 'from-minio.ogg');
    writeFileSync(file, body);
    expect(decoderErrors(file)).toBe('');
    expect(r.out + r.err).not.toContain(minio.secretKey);
  });
});
