/**
 * S3Sink against a real MinIO (test/support/minio.ts), fed with real container bytes (a Recorder
 * on looped corpus streams): parts in the bucket before finish, the object equal to the spool byte
 * for byte and decodable with the seekable finish applied, object headers and tags, an outage of
 * 60 s ridden out, an outage past the limit failing with the multipart upload aborted and the
 * spool kept, a server restart mid-upload, and the recovery of a spool left by a killed process.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
} from '@aws-sdk/client-s3';
import type { CodecName } from '../../src/core/codec.js';
import { CODECS } from '../../src/core/codec.js';
import { EgressError } from '../../src/egress/egress-error.js';
import { S3Sink } from '../../src/egress/outputs/s3-sink.js';
import { ProxyConfig } from '@livekit/protocol';
import { recoverS3Spool } from '../../src/egress/outputs/s3-recover.js';
import { sidecarPath } from '../../src/egress/outputs/s3-spool-upload.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BACKEND } from '../support/backend.js';
import { decoderErrors, run } from '../support/ffmpeg.js';
import { startHttpProxy } from '../support/http-proxy.js';
import { startMinio, type TestMinio } from '../support/minio.js';
import { RecordingFeed } from '../support/recording-feed.js';

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let minio: TestMinio;
let bucket: string;
let dir: string;
let n = 0;

beforeAll(async () => {
  minio = await startMinio();
  bucket = await minio.bucket(`rec-${BACKEND}`);
  dir = mkdtempSync(join(tmpdir(), 'te-s3-sink-'));
});
afterAll(async () => {
  await minio?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A MinIO and the bucket written to: the file's shared one unless a test has its own. */
type Store = { minio: TestMinio; bucket: string };
const shared = (): Store => ({ minio, bucket });

