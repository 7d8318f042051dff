/**
 * `track-egress record -o ws://…` against a real livekit-server: the CLI streams the track as PCM to
 * a real `ws` receiver instead of recording, at the format its --pcm-* flags ask for, stops after
 * --duration with Close 1000, and prints the EgressInfo (COMPLETE, stream_results) on stdout. The
 * URL's token reaches the receiver and nothing else.
 */
import { spawn } from 'node:child_process';

import { startHttpProxy } from '../support/http-proxy.js';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BACKEND } from '../support/backend.js';
import { useLiveKitTestBed } from '../support/livekit-testbed.js';
import { startPcmReceiver, type PcmReceiver } from '../support/pcm-receiver.js';
import { dominantFrequency, findClicks, matchClicks, pcmFrom, pcmSeconds, publishSignal, UNDERRUN_HINT } from '../support/pcm-signal.js';

const bed = useLiveKitTestBed('record-cli-ws');
const SECRET = 'rec-5d1b93e0aa42';
let rx: PcmReceiver;
beforeAll(async () => {
  rx = await startPcmReceiver();
});
afterAll(async () => rx?.close());

/** Runs `record` with `args` (after the connection flags); calls `onActive` once stderr says ACTIVE. */
function record(room: string, trackSid: string, args: string[], onActive: () => void, env: NodeJS.ProcessEnv = {}) {
  const argv = ['--import', 'tsx', 'src/cli/main.ts', 'record', '--url', bed.server.url, '--api-key', bed.server.apiKey,
    '--api-secret', bed.server.apiSecret, '--room', room, '--track', trackSid, ...args];
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const p = spawn(process.execPath, argv, { env: { ...process.env, TRACK_EGRESS_BACKEND: BACKEND, ...env } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => {
      err += d;
      if (/ACTIVE/.test(err)) onActive();
    });
    p.on('close', (code) => resolve({ code, out: out.trim(), err }));
  });
}

type InfoJson = {
  status?: string;
  details?: string;
  error?: string;
  streamResults?: { url: string; status?: string; startedAt: string; endedAt: string; duration: string }[];
};

describe(`track-egress record -o ws:// (real LiveKit server, ${BACKEND})`, () => {
  it('streams 24 kHz mono in 10 ms messages for --duration, closes 1000, prints COMPLETE with a FINISHED stream result', async () => {
    const room = bed.room();
    const pub = await bed.publisher(room, 'alice');
    const sig = await publishSignal(pub, { clicksMs: [700, 1500], durationMs: 6000 });
    const url = `${rx.url}/live?token=${SECRET}`;
    const r = await record(room, sig.sid, ['--duration', '3', '--pcm-sample-rate', '24000', '--pcm-channels', '1', '--pcm-frame-ms', '10', '-o', url],
      () => sig.start());
    expect(r.code, r.err).toBe(0);
    const info = JSON.parse(r.out) as InfoJson;
    expect(info).toMatchObject({ status: 'EGRESS_COMPLETE', details: 'End reason: StopEgress API' });
    expect(info.streamResults).toMatchObject([{ url: `${rx.url}/live?token={...}`, status: 'FINISHED' }]);
    expect(r.out + r.err).not.toContain(SECRET);

    const conn = await rx.connection();
    expect(conn.url).toBe(`/live?token=${SECRET}`);
    expect(conn.headers['content-type']).toBe('audio/x-raw');
    expect(await conn.closed).toMatchObject({ code: 1000, reason: 'egress stopped' });
    expect(new Set(conn.messages.map((m) => (m.kind === 'binary' ? m.size : m.text)))).toEqual(new Set([480]));
    const pcm = pcmFrom(conn.pcm(), 24000, 1);
    const clicks = findClicks(pcm);
    const { errors, extra } = matchClicks(clicks, sig.clicksSec);
    expect(sig.underrunSinceMarkerMs(), UNDERRUN_HINT).toBeLessThan(10); // shifts the signal by as much
    console.log(`[${BACKEND}] record -o ws://: ${pcmSeconds(pcm).toFixed(3)} s, clicks at ${clicks.map((c) => c.toFixed(3)).join(', ')}, ` +
      `errors ${errors.map((e) => (e * 1000).toFixed(1)).join(', ')} ms; publisher underruns ${JSON.stringify(sig.track.underruns)}; stream duration ${Number(info.streamResults![0]!.duration) / 1e9} s`);
    for (const e of errors) expect(Math.abs(e)).toBeLessThanOrEqual(0.02);
    expect(extra).toEqual([]);
    expect(Math.abs(dominantFrequency(pcm, 0, { fromSec: clicks[0]! + 0.05, toSec: clicks[0]! + 0.65 }) - 440)).toBeLessThan(2);
    // --duration 3: three seconds of PCM from the first packet (the stop is timed by the CLI, so ± 0.3 s).
    expect(Math.abs(pcmSeconds(pcm) - 3)).toBeLessThan(0.3);
    await sig.leave();
  }, 60_000);

  it('HTTP_PROXY: the WebSocket goes through an authenticated CONNECT proxy; the proxy password is printed nowhere', async () => {
    const proxy = await startHttpProxy();
    try {
      const room = bed.room();
      const pub = await bed.publisher(room, 'bob');
      const audio = await pub.publishAudio();
      const before = rx.connections.length;
      const proxyUrl = proxy.url.replace('http://', `http://${proxy.username}:${proxy.password}@`);
      const r = await record(room, audio.sid, ['--duration', '2', '-o', `${rx.url}/via-proxy`], () => {}, {
        HTTP_PROXY: proxyUrl, http_proxy: '', NO_PROXY: '', no_proxy: '', HTTPS_PROXY: '', https_proxy: '',
      });
      expect(r.code, r.err).toBe(0);
      expect((JSON.parse(r.out) as InfoJson).status).toBe('EGRESS_COMPLETE');
      const conn = await rx.connection(before);
      expect(conn.url).toBe('/via-proxy');
      expect(conn.headers['content-type']).toBe('audio/x-raw');
      expect(conn.pcmBytes).toBeGreaterThan(1.5 * 192_000);
      expect(proxy.log()).toMatch(new RegExp(`CONNECT.*127\\.0\\.0\\.1:${rx.port}`));
      expect(r.out + r.err).not.toContain(proxy.password);
      await pub.disconnect();
    } finally {
      await proxy.stop();
    }
  }, 60_000);
});
