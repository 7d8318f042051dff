// The load of the track-cpu benchmark (bench/lib/track-cpu.mjs), in a process of its own so that
// its cost is not counted against the egresses: a private livekit-server, one @livekit/rtc-node
// publisher with one Opus, one H.264 and one VP8 track, and a `ws` server that reads and drops
// every message (the WebSocket egresses' receiver).
//
//   node --import tsx bench/lib/track-cpu-publisher.ts
//
// Env: BENCH_TRACK_VIDEO = `<width>x<height>@<fps>:<maxBitrate bits/s>[:pattern]` (default
// 640x360@24:1000000 — random pictures, so that the encoder runs at the bitrate ceiling, as a
// camera does; `:pattern` sends rtc-node's moving test pattern instead, a far lower bitrate).
//
// JSON lines on stdout: `{ server, room, tracks: { opus, h264, vp8 }, wsUrl }` once everything is
// published; `{ done: { cpuPerSec, rssMiB, wsBytes, wsConnections } }` after stdin closes (or
// SIGTERM), then it stops everything and exits.
import { WebSocketServer } from 'ws';

import { connectPublisher, createRoom, disposeRtc, waitForTracks } from '../../test/support/livekit-publisher.js';
import { startLiveKitServer } from '../../test/support/livekit-server.js';
import { untilParentEnds } from '../../scripts/load/measured-child.js';

const emit = (m: unknown) => process.stdout.write(`${JSON.stringify(m)}\n`);

/** Parses BENCH_TRACK_VIDEO. */
function videoSettings(spec: string): { width: number; height: number; fps: number; maxBitrate: number; noise: boolean } {
  const m = /^(\d+)x(\d+)@(\d+):(\d+)(:pattern)?$/.exec(spec);
  if (!m) throw new Error(`BENCH_TRACK_VIDEO: expected <w>x<h>@<fps>:<bitrate>[:pattern], got "${spec}"`);
  return { width: Number(m[1]), height: Number(m[2]), fps: Number(m[3]), maxBitrate: Number(m[4]), noise: !m[5] };
}

async function main(): Promise<void> {
  const video = videoSettings(process.env.BENCH_TRACK_VIDEO ?? '640x360@24:1000000');
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  let wsBytes = 0;
  let wsConnections = 0;
  wss.on('connection', (ws) => {
    wsConnections++;
    ws.on('message', (data: Buffer) => (wsBytes += data.length));
  });
  const port = (wss.address() as { port: number }).port;

  const server = await startLiveKitServer({ logLevel: 'warn' });
  const room = `track-cpu-${process.pid}`;
  await createRoom(server, room, { emptyTimeout: 900, departureTimeout: 20 });
  const pub = await connectPublisher(server, room, 'load');
  const opus = await pub.publishAudio({ frequency: 440, name: 'opus' });
  const h264 = await pub.publishVideo('h264', { ...video, name: 'h264' });
  const vp8 = await pub.publishVideo('vp8', { ...video, name: 'vp8' });
  await waitForTracks(server, room, (ts) => [opus, h264, vp8].every((t) => ts.some((s) => s.sid === t.sid)), 15_000);

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  emit({
    server: { url: server.url, apiKey: server.apiKey, apiSecret: server.apiSecret },
    room,
    tracks: { opus: opus.sid, h264: h264.sid, vp8: vp8.sid },
    // A query value, as real receivers get (the egress must not log it).
    wsUrl: `ws://127.0.0.1:${port}/pcm?token=bench-secret`,
    video,
  });
  await untilParentEnds();
  const cpu = process.cpuUsage(cpu0);
  const wallS = (performance.now() - t0) / 1000;
  emit({ done: { cpuPerSec: (cpu.user + cpu.system) / 1e6 / wallS, rssMiB: process.memoryUsage().rss / 2 ** 20, wsBytes, wsConnections } });
  for (const c of wss.clients) c.terminate();
  wss.close();
  await pub.disconnect().catch(() => {});
  await server.stop();
  await disposeRtc();
  process.exit(0);
}

main().catch((err) => {
  console.error(`[track-cpu-publisher] ${String(err?.stack ?? err)}`);
  process.exit(1);
});
