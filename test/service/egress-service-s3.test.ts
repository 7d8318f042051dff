/**
 * EgressService → S3 (real MinIO, real livekit-server): the job uploads while it records through
 * S3Sink; file_results match the object; the manifest object sits next to it; no secret in the info.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { DirectFileOutput, type EgressInfo, EgressStatus, TrackEgressRequest } from '@livekit/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { EgressService } from '../../src/egress/egress-service.js';
import { s3Location } from '../../src/egress/outputs/s3-location.js';
import { decodedSeconds, KILL_LOSS_BOUND_SEC, spawnRecorder } from '../support/crash-check.js';
import { decoderErrors } from '../support/ffmpeg.js';
import { startMinio, type TestMinio } from '../support/minio.js';
import { useLiveKitTestBed } from '../support/livekit-testbed.js';

const bed = useLiveKitTestBed('egress-s3');
let minio: TestMinio;
beforeAll(async () => {
  minio = await startMinio();
});
afterAll(async () => {
  await minio?.close();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('EgressService to S3 (MinIO)', () => {
  it('h264 → livekit-demo/track-test.mp4 in the bucket; COMPLETE with the object size and location; manifest object', async () => {
    const room = bed.room();
    const pub = await bed.publisher(room, 'alice');
    const track = await pub.publishVideo('h264');
    const bucket = await minio.bucket('egress');
    const upload = minio.upload(bucket);
    const svc = new EgressService({ apiKey: bed.server.apiKey, apiSecret: bed.server.apiSecret, wsUrl: bed.server.url, recordingsDir: `${bed.dir}/rec` });
    const updates: EgressInfo[] = [];
    svc.on('update', (i) => updates.push(i));
    const { egressId } = await svc.startTrackEgress(new TrackEgressRequest({ roomName: room, trackId: track.sid,
      output: { case: 'file', value: new DirectFileOutput({ filepath: 'livekit-demo/track-test.mp4', output: { case: 's3', value: upload } }) } }));
    const until = async (s: EgressStatus) => {
      for (let i = 0; i < 400 && !updates.some((u) => u.status === s); i++) await sleep(50);
      const u = updates.find((x) => x.status === s);
      if (!u) throw new Error(`no ${EgressStatus[s]}: ${updates.map((x) => `${EgressStatus[x.status]} ${x.error}`).join(', ')}`);
      return u;
    };
    await until(EgressStatus.EGRESS_ACTIVE);
    await sleep(4000);
    await svc.stopEgress(egressId);
    const done = await until(EgressStatus.EGRESS_COMPLETE);
    expect(updates.map((u) => EgressStatus[u.status])).toEqual(['EGRESS_STARTING', 'EGRESS_ACTIVE', 'EGRESS_ENDING', 'EGRESS_COMPLETE']);
    const f = done.fileResults[0]!;
    expect(f.filename).toBe('livekit-demo/track-test.mp4');
    const head = await minio.client.send(new HeadObjectCommand({ Bucket: bucket, Key: f.filename }));
    expect(f.size).toBe(BigInt(head.ContentLength!));
    expect(head.ContentType).toBe('video/mp4');
    expect(f.location).toBe(s3Location(upload, f.filename));
    const manifestKey = `livekit-demo/${egressId}.json`;
    expect(done.manifestLocation).toBe(s3Location(upload, manifestKey));
    const m = JSON.parse(await (await minio.client.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey }))).Body!.transformToString());
    expect(m).toMatchObject({ egress_id: egressId, track_id: track.sid, publisher_identity: 'alice', files: [{ filename: f.filename, location: f.location }] });
    const json = JSON.stringify(done.toJson());
    expect(json).not.toContain(minio.secretKey);
    expect(json).not.toContain(minio.accessKey);
    console.log(`S3 egress: ${f.size} bytes, ${Number(f.duration) / 1e9} s → ${f.location}`);
  });

  it('kill -9 of a process recording to S3: a new service finishes the upload from the spool and reports it', async () => {
    const room = bed.room();
    const pub = await bed.publisher(room, 'alice');
    const track = await pub.publishAudio();
    const bucket = await minio.bucket('killed');
    const upload = minio.upload(bucket);
    const recordingsDir = `${bed.dir}/killed`;
    const child = join(import.meta.dirname, '..', 'support', 'egress-service-child.ts');
    const r = spawnRecorder(['--import', 'tsx', child, JSON.stringify({ url: bed.server.url, apiKey: bed.server.apiKey,
      apiSecret: bed.server.apiSecret, recordingsDir, roomName: room, trackId: track.sid, filepath: 'k/{track_id}', s3: upload.toJson() })]);
    const t0 = await r.receiving;
    await sleep(3000);
    r.child.kill('SIGKILL');
    const receivingSec = (performance.now() - t0) / 1000;
    await r.exited;
    const svc = new EgressService({ apiKey: 'k', apiSecret: 's', wsUrl: bed.server.url, recordingsDir });
    const [info, ...more] = await svc.start();
    expect(more).toEqual([]);
    expect(info).toMatchObject({ status: EgressStatus.EGRESS_FAILED, error: 'egress process ended while recording', details: 'End reason: Process killed' });
    const f = info!.fileResults[0]!;
    expect(f.filename).toBe(`k/${track.sid}.ogg`);
    const head = await minio.client.send(new HeadObjectCommand({ Bucket: bucket, Key: f.filename }));
    expect(f.size).toBe(BigInt(head.ContentLength!));
    expect(f.size).toBeGreaterThan(5000n);
    expect(f.location).toBe(s3Location(upload, f.filename));
    expect(JSON.stringify(info!.toJson())).not.toContain(minio.secretKey);
    const obj = await minio.client.send(new GetObjectCommand({ Bucket: bucket, Key: f.filename }));
    const local = join(recordingsDir, 'object.ogg');
    await writeFile(local, await obj.Body!.transformToByteArray());
    expect(decoderErrors(local)).toBe('');
    expect(decodedSeconds(local)).toBeGreaterThanOrEqual(receivingSec - KILL_LOSS_BOUND_SEC); // spool = local crash bound
  });
});
