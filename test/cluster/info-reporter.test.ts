// InfoReporter against the REAL pinned livekit-server on a real Redis: what it reports lands in the
// server's egress store (EgressClient.listEgress), through the methods LiveKit egress uses (a raw
// Redis observer decodes what went out on IOInfo|…|REQ), and the server sends the webhooks of the
// request's own `webhooks` for it (checked by livekit-server-sdk's WebhookReceiver). Then Redis is
// stopped mid-way and restarted on the same port: the reporter retries, and after Redis is back
// the server gets the newest info only — the updates reported during the outage are coalesced away.
import { EgressInfo, EgressStatus, TrackEgressRequest, WebhookConfig } from '@livekit/protocol';
import { Redis } from 'ioredis';
import { EgressClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { requestChannel } from '../../src/cluster/channels.js';
import { PsrpcClient } from '../../src/cluster/client.js';
import { decodeEnvelope } from '../../src/cluster/envelope.js';
import { Request } from '../../src/cluster/gen/internal_pb.js';
import { RedisBus } from '../../src/cluster/redis-bus.js';
import { InfoReporter } from '../../src/cluster/worker/info-reporter.js';
import { startLiveKitServer, type LiveKitTestServer } from '../support/livekit-server.js';
import { startRedisServer, type TestRedisServer } from '../support/redis-server.js';
import { startWebhookSink, type WebhookSink } from '../support/webhook-sink.js';

let redis: TestRedisServer;
let lk: LiveKitTestServer;
let sink: WebhookSink;
let observer: Redis;
let bus: RedisBus;
let client: PsrpcClient;
let egress: EgressClient;
/** IOInfo requests seen on Redis: method and the EgressInfo they carried. */
const published: { method: string; egressId: string; status: EgressStatus }[] = [];

const S = EgressStatus;
const nowNs = () => BigInt(Date.now()) * 1_000_000n;
const until = async (what: string, cond: () => boolean | Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** A track egress info whose request asks the server for webhooks to our sink. */
function trackInfo(egressId: string, roomName: string): EgressInfo {
  const now = nowNs();
  return new EgressInfo({
    egressId,
    roomName,
    status: S.EGRESS_STARTING,
    startedAt: now,
    updatedAt: now,
    request: {
      case: 'track',
      value: new TrackEgressRequest({ roomName, trackId: 'TR_reporter', webhooks: [new WebhookConfig({ url: sink.url, signingKey: lk.apiKey })] }),
    },
  });
}
const next = (info: EgressInfo, status: EgressStatus): EgressInfo => {
  const i = info.clone();
  i.status = status;
  i.updatedAt = nowNs();
  if (status >= S.EGRESS_COMPLETE) i.endedAt = i.updatedAt;
  return i;
};
const webhooksOf = (egressId: string) => sink.events.filter((e) => e.info.egressId === egressId).map((e) => [e.event, e.info.status]);

beforeAll(async () => {
  redis = await startRedisServer();
  lk = await startLiveKitServer({ redis: { address: redis.address } });
  sink = await startWebhookSink(lk.apiKey, lk.apiSecret);
  observer = new Redis({ host: redis.host, port: redis.port, lazyConnect: true });
  observer.on('error', () => {}); // the Redis restart below; ioredis reconnects and re-subscribes
  await observer.connect();
  observer.on('messageBuffer', (channel: Buffer, payload: Buffer) => {
    const d = decodeEnvelope(payload, Request);
    if (!d.ok) return;
    const info = EgressInfo.fromBinary(d.message.rawRequest);
    published.push({ method: channel.toString().split('|')[1]!, egressId: info.egressId, status: info.status });
  });
  await observer.subscribe(requestChannel('IOInfo', 'CreateEgress', []), requestChannel('IOInfo', 'UpdateEgress', []));
  bus = await RedisBus.connect({ address: redis.address });
  client = new PsrpcClient(bus);
  egress = new EgressClient(lk.httpUrl, lk.apiKey, lk.apiSecret);
});

afterAll(async () => {
  await client?.close();
  await bus?.close();
  observer?.disconnect();
  sink?.close();
  await lk?.stop();
  await redis?.close();
});

describe('InfoReporter ↔ livekit-server (IOInfo over Redis)', () => {
  it('STARTING → CreateEgress, ACTIVE → UpdateEgress: both land in the server (listEgress, webhooks)', async () => {
    const reporter = new InfoReporter({ client });
    const starting = trackInfo('EG_reporter0001', 'reporter-room-1');
    reporter.report(starting);
    reporter.report(next(starting, S.EGRESS_ACTIVE));
    await reporter.flush(10_000);
    expect(reporter.stats()).toEqual({ sent: 2, retried: 0, dropped: 0, coalesced: 0, pending: 0 });

    const listed = await egress.listEgress({ egressId: 'EG_reporter0001' });
    expect(listed.map((i) => [i.egressId, i.status, i.roomName, (i.request.value as TrackEgressRequest).trackId])).toEqual([
      ['EG_reporter0001', S.EGRESS_ACTIVE, 'reporter-room-1', 'TR_reporter'],
    ]);
    expect(published.filter((p) => p.egressId === 'EG_reporter0001').map((p) => [p.method, p.status])).toEqual([
      ['CreateEgress', S.EGRESS_STARTING],
      ['UpdateEgress', S.EGRESS_ACTIVE],
    ]);
    // The server's own reactions: egress_started for the create, egress_updated for the update.
    await until('two webhooks', () => webhooksOf('EG_reporter0001').length >= 2);
    expect(webhooksOf('EG_reporter0001')).toEqual([
      ['egress_started', S.EGRESS_STARTING],
      ['egress_updated', S.EGRESS_ACTIVE],
    ]);

    reporter.report(next(starting, S.EGRESS_COMPLETE));
    await reporter.flush(10_000);
    expect((await egress.listEgress({ egressId: 'EG_reporter0001' })).map((i) => i.status)).toEqual([S.EGRESS_COMPLETE]);
    expect((await egress.listEgress({ roomName: 'reporter-room-1', active: true })).length).toBe(0);
    reporter.close();
  });

  it('Redis stopped mid-way, restarted: retried, and the newest info is delivered after it comes back, older ones coalesced away', async () => {
    const id = 'EG_reporter0002';
    const reporter = new InfoReporter({ client, timeoutMs: 1000, minBackoffMs: 100, maxBackoffMs: 400 });
    const starting = trackInfo(id, 'reporter-room-2');
    reporter.report(starting);
    await reporter.flush(10_000);
    expect((await egress.listEgress({ egressId: id })).map((i) => i.status)).toEqual([S.EGRESS_STARTING]);
    await until('egress_started', () => webhooksOf(id).length >= 1);

    await redis.stop();
    reporter.report(next(starting, S.EGRESS_ACTIVE));
    reporter.report(next(starting, S.EGRESS_ENDING));
    const complete = next(starting, S.EGRESS_COMPLETE);
    complete.details = 'finished during the outage';
    reporter.report(complete);
    await until('a retry while Redis is down', () => reporter.stats().retried >= 1);
    expect(reporter.stats().pending).toBe(1);
    expect(reporter.healthy).toBe(true); // 10 min are far away
    const retriedWhileDown = reporter.stats().retried;

    const seenBefore = published.length;
    await redis.restart(); // empty data: the server's store starts over too
    const t0 = performance.now();
    await reporter.flush(30_000);
    const stats = reporter.stats();
    const after = published.slice(seenBefore).filter((p) => p.egressId === id).map((p) => `${p.method}:${S[p.status]}`);
    console.log(`redis restart: delivered ${(performance.now() - t0).toFixed(0)} ms after redis answered PING; stats ${JSON.stringify(stats)}; IOInfo requests seen after the restart: ${after.join(', ')}`);
    expect(stats).toMatchObject({ sent: 2, dropped: 0, coalesced: 2, pending: 0 });
    expect(stats.retried).toBeGreaterThanOrEqual(retriedWhileDown);

    // The server has the newest info (its store was empty after the restart: this is our update).
    const listed = await egress.listEgress({ egressId: id });
    expect(listed.map((i) => [i.status, i.details])).toEqual([[S.EGRESS_COMPLETE, 'finished during the outage']]);
    // Its webhooks: started before the outage, then only ended(COMPLETE) — ACTIVE and ENDING never reached it.
    await until('egress_ended', () => webhooksOf(id).some(([e]) => e === 'egress_ended'));
    await new Promise((r) => setTimeout(r, 300)); // any stray later webhook would arrive by now
    expect(webhooksOf(id)).toEqual([
      ['egress_started', S.EGRESS_STARTING],
      ['egress_ended', S.EGRESS_COMPLETE],
    ]);
    reporter.close();
  });
});
