// Scenario "websocket": latency of the WebSocket PCM output, against LiveKit's audio path modelled
// in GStreamer (bench/lib/gst-pcm-peer.mjs), everything in real time on one machine's clock.
//
//   publisher process   livekit-server + an rtc-node publisher of a mono Opus track with clicks at
//                       known capture times (scripts/load/click-publisher-process.ts)
//   egress process      EgressService → websocket_url of a `ws` server here; its CPU and RSS are
//                       the stream's (scripts/load/ws-egress-process.ts; BENCH_WS_DRIVER=library:
//                       the job's pieces without the service)
//   this process        the `ws` receiver; the tap: a second subscription of the same track
//                       (subscribeTrack) that decodes each packet on its own to stamp each click with
//                       the arrival of its packet, and forwards every packet over UDP to the
//                       GStreamer peers; click detection in every received stream (bench/lib/clicks.mjs)
//
// Reported: packet arrival → message handed to the socket, p50/p99 (the stream's own histogram,
// TrackPcmStream stats().latency, when the job exposes it); packet arrival (tap) → receiver arrival
// p50/p99 for ours and each peer, with the ratios; publisher capture → receiver arrival and its
// common part (capture → tap); CPU s/s and RSS per stream.
// Env: BENCH_WS_SECONDS (default 60) of clicks every BENCH_WS_CLICK_MS (default 250);
// BENCH_WS_PEERS (default fast,livekit; empty: none); BENCH_WS_STREAMS (default 1): that many
// egresses of the track in the egress process, CPU and RSS per stream divided by it;
// BENCH_WS_DRIVER=library: the job's pieces without the EgressService.
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { ClickDetector, matchClicks, percentile } from './clicks.mjs';
import { PEER_SETTINGS, startPeer } from './gst-pcm-peer.mjs';
import { jsonChild, tsImport } from './json-child.mjs';

/** The goal of issue 9: packet arrival → message handed to the socket, p99. */
export const GOAL_MS = 100;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
/** A ratio: one decimal below 10, none above. */
const ratio = (x) => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(1) : x.toFixed(0)}×` : 'n/a');

/** The `ws` receiver: one connection expected; PCM into a ClickDetector. */
/** The `ws` receiver: the first connection's PCM goes into a ClickDetector, the others are counted. */
async function startReceiver() {
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const r = {
    url: `ws://127.0.0.1:${wss.address().port}/bench?token=secret`,
    detector: new ClickDetector(48000, 2),
    contentType: undefined, texts: [], binarySizes: new Map(), close: undefined,
    connections: 0, open: 0, otherBytes: 0,
  };
  const closedWaiters = new Set();
  /** Resolves once every connection so far has closed. */
  r.allClosed = () => new Promise((resolve) => { if (r.open === 0) resolve(); else closedWaiters.add(resolve); });
  wss.on('connection', (ws, req) => {
    const first = r.connections++ === 0;
    r.open++;
    if (first) r.contentType = req.headers['content-type'];
    ws.on('message', (data, isBinary) => {
      if (!first) { if (isBinary) r.otherBytes += data.length; return; }
      if (!isBinary) { r.texts.push(data.toString()); return; }
      r.binarySizes.set(data.length, (r.binarySizes.get(data.length) ?? 0) + 1);
      r.detector.push(data);
    });
    ws.on('close', (code, reason) => {
      if (first) r.close = { code, reason: reason.toString() };
      if (--r.open === 0) for (const w of closedWaiters) w();
    });
  });
  r.stop = () => new Promise((resolve) => { for (const c of wss.clients) c.terminate(); wss.close(() => resolve()); });
  return r;
}

function gstAvailable() {
  const r = spawnSync('gst-launch-1.0', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0].replace(/^gst-launch-1\.0 version /, '') : undefined;
}

/** Capture → receiver, and subscriber arrival (the tap's) → receiver, per matched click, ms. */
function summarize(name, detector, published, rate, tapArrivals) {
  const m = matchClicks(detector.clicks, published, rate);
  const after = [];
  for (const [k, us] of m.arrivals) {
    const t = tapArrivals?.get(k);
    if (t !== undefined) after.push((us - t) / 1000);
  }
  return {
    name, n: m.latMs.length, missing: m.missing, unmatched: m.unmatched, byTime: m.byTime,
    p50: percentile(m.latMs, 50), p99: percentile(m.latMs, 99), max: Math.max(...m.latMs),
    a50: percentile(after, 50), a99: percentile(after, 99), amax: Math.max(...after), an: after.length,
  };
}

