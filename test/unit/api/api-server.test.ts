/**
 * The Twirp Egress API as livekit-server-sdk's own EgressClient (unmodified) sees it, plus raw
 * HTTP for what the SDK cannot send (snake_case JSON, protobuf, broken bodies).
 */
import {
  DirectFileOutput,
  EgressInfo,
  EgressStatus,
  ListEgressResponse,
  S3Upload,
  StopEgressRequest,
  TrackEgressRequest,
} from '@livekit/protocol';
import { AccessToken, EgressClient, EncodedFileOutput } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { type ApiServer, startApiServer } from '../../../src/api/api-server.js';
import { ScriptedEgressService } from './scripted-egress-service.js';

const KEY = 'APItestkey';
const SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

let service: ScriptedEgressService;
let api: ApiServer;
let url: string;

beforeAll(async () => {
  service = new ScriptedEgressService();
  api = await startApiServer({ service, apiKey: KEY, apiSecret: SECRET, port: 0, healthPort: 0, prometheusPort: 0 });
  url = `http://127.0.0.1:${api.port}`;
});
afterAll(async () => {
  await api.close();
});

const s3Output = () =>
  new DirectFileOutput({
    filepath: 'livekit-demo/track-test.mp4',
    output: { case: 's3', value: new S3Upload({ accessKey: 'AKIAEXAMPLEKEY', secret: 'verysecretvalue', bucket: 'b' }) },
  });

