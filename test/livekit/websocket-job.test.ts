/**
 * The WebSocket output's job side end to end (small on purpose; the full acceptance suite is
 * test/livekit/websocket-egress.test.ts): real livekit-server, an rtc-node publisher, a real `ws`
 * server. One job streams and ends COMPLETE with its stream_results entry; a video track fails
 * before any connection; an unreachable URL fails with the reason and leaves the room.
 */

import { EgressInfo, EgressStatus, StreamInfo_Status, TrackEgressRequest } from '@livekit/protocol';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';

import { EgressService } from '../../src/egress/egress-service.js';
import { listParticipants } from '../support/livekit-publisher.js';
import { watchUpdates } from '../support/egress-updates.js';
import { freeTcpPort } from '../support/free-port.js';
import { useLiveKitTestBed } from '../support/livekit-testbed.js';

const bed = useLiveKitTestBed('ws-job');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const S = EgressStatus;
const TOKEN = 'query-token-0123456789';

/** A `ws` server that counts what it gets. */
async function receiver() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const got = { connections: 0, contentType: '', binaryBytes: 0, binarySizes: new Set<number>(), texts: [] as string[],
    close: undefined as { code: number; reason: string } | undefined };
  wss.on('connection', (ws, req) => {
    got.connections++;
    got.contentType = req.headers['content-type'] ?? '';
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const n = (data as Buffer).length;
        got.binaryBytes += n;
        got.binarySizes.add(n);
      } else got.texts.push(String(data));
    });
    ws.on('close', (code, reason) => (got.close = { code, reason: String(reason) }));
  });
  const port = (wss.address() as { port: number }).port;
  return { got, url: `ws://127.0.0.1:${port}/pcm?token=${TOKEN}`, stop: () => new Promise((r) => wss.close(r)) };
}

function service() {
  const svc = new EgressService({ apiKey: bed.server.apiKey, apiSecret: bed.server.apiSecret, wsUrl: bed.server.url, recordingsDir: bed.dir });
  const { until, statuses } = watchUpdates(svc);
  return { svc, until, statuses };
}

const wsRequest = (roomName: string, trackId: string, url: string) =>
  new TrackEgressRequest({ roomName, trackId, output: { case: 'websocketUrl', value: url } });

describe('EgressService with websocket_url (real livekit-server, real ws server)', () => {
  it('streams an Opus track; unpublish → close 1000 "track unpublished", COMPLETE with a FINISHED stream_results entry', async () => {
    const room = bed.room();
    const pub = await bed.publisher(room, 'alice');
    const track = await pub.publishAudio();
    const rx = await receiver();
    const { svc, until, statuses } = service();
    const { egressId } = await svc.startTrackEgress(wsRequest(room, track.sid, rx.url));
    const active = await until(egressId, S.EGRESS_ACTIVE);
    expect(active.streamResults[0]).toMatchObject({ url: rx.url.replace(TOKEN, '{...}'), status: StreamInfo_Status.ACTIVE });
    expect(active.streamResults[0]!.startedAt).toBeGreaterThan(active.startedAt);
    await sleep(3000);
    await track.unpublish();
    const done = await until(egressId, S.EGRESS_COMPLETE);
    expect(statuses(egressId)).toEqual(['EGRESS_STARTING', 'EGRESS_ACTIVE', 'EGRESS_ENDING', 'EGRESS_COMPLETE']);
    expect(done).toMatchObject({ details: 'End reason: Source closed', error: '', errorCode: 0, manifestLocation: '' });
    const s = done.streamResults[0]!;
    expect(s).toMatchObject({ url: rx.url.replace(TOKEN, '{...}'), status: StreamInfo_Status.FINISHED, error: '' });
    expect(done.result.case).toBe('stream');
    expect(done.result.case === 'stream' && done.result.value.info).toEqual([s]);
    expect(s.endedAt).toBeGreaterThan(s.startedAt);
    expect(done.fileResults).toEqual([]);
    expect(done.toJsonString()).not.toContain(TOKEN);

    // What the receiver got is what the StreamInfo says: 48 kHz stereo s16 in 1920-byte messages.
    await sleep(200);
    expect(rx.got.connections).toBe(1);
    expect(rx.got.contentType).toBe('audio/x-raw');
    expect([...rx.got.binarySizes]).toEqual([1920]);
    expect(rx.got.close).toEqual({ code: 1000, reason: 'track unpublished' });
    const receivedSec = rx.got.binaryBytes / (48000 * 2 * 2);
    const durationSec = Number(s.duration) / 1e9;
    console.log(`ws job: received ${receivedSec.toFixed(3)} s of PCM, StreamInfo.duration ${durationSec.toFixed(3)} s, texts ${JSON.stringify(rx.got.texts)}`);
    expect(Math.abs(receivedSec - durationSec)).toBeLessThanOrEqual(0.01); // one message: the last one is padded
    expect(durationSec).toBeGreaterThan(2);
    await svc.close();
    await rx.stop();
  });

  it('a video track → FAILED 400 "format websocket incompatible with codec video/VP8", no connection to the receiver', async () => {
    const room = bed.room();
    const pub = await bed.publisher(room, 'bob');
    const track = await pub.publishVideo('vp8');
    const rx = await receiver();
    const { svc, until, statuses } = service();
    const { egressId } = await svc.startTrackEgress(wsRequest(room, track.sid, rx.url));
    const failed = await until(egressId, S.EGRESS_FAILED);
    expect(statuses(egressId)).toEqual(['EGRESS_STARTING', 'EGRESS_FAILED']);
    expect(failed).toMatchObject({ error: 'format websocket incompatible with codec video/VP8', errorCode: 400 });
    expect(failed.streamResults).toEqual([]);
    await sleep(500);
    expect(rx.got.connections).toBe(0);
    await svc.close();
    await rx.stop();
  });

  it('an unreachable URL → FAILED 400 with the dial error (no token in it); the egress leaves the room', async () => {
    const room = bed.room();
    const pub = await bed.publisher(room, 'carol');
    const track = await pub.publishAudio();
    const url = `ws://127.0.0.1:${await freeTcpPort()}/pcm?token=${TOKEN}`;
    const { svc, until, statuses } = service();
    const { egressId } = await svc.startTrackEgress(wsRequest(room, track.sid, url));
    const failed = await until(egressId, S.EGRESS_FAILED);
    expect(statuses(egressId)).toEqual(['EGRESS_STARTING', 'EGRESS_FAILED']);
    expect(failed.errorCode).toBe(400);
    expect(failed.error).toMatch(/^websocket dial failed: /);
    expect(failed.streamResults[0]).toMatchObject({ url: url.replace(TOKEN, '{...}'), status: StreamInfo_Status.FAILED, error: failed.error });
    expect(failed.toJsonString()).not.toContain(TOKEN);
    // The recorder participant is gone (the job closed its source).
    const deadline = Date.now() + 10_000;
    let ids = (await listParticipants(bed.server, room)).map((p) => p.identity);
    while (ids.includes(egressId) && Date.now() < deadline) {
      await sleep(200);
      ids = (await listParticipants(bed.server, room)).map((p) => p.identity);
    }
    expect(ids).toEqual(['carol']);
    expect(svc.jobStats()).toEqual([]);
    await svc.close();
  });
});
