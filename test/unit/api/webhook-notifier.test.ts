/**
 * Webhooks as a LiveKit user receives them: every event is checked with livekit-server-sdk's own
 * WebhookReceiver (unmodified) in a node:http receiver.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { DirectFileOutput, EgressStatus, FilterParams, S3Upload, TrackEgressRequest, WebhookConfig } from '@livekit/protocol';
import { WebhookReceiver, type WebhookEvent } from 'livekit-server-sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { WebhookNotifier } from '../../../src/api/webhook-notifier.js';
import { ScriptedEgressService } from './scripted-egress-service.js';

const KEY = 'APIwebhookkey';
const SECRET = 'webhook-secret-long-enough-for-hs256-0123456789abcdef';
const S3_KEY = 'AKIAWEBHOOKTESTKEY';
const S3_SECRET = 'webhook-test-s3-secret-value';

type Received = { event: WebhookEvent; body: string; contentType: string | undefined };

/** A webhook endpoint that validates with WebhookReceiver; `failFirst` requests answer 500. */
class Receiver {
  readonly events: Received[] = [];
  readonly invalid: string[] = [];
  attempts = 0;
  #server!: Server;
  url = '';

  constructor(
    readonly receiver: WebhookReceiver,
    private failFirst = 0,
  ) {}