/** A response body as JSON (fetch types it `unknown`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const jsonOf = async (r: Response): Promise<any> => r.json();

async function tokenFor(grant: { roomRecord?: boolean; roomList?: boolean }, secret = SECRET): Promise<string> {
  const token = new AccessToken(KEY, secret, { ttl: '10m' });
  token.addGrant(grant);
  return token.toJwt();
}

async function post(method: string, body: string | Uint8Array, contentType = 'application/json', token?: string) {
  return fetch(`${url}/twirp/livekit.Egress/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': contentType, Authorization: `Bearer ${token ?? (await tokenFor({ roomRecord: true }))}` },
    body,
  });
}

describe('EgressClient round-trips', () => {
  it('startTrackEgress → STARTING EgressInfo; listEgress finds it; stopEgress before ACTIVE → ABORTED', async () => {
    const client = new EgressClient(url, KEY, SECRET);
    const info = await client.startTrackEgress('my-room', s3Output(), 'TR_video1');
    expect(info.egressId).toMatch(/^EG_/);
    expect(info.status).toBe(EgressStatus.EGRESS_STARTING);
    expect(info.roomName).toBe('my-room');
    expect(info.request.case).toBe('track');
    const track = info.request.value as TrackEgressRequest;
    expect(track.trackId).toBe('TR_video1');
    expect(JSON.stringify(info.toJson())).not.toContain('verysecretvalue');

    const listed = await client.listEgress({ roomName: 'my-room' });
    expect(listed.map((i) => i.egressId)).toContain(info.egressId);
    expect(await client.listEgress({ roomName: 'other-room' })).toEqual([]);

    const stopped = await client.stopEgress(info.egressId);
    expect(stopped.status).toBe(EgressStatus.EGRESS_ABORTED);
    expect((await client.listEgress({ egressId: info.egressId, active: true })).length).toBe(0);
  });

  it('stopEgress of an ACTIVE egress → ENDING; a second stop → failed_precondition 412', async () => {
    const client = new EgressClient(url, KEY, SECRET);
    const info = await client.startTrackEgress('my-room', 'wss://example.com/audio', 'TR_audio1');
    service.advance(info.egressId, EgressStatus.EGRESS_ACTIVE);
    expect((await client.stopEgress(info.egressId)).status).toBe(EgressStatus.EGRESS_ENDING);
    await expect(client.stopEgress(info.egressId)).rejects.toMatchObject({ status: 412, code: 'failed_precondition' });
  });
});

describe('authentication and permissions', () => {
  it('a token signed with another secret → 401 unauthenticated', async () => {
    const client = new EgressClient(url, KEY, 'not-the-secret-not-the-secret-not-the-secret');
    await expect(client.listEgress()).rejects.toMatchObject({ status: 401, code: 'unauthenticated' });
  });

  it('an expired token → 401 unauthenticated', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 3600_000);
    const token = await tokenFor({ roomRecord: true }); // valid 10 min, an hour ago
    vi.useRealTimers();
    const client = new EgressClient(url, undefined, undefined, { token });
    await expect(client.listEgress()).rejects.toMatchObject({ status: 401, code: 'unauthenticated' });
    await expect(client.listEgress()).rejects.toThrow(/exp/);
  });

  it('no Authorization header → 401 unauthenticated', async () => {
    const res = await fetch(`${url}/twirp/livekit.Egress/ListEgress`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect((await jsonOf(res)).code).toBe('unauthenticated');
  });

  it('a valid token without video.roomRecord → 403 permission_denied', async () => {
    const client = new EgressClient(url, undefined, undefined, { token: await tokenFor({ roomList: true }) });
    await expect(client.startTrackEgress('my-room', s3Output(), 'TR_x')).rejects.toMatchObject({
      status: 403,
      code: 'permission_denied',
    });
  });
});

describe('errors as the SDK parses them', () => {
  it('missing track id → 400 invalid_argument with the service message', async () => {
    const client = new EgressClient(url, KEY, SECRET);
    await expect(client.startTrackEgress('my-room', s3Output(), '')).rejects.toMatchObject({
      status: 400,
      code: 'invalid_argument',
      message: 'request has missing or invalid field: track_id',
    });
  });

  it('missing output (no file, no websocket_url) → 400 invalid_argument', async () => {
    const res = await post('StartTrackEgress', JSON.stringify({ room_name: 'my-room', track_id: 'TR_1' }));
    expect(res.status).toBe(400);
    expect(await jsonOf(res)).toEqual({ code: 'invalid_argument', msg: 'request has missing or invalid field: output' });
  });

  it('unknown egress → 404 not_found', async () => {
    await expect(new EgressClient(url, KEY, SECRET).stopEgress('EG_doesnotexist')).rejects.toMatchObject({
      status: 404,
      code: 'not_found',
    });
  });

  it('another Egress method → 501 unimplemented; an unknown path → 404 bad_route', async () => {
    const client = new EgressClient(url, KEY, SECRET);
    await expect(client.startRoomCompositeEgress('my-room', new EncodedFileOutput({ filepath: 'x.mp4' }))).rejects.toMatchObject({
      status: 501,
      code: 'unimplemented',
    });
    const res = await post('NoSuchMethod', '{}');
    expect(res.status).toBe(404);
    expect(await jsonOf(res)).toMatchObject({ code: 'bad_route', meta: { twirp_invalid_route: 'POST /twirp/livekit.Egress/NoSuchMethod' } });
    const get = await fetch(`${url}/twirp/livekit.Egress/ListEgress`);
    expect(get.status).toBe(404);
    expect((await jsonOf(get)).code).toBe('bad_route');
  });

  it('an unexpected error → 500 internal with a generic message (nothing of the error leaks)', async () => {
    service.failNext = new Error('boom: secret=verysecretvalue');
    const res = await post('ListEgress', '{}');
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).toBe('{"code":"internal","msg":"internal error"}');
  });

  it('malformed JSON → 400 malformed with a message; an oversized body → 400 malformed', async () => {
    const res = await post('StartTrackEgress', '{"room_name": ');
    expect(res.status).toBe(400);
    const body = await jsonOf(res);
    expect(body.code).toBe('malformed');
    expect(body.msg).toMatch(/json request could not be decoded/);

    const big = await post('ListEgress', JSON.stringify({ room_name: 'x'.repeat(2 << 20) }));
    expect(big.status).toBe(400);
    expect(await jsonOf(big)).toMatchObject({ code: 'malformed', msg: 'request body exceeds 1048576 bytes' });
  });

  it('an unknown Content-Type → 404 bad_route (Twirp rule)', async () => {
    const res = await post('ListEgress', '{}', 'text/plain');
    expect(res.status).toBe(404);
    expect((await jsonOf(res)).code).toBe('bad_route');
  });
});

describe('encodings', () => {
  it('snake_case JSON is accepted; the reply is JSON with proto field names, as LiveKit answers', async () => {
    const res = await post(
      'StartTrackEgress',
      JSON.stringify({ room_name: 'snake-room', track_id: 'TR_snake', file: { filepath: 'a/{track_id}.ogg', disable_manifest: true } }),
      'application/json;charset=UTF-8',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const json = await jsonOf(res);
    expect(json.room_name).toBe('snake-room');
    const info = EgressInfo.fromJson(json);
    const request = info.request.value as TrackEgressRequest;
    expect(request.trackId).toBe('TR_snake');
    expect(request.output.case).toBe('file');
    expect((request.output.value as DirectFileOutput).disableManifest).toBe(true);
  });

  it('protobuf in → protobuf out', async () => {
    const request = new TrackEgressRequest({ roomName: 'pb-room', trackId: 'TR_pb', output: { case: 'websocketUrl', value: 'wss://x.example/ws' } });
    const res = await post('StartTrackEgress', request.toBinary(), 'application/protobuf');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/protobuf');
    const info = EgressInfo.fromBinary(new Uint8Array(await res.arrayBuffer()));
    expect(info.roomName).toBe('pb-room');

    const stop = await post('StopEgress', new StopEgressRequest({ egressId: info.egressId }).toBinary(), 'application/protobuf');
    expect(EgressInfo.fromBinary(new Uint8Array(await stop.arrayBuffer())).status).toBe(EgressStatus.EGRESS_ABORTED);

    const list = await post('ListEgress', new Uint8Array(), 'application/protobuf');
    const items = ListEgressResponse.fromBinary(new Uint8Array(await list.arrayBuffer())).items;
    expect(items.map((i) => i.egressId)).toContain(info.egressId);
  });

  it('a broken protobuf body → 400 malformed', async () => {
    const res = await post('StartTrackEgress', new Uint8Array([0x0a, 0xff, 0xff]), 'application/protobuf');
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).code).toBe('malformed');
  });
});

describe('health and metrics', () => {
  it('GET /healthz → 200 OK on the API port and on health_port', async () => {
    for (const port of [api.port, api.healthPort]) {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('OK');
    }
  });

  it('GET /metrics → prom-client text with the egress gauges from jobStats()', async () => {
    const client = new EgressClient(url, KEY, SECRET);
    const a = await client.startTrackEgress('metrics-room', s3Output(), 'TR_m1');
    const b = await client.startTrackEgress('metrics-room', s3Output(), 'TR_m2');
    service.advance(a.egressId, EgressStatus.EGRESS_ACTIVE, { packets: 1000, lost: 3, bytesWritten: 50_000, bytesUploaded: 0, uploadRetries: 2, framesDropped: 7 });
    service.advance(b.egressId, EgressStatus.EGRESS_ACTIVE, { packets: 500, lost: 1, bytesWritten: 25_000, bytesUploaded: 5_242_880, uploadRetries: 0 });
    for (const port of [api.port, api.prometheusPort]) {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(text).toMatch(/^track_egress_active\{status="active"\} 2$/m);
      expect(text).toMatch(/^track_egress_packets_received 1500$/m);
      expect(text).toMatch(/^track_egress_packets_lost 4$/m);
      expect(text).toMatch(/^track_egress_bytes_written 75000$/m);
      expect(text).toMatch(/^track_egress_bytes_uploaded 5242880$/m);
      expect(text).toMatch(/^track_egress_upload_retries 2$/m);
      expect(text).toMatch(/^track_egress_websocket_frames_dropped 7$/m);
      expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    }
    service.advance(a.egressId, EgressStatus.EGRESS_COMPLETE);
    service.advance(b.egressId, EgressStatus.EGRESS_COMPLETE);
  });

  it('close(): health answers 503 while requests in flight finish, then the port is closed', async () => {
    const own = new ScriptedEgressService();
    const server = await startApiServer({ service: own, apiKey: KEY, apiSecret: SECRET, port: 0, healthPort: 0 });
    let release!: () => void;
    own.listEgress = () => new Promise((resolve) => (release = () => resolve([])));
    const inFlight = fetch(`http://127.0.0.1:${server.port}/twirp/livekit.Egress/ListEgress`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await tokenFor({ roomRecord: true })}` },
      body: '{}',
    });
    await vi.waitFor(() => expect(release).toBeDefined());
    const closing = server.close();
    const health = await fetch(`http://127.0.0.1:${server.healthPort}/healthz`);
    expect(health.status).toBe(503);
    await expect(fetch(`http://127.0.0.1:${server.port}/healthz`)).rejects.toThrow();
    release();
    expect((await inFlight).status).toBe(200);
    await closing;
    await expect(fetch(`http://127.0.0.1:${server.healthPort}/healthz`)).rejects.toThrow();
  });
});
