// The acceptance path, end to end with real components only: LiveKit's official
// `EgressClient` (livekit-server-sdk, unmodified) calls our Twirp API; the EgressService joins a
// real livekit-server, records a track published by @livekit/rtc-node, and writes it to a real
// MinIO while it records (or to the local root); our webhooks are checked with the official
// `WebhookReceiver`. ffmpeg decodes every output.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { DirectFileOutput, EgressInfo, EgressStatus } from '@livekit/protocol';
import { EgressClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startApiServer } from '../../src/api/api-server.js';
import { WebhookNotifier } from '../../src/api/webhook-notifier.js';
import { EgressService } from '../../src/egress/egress-service.js';
import { decoderErrors } from '../support/ffmpeg.js';
import { startWebhookSink, type WebhookSink } from '../support/webhook-sink.js';
import { useLiveKitTestBed } from '../support/livekit-testbed.js';
import { startMinio, type TestMinio } from '../support/minio.js';

const bed = useLiveKitTestBed('egress-client');
const BUCKET = 'egress-e2e';

let minio: TestMinio;
let s3: S3Client;
let service: EgressService;
let api: { port: number; close(): Promise<void> };
let notifier: WebhookNotifier;
let hooks: WebhookSink;

beforeAll(async () => {
  minio = await startMinio();
  s3 = minio.client;
  await minio.bucket(BUCKET);
  // Public read, so that FileInfo.location can be opened with a plain GET.
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: BUCKET,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: ['*'] }, Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${BUCKET}/*`] }],
      }),
    }),
  );
  hooks = await startWebhookSink(bed.server.apiKey, bed.server.apiSecret);

  service = new EgressService({
    apiKey: bed.server.apiKey,
    apiSecret: bed.server.apiSecret,
    wsUrl: bed.server.url,
    recordingsDir: join(bed.dir, 'recordings'),
    trackTimeoutMs: 10_000,
  });
  await service.start();
  api = await startApiServer({ service, apiKey: bed.server.apiKey, apiSecret: bed.server.apiSecret, port: 0 });
  notifier = new WebhookNotifier({ apiKey: bed.server.apiKey, apiSecret: bed.server.apiSecret, urls: [hooks.url] });
  notifier.attach(service);
});

afterAll(async () => {
  await api?.close();
  await service?.close({ deadlineMs: 5000 });
  await notifier?.close();
  hooks?.close();
  await minio?.close();
});

const client = () => new EgressClient(`http://127.0.0.1:${api.port}`, bed.server.apiKey, bed.server.apiSecret);

/** Polls ListEgress (through the SDK) until the egress has `status` (or a terminal one). */
async function waitStatus(id: string, status: EgressStatus, timeoutMs = 30_000): Promise<EgressInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [info] = await client().listEgress({ egressId: id });
    if (info && (info.status === status || info.status >= EgressStatus.EGRESS_COMPLETE)) return info;
    if (Date.now() > deadline) throw new Error(`egress ${id} still ${info ? EgressStatus[info.status] : 'unknown'} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function objectBytes(key: string): Promise<Uint8Array> {
  const o = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return o.Body!.transformToByteArray();
}

function decodes(bytes: Uint8Array, ext: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'te-e2e-')), `out${ext}`);
  writeFileSync(file, bytes);
  return decoderErrors(file, { variableFrameRate: true });
}

function s3Output(filepath: string): DirectFileOutput {
  return new DirectFileOutput({
    filepath,
    output: {
      case: 's3',
      value: minio.upload(BUCKET),
    },
  });
}

describe('EgressClient.startTrackEgress against the service', () => {
  it('H.264 → MinIO: parts uploaded while recording, STARTING → ACTIVE → ENDING → COMPLETE, webhooks in order', async () => {
    const room = bed.room();
    const pub = await bed.publisher(room, 'alice');
    // ≈ 10 Mbit/s of incompressible video, so that parts of 5 MiB fill within seconds.
    const video = await pub.publishVideo('h264', { width: 640, height: 480, fps: 25, noise: true, maxBitrate: 10_000_000 });

    const started = await client().startTrackEgress(room, s3Output('livekit-demo/track-test.mp4'), video.sid);
    expect(started.egressId).toMatch(/^EG_[23456789A-HJ-NP-Za-km-z]{12}$/);
    expect(started.status).toBe(EgressStatus.EGRESS_STARTING);
    expect(JSON.stringify(started.toJson())).not.toContain(minio.secretKey);

    const active = await waitStatus(started.egressId, EgressStatus.EGRESS_ACTIVE);
    expect(active.status).toBe(EgressStatus.EGRESS_ACTIVE);

    // The recording is uploading before it stops: a multipart upload with at least one part.
    const key = 'livekit-demo/track-test.mp4';
    const deadline = Date.now() + 60_000;
    let parts = 0;
    while (parts === 0) {
      if (Date.now() > deadline) throw new Error('no part uploaded within 60 s of recording');
      await new Promise((r) => setTimeout(r, 500));
      const ups = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }));
      const up = ups.Uploads?.find((u) => u.Key === key);
      if (up) parts = (await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: up.UploadId }))).Parts?.length ?? 0;
    }

    const stopping = await client().stopEgress(started.egressId);
    expect(stopping.status).toBe(EgressStatus.EGRESS_ENDING);
    const done = await waitStatus(started.egressId, EgressStatus.EGRESS_COMPLETE, 60_000);
    expect(done.status, done.error).toBe(EgressStatus.EGRESS_COMPLETE);
    expect(done.details).toBe('End reason: StopEgress API');

    const [file] = done.fileResults;
    expect(file!.filename).toBe(key);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(Number(file!.size)).toBe(head.ContentLength);
    expect(head.ContentType).toBe('video/mp4');
    expect(file!.startedAt > 0n && file!.endedAt > file!.startedAt).toBe(true);
    // FileInfo.duration is the media in the file; started_at/ended_at are packet arrival times.
    expect(Math.abs(Number(file!.duration - (file!.endedAt - file!.startedAt)))).toBeLessThan(1e9);
    const bytes = await objectBytes(key);
    expect(decodes(bytes, '.mp4')).toBe('');
    // The location opens (public-read bucket) and serves the same bytes.
    const fetched = new Uint8Array(await (await fetch(file!.location)).arrayBuffer());
    expect(fetched.byteLength).toBe(bytes.byteLength);

    await pub.disconnect();
    // Webhooks, each accepted by WebhookReceiver: started → updated(ACTIVE) → updated(ENDING) → ended(COMPLETE).
    await expect.poll(() => hooks.events.filter((e) => e.info.egressId === started.egressId).length, { timeout: 10_000 }).toBe(4);
    expect(hooks.events.filter((e) => e.info.egressId === started.egressId).map((e) => `${e.event}:${EgressStatus[e.info.status]}`)).toEqual([
      'egress_started:EGRESS_STARTING',
      'egress_updated:EGRESS_ACTIVE',
      'egress_updated:EGRESS_ENDING',
      'egress_ended:EGRESS_COMPLETE',
    ]);
    expect(hooks.rejected).toEqual([]);
  }, 180_000);

  it('Opus → .ogg and VP8 → .webm into MinIO, and all three codecs into the local root', async () => {
    const room = bed.room();
    const pub = await bed.publisher(room, 'bob');
    const audio = await pub.publishAudio({ frequency: 440 });
    const vp8 = await pub.publishVideo('vp8');
    const h264 = await pub.publishVideo('h264');

    const jobs = [
      { sid: audio.sid, out: s3Output('calls/{room_name}/{track_id}'), ext: '.ogg', mime: 'audio/ogg', s3: true },
      { sid: vp8.sid, out: s3Output('calls/{room_name}/{track_id}.mp4'), ext: '.webm', mime: 'video/webm', s3: true },
      { sid: audio.sid, out: new DirectFileOutput({ filepath: 'local/{track_type}-{track_id}' }), ext: '.ogg', s3: false },
      { sid: vp8.sid, out: new DirectFileOutput({ filepath: 'local/' }), ext: '.webm', s3: false },
      { sid: h264.sid, out: new DirectFileOutput({ filepath: 'local/{publisher_identity}/cam' }), ext: '.mp4', s3: false },
    ];
    const infos = await Promise.all(jobs.map((j) => client().startTrackEgress(room, j.out, j.sid)));
    for (const info of infos) await waitStatus(info.egressId, EgressStatus.EGRESS_ACTIVE);
    await new Promise((r) => setTimeout(r, 4000));
    const ended = await Promise.all(infos.map((i) => client().stopEgress(i.egressId)));
    for (const e of ended) expect(e.status).toBe(EgressStatus.EGRESS_ENDING);

    for (const [n, info] of infos.entries()) {
      const j = jobs[n]!;
      const done = await waitStatus(info.egressId, EgressStatus.EGRESS_COMPLETE, 30_000);
      expect(done.status, done.error).toBe(EgressStatus.EGRESS_COMPLETE);
      const file = done.fileResults[0]!;
      expect(file.filename.endsWith(j.ext)).toBe(true);
      expect(Number(file.duration) / 1e9).toBeGreaterThan(3);
      if (j.s3) {
        const bytes = await objectBytes(file.filename);
        expect(bytes.byteLength).toBe(Number(file.size));
        expect(decodes(bytes, j.ext)).toBe('');
        expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: file.filename }))).ContentType).toBe(j.mime);
      } else {
        expect(file.location.startsWith(join(bed.dir, 'recordings'))).toBe(true);
        expect(decoderErrors(file.location, { variableFrameRate: true })).toBe('');
      }
    }
    expect(infos[0] && (await waitStatus(infos[0].egressId, EgressStatus.EGRESS_COMPLETE)).fileResults[0]!.filename).toBe(
      `calls/${room}/${audio.sid}.ogg`,
    );
    expect((await waitStatus(infos[1]!.egressId, EgressStatus.EGRESS_COMPLETE)).fileResults[0]!.filename).toBe(`calls/${room}/${vp8.sid}.webm`);
    expect((await waitStatus(infos[4]!.egressId, EgressStatus.EGRESS_COMPLETE)).fileResults[0]!.filename).toBe('local/bob/cam.mp4');
    await pub.disconnect();
  }, 120_000);
});
