/**
 * The WebSocket output as a LiveKit user drives it: `track-egress serve` (config from
 * EGRESS_CONFIG_BODY, with a `websocket:` section for 16 kHz mono in 20 ms messages), the official
 * `EgressClient.startTrackEgress(room, 'ws://…', trackId)` of livekit-server-sdk, webhooks checked
 * by the official `WebhookReceiver`, a real `ws` receiver, an rtc-node publisher of a known signal.
 * The URL carries a token in its query: the receiver gets it, nothing else shows it (EgressInfo,
 * webhooks, the service's debug logs).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

import { EgressInfo, EgressStatus, StreamInfo_Status } from '@livekit/protocol';
import { EgressClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startWebhookSink, type WebhookSink } from '../support/webhook-sink.js';
import { useLiveKitTestBed } from '../support/livekit-testbed.js';
import { startPcmReceiver, type PcmReceiver } from '../support/pcm-receiver.js';
import { dominantFrequency, findClicks, matchClicks, pcmFrom, pcmSeconds, publishSignal, UNDERRUN_HINT } from '../support/pcm-signal.js';

const bed = useLiveKitTestBed('ws-client');
const SECRET = 'tok-77c1e0b5a9d3';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let serve: ChildProcessWithoutNullStreams;
let logs = '';
let port = 0;
let hooks: WebhookSink;
let rx: PcmReceiver;

beforeAll(async () => {
  hooks = await startWebhookSink(bed.server.apiKey, bed.server.apiSecret);
  const hookUrl = hooks.url;
  rx = await startPcmReceiver();

  const config = [
    `api_key: ${bed.server.apiKey}`,
    `api_secret: ${bed.server.apiSecret}`,
    `ws_url: ${bed.server.url}`,
    'api_port: 0',
    `recordings_dir: ${bed.dir}`,
    `webhook: { api_key: ${bed.server.apiKey}, urls: ["${hookUrl}"] }`,
    'websocket: { sample_rate: 16000, channels: 1, frame_duration_ms: 20 }',
  ].join('\n');
  serve = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--log-level', 'debug'], {
    env: { ...process.env, EGRESS_CONFIG_BODY: config },
  });
  serve.stdout.on('data', (d) => (logs += d));
  serve.stderr.on('data', (d) => (logs += d));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const m = /"port":(\d+),[^\n]*serving LiveKit's Egress API/.exec(logs);
    if (m) {
      port = Number(m[1]);
      break;
    }
    if (Date.now() > deadline || serve.exitCode !== null) throw new Error(`serve did not start:\n${logs}`);
    await sleep(100);
  }
});

afterAll(async () => {
  if (serve && serve.exitCode === null) {
    const exited = new Promise((r) => serve.once('close', r));
    serve.kill('SIGTERM');
    await Promise.race([exited, sleep(8000)]);
    serve.kill('SIGKILL');
  }
  hooks?.close();
  await rx?.close();
});

const client = () => new EgressClient(`http://127.0.0.1:${port}`, bed.server.apiKey, bed.server.apiSecret);

async function waitStatus(id: string, status: EgressStatus, timeoutMs = 20_000): Promise<EgressInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [info] = await client().listEgress({ egressId: id });
    if (info && (info.status === status || info.status >= EgressStatus.EGRESS_COMPLETE)) return info;
    if (Date.now() > deadline) throw new Error(`egress ${id} still ${info ? EgressStatus[info.status] : 'unknown'} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe('EgressClient.startTrackEgress(room, "ws://…", trackId) against track-egress serve', () => {
  it('streams 16 kHz mono in 640-byte messages as configured; STARTING → ACTIVE → ENDING → COMPLETE in webhooks; stream_results; no secret anywhere', async () => {
    const room = bed.room();
    const pub = await bed.publisher(room, 'alice');
    const sig = await publishSignal(pub, { clicksMs: [600, 1400], durationMs: 2000 });
    const url = `${rx.url}/stt?token=${SECRET}`;

    const started = await client().startTrackEgress(room, url, sig.sid);
    expect(started.status).toBe(EgressStatus.EGRESS_STARTING);
    expect(started.request.case === 'track' && started.request.value.output.case).toBe('websocketUrl');
    const active = await waitStatus(started.egressId, EgressStatus.EGRESS_ACTIVE);
    expect(active.status, active.error).toBe(EgressStatus.EGRESS_ACTIVE);
    sig.start();
    const conn = await rx.connection();
    expect(conn.headers['content-type']).toBe('audio/x-raw');
    expect(conn.url).toBe(`/stt?token=${SECRET}`);
    expect(active.streamResults).toMatchObject([{ url: `${rx.url}/stt?token={...}`, status: StreamInfo_Status.ACTIVE }]);

    await sig.ended;
    await sleep(300);
    const ending = await client().stopEgress(started.egressId);
    expect(ending.status).toBe(EgressStatus.EGRESS_ENDING);
    const closed = await conn.closed;
    expect(closed).toMatchObject({ code: 1000, reason: 'egress stopped' });
    const done = await waitStatus(started.egressId, EgressStatus.EGRESS_COMPLETE);
    expect(done.status, done.error).toBe(EgressStatus.EGRESS_COMPLETE);
    expect(done.details).toBe('End reason: StopEgress API');
    const st = done.streamResults[0]!;
    expect(st).toMatchObject({ url: `${rx.url}/stt?token={...}`, status: StreamInfo_Status.FINISHED });
    expect(st.startedAt > 0n && st.endedAt > st.startedAt && st.duration > 0n).toBe(true);
    expect(done.result.case === 'stream' && done.result.value.info[0]?.url).toBe(st.url);

    // The configured format reached the wire: 20 ms of 16 kHz mono = 640 bytes; the signal is in it.
    expect(new Set(conn.messages.map((m) => (m.kind === 'binary' ? m.size : m.text)))).toEqual(new Set([640]));
    const pcm = pcmFrom(conn.pcm(), 16000, 1);
    const clicks = findClicks(pcm);
    const { errors, extra } = matchClicks(clicks, sig.clicksSec);
    expect(sig.underrunSinceMarkerMs(), UNDERRUN_HINT).toBeLessThan(10); // shifts the signal by as much
    console.log(`serve: ${pcmSeconds(pcm).toFixed(3)} s of PCM, clicks at ${clicks.map((c) => c.toFixed(3)).join(', ')}, errors ${errors.map((e) => (e * 1000).toFixed(1)).join(', ')} ms`);
    for (const e of errors) expect(Math.abs(e)).toBeLessThanOrEqual(0.02);
    expect(extra).toEqual([]);
    expect(Math.abs(dominantFrequency(pcm, 0, { fromSec: clicks[0]! + 0.05, toSec: clicks[0]! + 0.55 }) - 440)).toBeLessThan(2);

    // Webhooks, each accepted by WebhookReceiver, in order, with the stream result.
    const mine = () => hooks.events.filter((e) => e.info.egressId === started.egressId);
    await expect.poll(() => mine().length, { timeout: 10_000 }).toBe(4);
    expect(mine().map((e) => `${e.event}:${EgressStatus[e.info.status]}`)).toEqual([
      'egress_started:EGRESS_STARTING',
      'egress_updated:EGRESS_ACTIVE',
      'egress_updated:EGRESS_ENDING',
      'egress_ended:EGRESS_COMPLETE',
    ]);
    expect(mine()[3]!.info.streamResults).toMatchObject([{ url: `${rx.url}/stt?token={...}`, status: StreamInfo_Status.FINISHED }]);
    expect(hooks.rejected).toEqual([]);

    // The token: only the receiver saw it.
    for (const e of hooks.events) expect(e.body).not.toContain(SECRET);
    for (const i of [started, active, ending, done, ...(await client().listEgress({ roomName: room }))]) {
      expect(JSON.stringify(i.toJson())).not.toContain(SECRET);
    }
    expect(logs).not.toContain(SECRET);
    await sig.leave();
  }, 60_000);

  it('errors through the client: a VP8 track → LiveKit\'s text, nothing dialled; http:// → invalid_argument; an unreachable receiver → FAILED 400; the token in no log', async () => {
    const room = bed.room();
    const pub = await bed.publisher(room, 'bob');
    const video = await pub.publishVideo('vp8');
    const audio = await pub.publishAudio();
    const before = rx.upgrades;
    const started = await client().startTrackEgress(room, `${rx.url}/video?token=${SECRET}`, video.sid);
    const failed = await waitStatus(started.egressId, EgressStatus.EGRESS_FAILED);
    expect(failed).toMatchObject({ status: EgressStatus.EGRESS_FAILED, error: 'format websocket incompatible with codec video/VP8', errorCode: 400 });
    expect(rx.upgrades).toBe(before);
    await expect(client().startTrackEgress(room, `http://127.0.0.1:9/x?token=${SECRET}`, video.sid)).rejects.toThrow(
      'invalid url http://127.0.0.1:9/x?token={...}: invalid scheme',
    );

    const dead = await startPcmReceiver();
    const deadUrl = `${dead.url}/stt?token=${SECRET}`;
    await dead.close();
    const unreachable = await client().startTrackEgress(room, deadUrl, audio.sid);
    const dialFailed = await waitStatus(unreachable.egressId, EgressStatus.EGRESS_FAILED);
    expect(dialFailed.error).toMatch(/^websocket dial failed: /);
    expect(dialFailed.errorCode).toBe(400);
    const mine = () => hooks.events.filter((e) => e.info.egressId === unreachable.egressId);
    await expect.poll(() => mine().map((e) => e.event), { timeout: 10_000 }).toEqual(['egress_started', 'egress_ended']);

    // The failures were logged (so the log check below is not vacuous), without the token.
    await expect.poll(() => logs.includes(unreachable.egressId) && logs.includes(started.egressId), { timeout: 5000 }).toBe(true);
    expect(logs).not.toContain(SECRET);
    for (const e of hooks.events) expect(e.body).not.toContain(SECRET);
    expect(JSON.stringify((await client().listEgress({ roomName: room })).map((i) => i.toJson()))).not.toContain(SECRET);
    await pub.disconnect();
  });
});