  async start(): Promise<this> {
    this.#server = createServer(async (req, res) => {
      const body = await text(req);
      this.attempts++;
      if (this.failFirst > 0) {
        this.failFirst--;
        res.writeHead(500).end();
        return;
      }
      try {
        const event = await this.receiver.receive(body, req.headers.authorization);
        this.events.push({ event, body, contentType: req.headers['content-type'] });
        res.writeHead(200).end();
      } catch (err) {
        this.invalid.push(String(err));
        res.writeHead(401).end();
      }
    });
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/lk`;
    return this;
  }

  names(): string[] {
    return this.events.map((r) => `${r.event.event}:${EgressStatus[r.event.egressInfo!.status]}`);
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

/** Accepts connections and never answers (a hung endpoint). */
async function blackHole(): Promise<{ url: string; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer(() => {});
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function text(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function request(webhooks: WebhookConfig[] = []): TrackEgressRequest {
  return new TrackEgressRequest({
    roomName: 'hook-room',
    trackId: 'TR_hook',
    output: {
      case: 'file',
      value: new DirectFileOutput({
        filepath: 'x.mp4',
        output: { case: 's3', value: new S3Upload({ accessKey: S3_KEY, secret: S3_SECRET, bucket: 'b' }) },
      }),
    },
    webhooks,
  });
}

/** STARTING → ACTIVE → ENDING → COMPLETE through the service, as a normal recording goes. */
async function runOneEgress(service: ScriptedEgressService, webhooks: WebhookConfig[] = []): Promise<string> {
  const info = await service.startTrackEgress(request(webhooks));
  service.advance(info.egressId, EgressStatus.EGRESS_ACTIVE);
  await service.stopEgress(info.egressId);
  service.advance(info.egressId, EgressStatus.EGRESS_COMPLETE);
  return info.egressId;
}

const NORMAL = ['egress_started:EGRESS_STARTING', 'egress_updated:EGRESS_ACTIVE', 'egress_updated:EGRESS_ENDING', 'egress_ended:EGRESS_COMPLETE'];
const fast = { minDelayMs: 20, maxDelayMs: 100, timeoutMs: 10_000 };
/** vi.waitFor's limit: generous, the machine may be shared. */
const WAIT = { timeout: 10_000 };

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('WebhookNotifier', () => {
  it('sends started → updated(ACTIVE) → updated(ENDING) → ended(COMPLETE), each accepted by WebhookReceiver', async () => {
    const rx = await new Receiver(new WebhookReceiver(KEY, SECRET)).start();
    cleanup.push(() => rx.stop());
    const service = new ScriptedEgressService();
    const notifier = new WebhookNotifier({ apiKey: KEY, apiSecret: SECRET, urls: [rx.url], retry: fast });
    notifier.attach(service);
    cleanup.push(() => notifier.close());

    const before = Math.floor(Date.now() / 1000);
    const egressId = await runOneEgress(service);
    await vi.waitFor(() => expect(rx.events.length).toBe(4), WAIT);
    expect(rx.invalid).toEqual([]);
    expect(rx.names()).toEqual(NORMAL);
    for (const { event, contentType } of rx.events) {
      expect(contentType).toBe('application/webhook+json');
      expect(event.id).toMatch(/^EV_[2-9A-HJ-NP-Za-km-z]{12}$/);
      expect(Number(event.createdAt)).toBeGreaterThanOrEqual(before);
      expect(Number(event.createdAt)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
      expect(event.room?.name).toBe('hook-room');
      expect(event.room?.sid).toBe('RM_test');
      expect(event.egressInfo?.egressId).toBe(egressId);
    }
    expect(new Set(rx.events.map((r) => r.event.id)).size).toBe(4);
    expect(notifier.stats().get(rx.url)).toEqual({ sent: 4, dropped: 0, queued: 0 });
  });

  it('a receiver checking with another secret rejects the events (the signature is real)', async () => {
    const rx = await new Receiver(new WebhookReceiver(KEY, 'some-other-secret-some-other-secret-0123')).start();
    cleanup.push(() => rx.stop());
    const service = new ScriptedEgressService();
    const notifier = new WebhookNotifier({ apiKey: KEY, apiSecret: SECRET, urls: [rx.url], retry: { ...fast, attempts: 1 } });
    notifier.attach(service);
    cleanup.push(() => notifier.close());
    await service.startTrackEgress(request());
    await vi.waitFor(() => expect(rx.invalid.length).toBe(1), WAIT);
    expect(rx.invalid[0]).toMatch(/signature/);
    await vi.waitFor(() => expect(notifier.stats().get(rx.url)?.dropped).toBe(1), WAIT);
  });

  it('a receiver failing the first 2 attempts still gets every event, in order', async () => {
    const rx = await new Receiver(new WebhookReceiver(KEY, SECRET), 2).start();
    cleanup.push(() => rx.stop());
    const service = new ScriptedEgressService();
    const notifier = new WebhookNotifier({ apiKey: KEY, apiSecret: SECRET, urls: [rx.url], retry: fast });
    notifier.attach(service);
    cleanup.push(() => notifier.close());
    await runOneEgress(service);
    await vi.waitFor(() => expect(rx.events.length).toBe(4), WAIT);
    expect(rx.names()).toEqual(NORMAL);
    expect(rx.attempts).toBe(6);
  });

  it('a hung URL and a refused URL never delay a working one; close() drops their events at its deadline', async () => {
    const hole = await blackHole();
    cleanup.push(() => hole.stop());
    const rx = await new Receiver(new WebhookReceiver(KEY, SECRET)).start();
    cleanup.push(() => rx.stop());
    const refused = 'http://127.0.0.1:9/nothing-listens-here';
    const service = new ScriptedEgressService();
    const notifier = new WebhookNotifier({
      apiKey: KEY,
      apiSecret: SECRET,
      urls: [hole.url, refused, rx.url],
      retry: { attempts: 5, minDelayMs: 500, maxDelayMs: 5000, timeoutMs: 30_000 },
    });
    notifier.attach(service);

    const t0 = performance.now();
    await runOneEgress(service);
    await vi.waitFor(() => expect(rx.events.length).toBe(4), WAIT);
    // Far below the hung URL's 30 s POST timeout and the refused URL's backoff (0.5+1+2+4 s).
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(rx.names()).toEqual(NORMAL);

    const c0 = performance.now();
    await notifier.close({ deadlineMs: 300 });
    expect(performance.now() - c0).toBeLessThan(3000);
    const stats = notifier.stats();
    expect(stats.get(rx.url)).toEqual({ sent: 4, dropped: 0, queued: 0 });
    expect(stats.get(hole.url)).toMatchObject({ sent: 0, dropped: 4, queued: 0 });
    expect(stats.get(refused)).toMatchObject({ sent: 0, dropped: 4, queued: 0 });
  });

  it("the request's own webhooks get the events too, signed with their signing_key's secret; filters apply", async () => {
    const main = await new Receiver(new WebhookReceiver(KEY, SECRET)).start();
    const own = await new Receiver(new WebhookReceiver('APIotherkey', 'other-secret-long-enough-for-hs256-0123456789')).start();
    const endedOnly = await new Receiver(new WebhookReceiver(KEY, SECRET)).start();
    const unknownKey = await new Receiver(new WebhookReceiver(KEY, SECRET)).start();
    cleanup.push(() => Promise.all([main, own, endedOnly, unknownKey].map((r) => r.stop())));
    const service = new ScriptedEgressService();
    const notifier = new WebhookNotifier({
      apiKey: KEY,
      apiSecret: SECRET,
      urls: [main.url],
      keys: { APIotherkey: 'other-secret-long-enough-for-hs256-0123456789' },
      retry: fast,
    });
    notifier.attach(service);
    cleanup.push(() => notifier.close());

    await runOneEgress(service, [
      new WebhookConfig({ url: own.url, signingKey: 'APIotherkey' }),
      new WebhookConfig({ url: endedOnly.url, filterParams: new FilterParams({ includeEvents: ['egress_ended'] }) }),
      new WebhookConfig({ url: unknownKey.url, signingKey: 'APInosuchkey' }),
    ]);
    await vi.waitFor(() => expect([main.events.length, own.events.length, endedOnly.events.length]).toEqual([4, 4, 1]), WAIT);
    expect(own.invalid).toEqual([]);
    expect(own.names()).toEqual(NORMAL);
    expect(endedOnly.names()).toEqual(['egress_ended:EGRESS_COMPLETE']);
    expect(main.events.map((r) => r.event.id)).toEqual(own.events.map((r) => r.event.id));
    expect(unknownKey.attempts).toBe(0);

    const bodies = [...main.events, ...own.events, ...endedOnly.events].map((r) => r.body).join('\n');
    for (const secret of [S3_KEY, S3_SECRET, SECRET, 'other-secret', 'APIotherkey']) expect(bodies).not.toContain(secret);
    expect(bodies).toContain('{access_key}');
  });

  it('STARTING is sent once per egress; a full queue drops (counted) instead of growing', async () => {
    const hole = await blackHole();
    cleanup.push(() => hole.stop());
    const rx = await new Receiver(new WebhookReceiver(KEY, SECRET)).start();
    cleanup.push(() => rx.stop());
    const service = new ScriptedEgressService();
    const notifier = new WebhookNotifier({ apiKey: KEY, apiSecret: SECRET, urls: [hole.url, rx.url], retry: { ...fast, maxQueued: 2 } });
    notifier.attach(service);

    // The bound counts events waiting and in flight, per URL: the working receiver drains
    // between steps, the hung one holds 2.
    const info = await service.startTrackEgress(request());
    await vi.waitFor(() => expect(rx.events.length).toBe(1), WAIT);
    service.advance(info.egressId, EgressStatus.EGRESS_STARTING);
    service.advance(info.egressId, EgressStatus.EGRESS_ACTIVE);
    await vi.waitFor(() => expect(rx.events.length).toBe(2), WAIT);
    service.advance(info.egressId, EgressStatus.EGRESS_ENDING);
    await vi.waitFor(() => expect(rx.events.length).toBe(3), WAIT);
    expect(rx.names()).toEqual(NORMAL.slice(0, 3));
    expect(notifier.stats().get(hole.url)).toMatchObject({ dropped: 1, queued: 2 });
    await notifier.close({ deadlineMs: 100 });
    expect(notifier.stats().get(hole.url)).toMatchObject({ dropped: 3, queued: 0 });
  });
});