/** Runs the scenario; returns its Markdown section. */
export async function runWebsocketBench({ rootDir, log }) {
  const seconds = Number(process.env.BENCH_WS_SECONDS ?? 60);
  const clickMs = Number(process.env.BENCH_WS_CLICK_MS ?? 250);
  const driver = process.env.BENCH_WS_DRIVER === 'library' ? 'library' : 'service';
  const streams = driver === 'service' ? Math.max(1, Number(process.env.BENCH_WS_STREAMS ?? 1)) : 1;
  const peerNames = (process.env.BENCH_WS_PEERS ?? 'fast,livekit').split(',').map((s) => s.trim()).filter((s) => s in PEER_SETTINGS);
  const title = `## WebSocket PCM latency (${driver === 'service' ? 'EgressService' : 'TrackPcmStream'} → \`ws\` receiver, against LiveKit's audio path in GStreamer)`;
  const { liveKitServerBinary } = await tsImport(rootDir, 'test/support/livekit-server.ts');
  if (!existsSync(liveKitServerBinary())) return `${title}\n\n⚠ WARNING: livekit-server not installed (bash scripts/livekit-server.sh install): scenario skipped\n`;
  const gstVersion = peerNames.length ? gstAvailable() : undefined;
  const warnings = [];
  if (peerNames.length && !gstVersion) warnings.push('gst-launch-1.0 not found (scripts/install-system-deps.sh installs it): peers skipped');
  const peersToRun = gstVersion ? peerNames : [];

  log('websocket: starting livekit-server and the click publisher');
  const pub = jsonChild(rootDir, ['--import', 'tsx', join(rootDir, 'scripts', 'load', 'click-publisher-process.ts')], {}, 'click publisher', { killAfterMs: 20_000 });
  const cleanups = [];
  try {
    const { server, track } = await pub.next('track', 120_000);
    const receiver = await startReceiver();
    cleanups.push(() => receiver.stop());

    // A second subscription of the same track in this process: the tap (each packet decoded on its
    // own to find the clicks: their arrival at a subscriber, the reference that cancels the path
    // every pipeline shares) and the feed of the GStreamer peers.
    const { subscribeTrack } = await tsImport(rootDir, 'src/livekit/subscribe-track.ts');
    const { PcmDecoder } = await tsImport(rootDir, 'src/core/pcm-decoder.ts');
    const source = await subscribeTrack({ ...server, roomName: track.room, identity: 'bench-tap', trackSid: track.sid, bindAddress: '127.0.0.1' });
    cleanups.push(() => source.close());
    const tapDecoder = await PcmDecoder.create({ channels: 1, sampleRate: 48000, outputChannels: 1, reorderWaitMs: 0 });
    cleanups.push(async () => tapDecoder.close());
    const tap = new ClickDetector(48000, 1);
    const peers = [];
    const udp = createSocket('udp4');
    cleanups.push(() => new Promise((r) => udp.close(r)));
    for (const name of peersToRun) {
      const detector = new ClickDetector(48000, 2);
      const peer = await startPeer(name, source.info.codec.payloadType, (chunk) => detector.push(chunk));
      cleanups.push(() => peer.stop());
      peers.push({ name, peer, detector });
    }
    const onRtp = (packet, arrivalUs) => {
      for (const p of peers) udp.send(packet, p.peer.port, '127.0.0.1');
      tapDecoder.push(packet, arrivalUs);
      for (const piece of tapDecoder.drain()) tap.push(piece, arrivalUs);
    };
    source.on('rtp', onRtp);
    cleanups.push(async () => source.off('rtp', onRtp)); // runs first: nothing reaches a closed decoder or socket
    if (peersToRun.length) log(`websocket: GStreamer peers ${peersToRun.join(', ')} fed from a second subscription (payload type ${source.info.codec.payloadType})`);

    const egress = jsonChild(rootDir, ['--expose-gc', '--import', 'tsx', join(rootDir, 'scripts', 'load', 'ws-egress-process.ts')],
      { LOAD_JSON: JSON.stringify({ server, track }), WS_URL: receiver.url, WS_DRIVER: driver, WS_STREAMS: String(streams) }, 'egress process', { killAfterMs: 20_000 });
    cleanups.push(() => egress.stop());
    const { idle } = await egress.next('idle', 60_000);
    await egress.next('started', 30_000);
    await egress.next('active', 60_000);
    log('websocket: egress ACTIVE; waiting for every receiver to get audio');
    // Every stream flowing for ≥ 1 s (the synced peer starts after its whole latency).
    const flowing = () => receiver.connections >= streams && [receiver.detector, ...peers.map((p) => p.detector)].every((d) => d.frames >= 48000);
    for (let t = 0; !flowing(); t++) {
      if (t > 300) throw new Error(`no audio after 30 s: ours ${receiver.detector.frames} samples, ${peers.map((p) => `${p.name} ${p.detector.frames}${p.peer.running() ? '' : ` (exited: ${p.peer.stderr()})`}`).join(', ')}`);
      await sleep(100);
    }
    await sleep(1000);
    if (receiver.detector.clicks.length || tap.clicks.length || peers.some((p) => p.detector.clicks.length)) warnings.push('something loud came before the first click: matching may be off');

    egress.send('mark');
    const peerCpu0 = peers.map((p) => p.peer.cpuSeconds());
    const t0 = performance.now();
    const clicks = Math.max(1, Math.round((seconds * 1000) / clickMs));
    log(`websocket: ${clicks} clicks every ${clickMs} ms (${seconds} s)`);
    pub.send(`clicks ${clickMs} ${clicks}`);
    await pub.next('clicksDone', seconds * 1000 + 30_000);
    const published = pub.messages.filter((m) => m.click).map((m) => m.click);
    // The slowest peer's output still has to arrive (LiveKit's settings: ≈ 5 s behind).
    await sleep(peersToRun.includes('livekit') ? 6000 : 1500);
    const wallS = (performance.now() - t0) / 1000;
    const peerCpu = peers.map((p, i) => (p.peer.cpuSeconds() - peerCpu0[i]) / wallS);
    const peerMem = peers.map((p) => p.peer.rssMiB());
    egress.send('report');
    const { report } = await egress.next('report', 30_000);
    egress.send('stop');
    const { ended } = await egress.next('ended', 30_000);
    await Promise.race([receiver.allClosed(), sleep(5000)]);

    const tapM = matchClicks(tap.clicks, published, 48000);
    const common = { p50: percentile(tapM.latMs, 50), p99: percentile(tapM.latMs, 99), max: Math.max(...tapM.latMs), n: tapM.latMs.length };
    const ours = summarize(driver === 'service' ? `track-egress (EgressService → ws${streams > 1 ? `, 1 of ${streams} streams` : ''})` : 'track-egress (TrackPcmStream → ws, library)', receiver.detector, published, 48000, tapM.arrivals);
    const rows = peers.map((p, i) => ({ ...summarize(PEER_SETTINGS[p.name].label, p.detector, published, 48000, tapM.arrivals), cpu: peerCpu[i], mem: peerMem[i] }));
    const lat = report.stats?.latency;
    const stats = report.stats ?? {};

    const cpuInfo = `${f(report.cpuPerSec, 4)} CPU s/s (idle before the stream: ${f(idle.cpuPerSec, 4)})`;
    const lines = [
      title,
      '',
      `- ${clicks} clicks (5 ms, 2 kHz) every ${clickMs} ms over a quiet 150 Hz sine, published by @livekit/rtc-node (mono Opus 48 kHz, DTX off) to a local livekit-server; a click is detected at the first sample of channel 0 above 1/5 of full scale and stamped with the arrival time of the WebSocket message (or stdout chunk) holding it; its capture time is its first sample's place on the publisher's wall clock`,
      driver === 'service'
        ? `- ours: EgressService.startTrackEgress with websocket_url (defaults: 48 kHz stereo s16le, 10 ms messages, reorderWaitMs 50) in its own process; the receiver is a \`ws\` server in the bench process`
        : `- ours (BENCH_WS_DRIVER=library): subscribeTrack → PcmWebSocket.connect → TrackPcmStream.create (defaults: 48 kHz stereo s16le, 10 ms messages, reorderWaitMs 50) in its own process, no EgressService; the receiver is a \`ws\` server in the bench process`,
      peersToRun.length ? `- peers: gst-launch-1.0 (GStreamer ${gstVersion}) \`udpsrc ! rtpjitterbuffer ! rtpopusdepay ! opusdec ! audiorate ! audioconvert ! audioresample ! S16LE 48k stereo ! audiomixer (+ silent live audiotestsrc) ! fdsink\`, fed every RTP packet of the second subscription over UDP on loopback as it arrives (it gets plain RTP: no signalling, ICE, DTLS/SRTP or NACK in its CPU); its stdout is read here` : '- peers: none',
      '- "packet arrival → receiver": per click, its arrival at the receiver minus the arrival (at a second subscriber of the same track, this process) of the RTP packet that holds it, found by decoding every packet there on its own (PcmDecoder, no reorder wait); this is the pipeline\'s own latency plus its delivery to the receiver, and what the ratios compare',
      '- "clicks found": clicks detected and matched out of those published (a pipeline that drops the audio holding a click misses it); "stream position breaks": matched clicks whose distance from the previous one in samples disagreed with the publisher\'s by more than 1/5 of the period (audio dropped or inserted: they were matched by arrival time instead); ratios > 1× mean the peer is slower',
      `- one machine, one clock (performance.timeOrigin + now()); publisher capture → receiver includes Opus encoding, the publisher's 10 ms frame, the SFU and WebRTC transport; both sides subscribe to the same SFU`,
      '',
      '| pipeline | clicks found | stream position breaks | packet arrival → receiver p50 ms | p99 ms | max ms | p50 ÷ ours | p99 ÷ ours | capture → receiver p50 ms | p99 ms | CPU s/s per stream | RSS MiB of the process | growth with the stream: RSS (noisy) / heap+external MiB |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      `| ${ours.name} | ${ours.n}/${published.length} | ${ours.byTime} | ${f(ours.a50)} | ${f(ours.a99)} | ${f(ours.amax)} | 1× | 1× | ${f(ours.p50)} | ${f(ours.p99)} | ${f((report.cpuPerSec - idle.cpuPerSec) / streams, 4)} | ${f(report.rssMiB, 1)} | ${f((report.rssMiB - idle.rssMiB) / streams, 1)} / ${f((report.heapMiB - idle.heapMiB) / streams, 1)} |`,
      ...rows.map((r) => `| ${r.name} | ${r.n}/${published.length} | ${r.byTime} | ${f(r.a50)} | ${f(r.a99)} | ${f(r.amax)} | ${ratio(r.a50 / ours.a50)} | ${ratio(r.a99 / ours.a99)} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.cpu, 4)} | ${f(r.mem.rss, 1)} (peak ${f(r.mem.peak, 1)}) | — |`),
      '',
      `Common path, publisher capture → packet arrival at a subscriber (the tap, ${common.n} clicks): p50 ${f(common.p50)} ms, p99 ${f(common.p99)} ms, max ${f(common.max)} ms — Opus encoding, the publisher's 10 ms frame, WebRTC and the SFU; the same for every row, so the ratios use packet arrival → receiver. In the publisher, a click's frame was handed over p50 ${f(percentile(published.map((c) => c.lagMs), 50))} ms after its last sample was due, with ${f(percentile(published.map((c) => c.queuedMs), 50), 0)} ms (p50) queued in the AudioSource.`,
      '',
      lat && lat.count
        ? `Packet arrival → message handed to the socket (TrackPcmStream stats().latency, ${lat.count} messages): p50 ${f(lat.p50Us / 1000, 2)} ms, p99 ${f(lat.p99Us / 1000, 2)} ms, max ${f(lat.maxUs / 1000, 2)} ms → goal p99 < ${GOAL_MS} ms ${lat.p99Us / 1000 < GOAL_MS ? 'met' : 'NOT met'}.`
        : `Packet arrival → message handed to the socket: not reported (the job's EgressJobStats carries no \`latency\`).`,
      `Ours: ${cpuInfo} in the egress process over ${f(report.seconds, 0)} s (service + LiveKit subscription + decode + socket), RSS ${f(report.rssMiB, 1)} MiB after GC vs ${f(idle.rssMiB, 1)} MiB before the stream${streams > 1 ? `s; ${streams} egresses of the same track in that process (the other ${streams - 1} receivers got ${f(receiver.otherBytes / 1e6, 1)} MB)` : ''}; the table's CPU and RSS per stream are the differences${streams > 1 ? ` ÷ ${streams}` : ''}; ` +
        `stream: ${stats.packets ?? '?'} packets, ${stats.lost ?? '?'} lost, ${stats.framesDropped ?? '?'} messages dropped; final status ${ended.status}${ended.error ? ` (${ended.error})` : ''}; receiver saw Content-Type ${receiver.contentType ?? '(none)'}, message sizes ${[...receiver.binarySizes].map(([k, v]) => `${k} B × ${v}`).join(', ')}, text ${JSON.stringify(receiver.texts)}, close ${receiver.close ? `${receiver.close.code} "${receiver.close.reason}"` : 'none'}.`,
    ];
    if (common.n < published.length * 0.9) warnings.push(`the tap found only ${common.n} of ${published.length} clicks`);
    const bad = [ours, ...rows].filter((r) => r.n < published.length * 0.9 || r.unmatched > 0);
    for (const r of bad) warnings.push(`${r.name}: ${r.n} of ${published.length} clicks matched (${r.missing} missing, ${r.unmatched} detections matched nothing)`);
    for (const p of peers) if (!p.peer.running()) warnings.push(`${p.name} peer exited early: ${p.peer.stderr()}`);
    for (const w of warnings) lines.push(`\n⚠ WARNING: ${w}`);
    log(`websocket: packet arrival → receiver p50 / p99: ours ${f(ours.a50)} / ${f(ours.a99)} ms; ${rows.map((r, i) => `${peers[i].name} ${f(r.a50)} / ${f(r.a99)} ms`).join('; ')}; common path ${f(common.p50)} / ${f(common.p99)} ms`);
    return `${lines.join('\n')}\n`;
  } catch (err) {
    return `${title}\n\n⚠ WARNING: scenario failed: ${String(err?.message ?? err).split('\n')[0]}\n`;
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    await pub.stop();
  }
}