async function objectBytes(key: string, at = shared()): Promise<Buffer> {
  const out = await at.minio.client.send(new GetObjectCommand({ Bucket: at.bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

async function listedParts(key: string, at = shared()): Promise<{ PartNumber?: number; Size?: number }[]> {
  const ups = await at.minio.client.send(new ListMultipartUploadsCommand({ Bucket: at.bucket, Prefix: key }));
  const id = ups.Uploads?.find((u) => u.Key === key)?.UploadId;
  if (!id) return [];
  return (await at.minio.client.send(new ListPartsCommand({ Bucket: at.bucket, Key: key, UploadId: id }))).Parts ?? [];
}

async function openUploads(key: string): Promise<number> {
  const ups = await minio.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
  return (ups.Uploads ?? []).filter((u) => u.Key === key).length;
}

async function waitFor(what: string, cond: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function probeDuration(file: string): number {
  const r = run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  return Number(r.stdout.trim());
}

/** Writes the object to a file and checks it decodes without a message; returns its path. */
async function checkDecodes(key: string, ext: string, at = shared()): Promise<string> {
  const file = join(dir, `${++n}-download${ext}`);
  writeFileSync(file, await objectBytes(key, at));
  expect(decoderErrors(file)).toBe('');
  return file;
}

type Opened = { sink: S3Sink; spool: string; key: string; failures: EgressError[] };

async function openSink(codec: CodecName, extra: Partial<Parameters<typeof S3Sink.open>[0]> = {}): Promise<Opened> {
  const key = `livekit-demo/${BACKEND}/track-${++n}${CODECS[codec].extension ?? ''}`;
  const spool = join(dir, `spool-${n}`);
  const failures: EgressError[] = [];
  const sink = await S3Sink.open({
    upload: minio.upload(bucket),
    key,
    contentType: CODECS[codec].mimeType,
    spoolPath: spool,
    keepSpool: true,
    onFailure: (e) => failures.push(e),
    ...extra,
  });
  return { sink, spool, key, failures };
}

/** A sink fed `mib` MiB of container output of `stream`, once part 2 is in the bucket. */
async function recordingWithPart2(stream: string, codec: CodecName, seconds: number, extra: Partial<Parameters<typeof S3Sink.open>[0]> = {}, at = shared()) {
  const feed = await RecordingFeed.create(stream, codec, seconds);
  const opened = await openSink(codec, { upload: at.minio.upload(at.bucket), ...extra });
  await feed.feedUntil(opened.sink, 11 * MiB);
  await waitFor('part 2', async () => (await listedParts(opened.key, at)).length >= 1);
  return { feed, ...opened };
}

/** The object equals the spool byte for byte and its size is the result's; returns the spool bytes. */
async function expectObjectIsSpool(key: string, spool: string, result: { size: number }, at = shared()): Promise<Buffer> {
  const spoolBytes = readFileSync(spool);
  expect(result.size).toBe(spoolBytes.length);
  expect((await objectBytes(key, at)).equals(spoolBytes)).toBe(true);
  return spoolBytes;
}

// Two suites that run at the same time (both `describe.concurrent` at the file's top level): the
// 60 s outage, which mostly waits, on a MinIO of its own, beside every other test, one at a time
// (`describe.sequential`) on the shared MinIO, whose proxy they cut and whose server they restart.
// One after the other they took ~106 s of CI time; side by side the file takes about the outage.
describe.concurrent(`S3Sink on MinIO (${BACKEND})`, () => {
  describe.sequential('one test at a time on the shared MinIO', () => {
    it('uploads parts while recording; the object equals the spool and decodes with its duration (H.264 → MP4)', async () => {
      const feed = await RecordingFeed.create('h264-ffmpeg', 'h264', 400);
      const upload = minio.upload(bucket, { metadata: { room: 'my-room', egress: 'EG_test' }, tagging: 'team=media&kind=track', contentDisposition: 'attachment; filename="t.mp4"' });
      const { sink, spool, key, failures } = await openSink('h264', { upload });
      const t0 = performance.now();
      await feed.feedUntil(sink, 16 * MiB, { pauseMs: 5 });
      // Parts 2 and 3 are in the bucket before finish; part 1 is held back for the finish patches.
      await waitFor('parts 2 and 3', async () => (await listedParts(key)).length >= 2);
      const before = await listedParts(key);
      expect(before.map((p) => p.PartNumber)).toEqual([2, 3]);
      expect(before.every((p) => p.Size === 5 * MiB)).toBe(true);
      const midStats = sink.stats();
      expect(midStats.bytesUploaded).toBe(10 * MiB);
      feed.finishInto(sink);
      const t1 = performance.now();
      const result = await sink.finish();
      const finishMs = performance.now() - t1;
      const spoolBytes = readFileSync(spool);
      expect(result.size).toBe(spoolBytes.length);
      expect(result.location).toBe(`${minio.endpoint}/${bucket}/${key}`);
      expect((await objectBytes(key)).equals(spoolBytes)).toBe(true);
      expect(failures).toEqual([]);
      expect(sink.stats()).toMatchObject({ uploadState: 'complete', bytesUploaded: spoolBytes.length, uploadRetries: 0, queuedBytes: 0 });
      const file = await checkDecodes(key, '.mp4');
      expect(probeDuration(file)).toBeGreaterThan(100);
      const head = await minio.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      expect(head).toMatchObject({ ContentType: 'video/mp4', ContentDisposition: 'attachment; filename="t.mp4"', Metadata: { room: 'my-room', egress: 'EG_test' } });
      const tags = await minio.client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
      expect(Object.fromEntries((tags.TagSet ?? []).map((t) => [t.Key, t.Value]))).toEqual({ team: 'media', kind: 'track' });
      expect(statSync(sidecarPath(spool), { throwIfNoEntry: false })).toBeUndefined();
      console.log(`[s3] h264 ${spoolBytes.length} B in ${Math.ceil(spoolBytes.length / (5 * MiB))} parts; recorded+uploaded in ${Math.round(t1 - t0)} ms, finish ${Math.round(finishMs)} ms`);
    }, 120_000);

    it('WebM (VP8): seekable finish patches reach the object; content type, inline disposition', async () => {
      const { feed, sink, spool, key } = await recordingWithPart2('vp8', 'vp8', 400);
      feed.finishInto(sink);
      const result = await sink.finish();
      const spoolBytes = await expectObjectIsSpool(key, spool, result);
      const file = await checkDecodes(key, '.webm');
      expect(probeDuration(file)).toBeGreaterThan(100);
      const head = await minio.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      expect(head).toMatchObject({ ContentType: 'video/webm', ContentDisposition: 'inline' });
    }, 120_000);

    it('a small recording is one PutObject at finish (Opus → Ogg)', async () => {
      const feed = await RecordingFeed.create('opus-stereo', 'opus', 20);
      const { sink, spool, key } = await openSink('opus');
      await feed.feedUntil(sink, Infinity);
      expect(await openUploads(key)).toBe(0);
      feed.finishInto(sink);
      const result = await sink.finish();
      expect(result.size).toBeLessThan(5 * MiB);
      expect((await objectBytes(key)).equals(readFileSync(spool))).toBe(true);
      await checkDecodes(key, '.ogg');
      const head = await minio.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      expect(head.ContentType).toBe('audio/ogg');
    });

    it('goes through the request\'s HTTP proxy with its credentials; a wrong password fails at once', async () => {
      const proxy = await startHttpProxy();
      try {
        const viaProxy = (password: string) =>
          minio.upload(bucket, { endpoint: minio.directEndpoint, proxy: new ProxyConfig({ url: proxy.url, username: proxy.username, password }) });
        const feed = await RecordingFeed.create('opus-stereo', 'opus', 20);
        const { sink, spool, key } = await openSink('opus', { upload: viaProxy(proxy.password) });
        await feed.feedUntil(sink, Infinity);
        feed.finishInto(sink);
        const result = await sink.finish();
        expect((await objectBytes(key)).equals(readFileSync(spool))).toBe(true);
        expect(result.location).toBe(`${minio.directEndpoint}/${bucket}/${key}`);
        const port = new URL(minio.directEndpoint).port;
        expect(proxy.log()).toContain(`PUT http://127.0.0.1:${port}/${bucket}/`);

        const bad = await openSink('opus', { upload: viaProxy('wrong-password') });
        const feed2 = await RecordingFeed.create('opus-stereo', 'opus', 5);
        await feed2.feedUntil(bad.sink, Infinity);
        feed2.finishInto(bad.sink);
        const err = await bad.sink.finish().then(() => undefined, (e: EgressError) => e);
        expect(err).toBeInstanceOf(EgressError);
        expect(err!.twirpCode).toBe('invalid_argument');
        expect(err!.message).toMatch(/^S3 upload failed: PutObject: .*HTTP 40[17]\]/); // tinyproxy answers a bad BasicAuth with 401
        expect(err!.message).not.toContain('wrong-password');
        expect(err!.message).not.toContain(minio.secretKey);
        expect(bad.failures).toEqual([err]);
      } finally {
        await proxy.stop();
      }
    });

    it('a patch of an uploaded part uploads that part again', async () => {
      const { feed, sink, spool, key } = await recordingWithPart2('h264-ffmpeg', 'h264', 300);
      // Positioned rewrite of bytes inside part 2 (the container's own bytes, shifted by one).
      const spoolNow = readFileSync(spool);
      const at = 6 * MiB + 1234;
      sink.write([{ offset: at, data: [spoolNow.subarray(at + 1, at + 101)], size: 100 }]);
      feed.finishInto(sink);
      await sink.finish();
      const spoolBytes = readFileSync(spool);
      expect(spoolBytes.subarray(at, at + 100).equals(spoolNow.subarray(at + 1, at + 101))).toBe(true);
      expect((await objectBytes(key)).equals(spoolBytes)).toBe(true);
    }, 120_000);

    it('abort() stops the upload: multipart aborted, spool and sidecar kept', async () => {
      const { sink, spool, key, failures } = await recordingWithPart2('h264-ffmpeg', 'h264', 300);
      await sink.abort();
      await sink.abort(); // idempotent
      expect(await openUploads(key)).toBe(0);
      expect(statSync(spool).size).toBeGreaterThanOrEqual(10 * MiB);
      expect(JSON.parse(readFileSync(sidecarPath(spool), 'utf8')).uploadId).toBeUndefined();
      expect(failures).toEqual([]);
    }, 60_000);

    it('an outage past maxOutageMs fails: onFailure, finish rejects, multipart aborted, spool kept', async () => {
      const { feed, sink, spool, key, failures } = await recordingWithPart2('h264-ffmpeg', 'h264', 500, { policy: { maxOutageMs: 3000, minRetryDelayMs: 100, maxRetryDelayMs: 500 } });
      minio.proxy.cut();
      await feed.feedUntil(sink, 16 * MiB);
      await waitFor('onFailure', () => failures.length > 0, 20_000);
      expect(failures).toHaveLength(1);
      expect(failures[0]).toBeInstanceOf(EgressError);
      expect(failures[0]!.twirpCode).toBe('unavailable');
      expect(failures[0]!.message).toMatch(/^S3 upload failed: storage unreachable for \d+ s \(limit 3 s\)/);
      expect(failures[0]!.message).toContain(spool);
      expect(failures[0]!.message).not.toContain(minio.secretKey);
      expect(sink.stats().uploadState).toBe('failed');
      minio.proxy.restore(); // the storage is back when the job ends: the abort gets through
      feed.finishInto(sink);
      await expect(sink.finish()).rejects.toBe(failures[0]);
      expect(await openUploads(key)).toBe(0);
      expect(statSync(spool).size).toBeGreaterThan(16 * MiB);
      // The sidecar remains without an upload id: a recovery uploads the spool anew.
      const side = JSON.parse(readFileSync(sidecarPath(spool), 'utf8'));
      expect(side.uploadId).toBeUndefined();
      const kept = readFileSync(spool);
      const recovered = await recoverS3Spool(spool);
      expect(recovered.size).toBe(kept.length);
      expect((await objectBytes(key)).equals(kept)).toBe(true);
      await checkDecodes(key, '.mp4');
    }, 120_000);

    it('resumes after the MinIO server is stopped and restarted mid-upload', async () => {
      const { feed, sink, spool, key, failures } = await recordingWithPart2('vp8', 'vp8', 500);
      await minio.stop();
      await feed.feedUntil(sink, 17 * MiB, { batch: 100, pauseMs: 50 });
      await sleep(3000);
      await minio.restart();
      feed.finishInto(sink);
      const result = await sink.finish();
      expect(failures).toEqual([]);
      await expectObjectIsSpool(key, spool, result);
      await checkDecodes(key, '.webm');
    }, 120_000);

    it('recoverS3Spool completes the upload of a sink dropped without finish (a killed process)', async () => {
      const feed = await RecordingFeed.create('h264-ffmpeg', 'h264', 400);
      const { sink, spool, key } = await openSink('h264');
      await feed.feedUntil(sink, 16 * MiB);
      await waitFor('parts 2 and 3', async () => (await listedParts(key)).length >= 2);
      await sleep(200); // the last writes reach the spool
      // "kill": the sink is dropped; no finish, no abort. The spool and sidecar are what is left.
      const side = JSON.parse(readFileSync(sidecarPath(spool), 'utf8'));
      expect(side.uploadId).toMatch(/.+/);
      expect(side.parts.map((p: { partNumber: number }) => p.partNumber)).toEqual([2, 3]);
      expect(statSync(sidecarPath(spool)).mode & 0o777).toBe(0o600);
      const spoolBytes = readFileSync(spool);
      const result = await recoverS3Spool(spool);
      expect(result.size).toBe(spoolBytes.length);
      expect(result.location).toBe(`${minio.endpoint}/${bucket}/${key}`);
      expect((await objectBytes(key)).equals(spoolBytes)).toBe(true);
      await checkDecodes(key, '.mp4');
      expect(statSync(spool, { throwIfNoEntry: false })).toBeUndefined();
      expect(statSync(sidecarPath(spool), { throwIfNoEntry: false })).toBeUndefined();
      void sink;
    }, 120_000);

    it('recoverS3Spool of an empty spool aborts the multipart upload', async () => {
      const { feed, spool, key, sink } = await recordingWithPart2('h264-ffmpeg', 'h264', 300);
      await sleep(200);
      writeFileSync(spool, ''); // what survived of the spool: nothing
      expect(await recoverS3Spool(spool)).toEqual({ size: 0, location: '' });
      expect(await openUploads(key)).toBe(0);
    }, 60_000);
  });
});

describe.concurrent(`S3Sink: a 60 s outage, on a MinIO of its own (${BACKEND})`, () => {
  let own: Store;
  beforeAll(async () => {
    const server = await startMinio();
    own = { minio: server, bucket: await server.bucket(`outage-${BACKEND}`) };
  });
  afterAll(async () => {
    await own?.minio.close();
  });

  it('rides out a 60 s storage outage mid-recording: COMPLETE, nothing lost', async () => {
    const { feed, sink, spool, key, failures } = await recordingWithPart2('h264-ffmpeg', 'h264', 500, {}, own);
    own.minio.proxy.cut();
    const cutAt = Date.now();
    await feed.feedUntil(sink, 22 * MiB, { batch: 100, pauseMs: 200 }); // parts 3, 4 fill while the storage is down
    let retrying = false;
    do { // at least one look, even when feeding took the whole minute (a loaded machine)
      retrying ||= sink.stats().uploadState === 'retrying';
      await sleep(500);
    } while (Date.now() - cutAt < 60_000);
    expect(retrying).toBe(true);
    own.minio.proxy.restore();
    feed.finishInto(sink);
    const result = await sink.finish();
    expect(failures).toEqual([]);
    const spoolBytes = await expectObjectIsSpool(key, spool, result, own);
    expect(sink.stats().uploadRetries).toBeGreaterThan(5);
    const file = await checkDecodes(key, '.mp4', own);
    expect(probeDuration(file)).toBeGreaterThan(150);
    console.log(`[s3] outage 60 s: ${sink.stats().uploadRetries} retries, ${spoolBytes.length} B complete`);
  }, 150_000);
});
