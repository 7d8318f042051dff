/**
 * WebSocket PCM output of the EgressService (issue 9), end to end with real components: a
 * livekit-server, an @livekit/rtc-node publisher of a known signal (a 440 Hz sine with clicks at
 * known times, test/support/pcm-signal.ts), the service in this process (on the backend under
 * test), and a real `ws` server as the receiver (test/support/pcm-receiver.ts).
 *
 * Times in the received PCM are measured from the signal's marker click (the first click), which
 * the publisher plays once the egress is ACTIVE: the received stream must carry the signal's
 * samples at the right places — clicks ± 20 ms, the end of the signal ± 20 ms, the mute's silence
 * at its length — at the requested rate and channel count (the sine's frequency per channel shows a
 * rate or stereo/mono mix-up).
 */
import { readFileSync } from 'node:fs';

import { EgressInfo, EgressStatus, StreamInfo_Status, TrackEgressRequest } from '@livekit/protocol';
import { afterEach, describe, expect, it } from 'vitest';

import { EgressService } from '../../src/egress/egress-service.js';
import type { EgressServiceConfig } from '../../src/egress/service-types.js';
import type { PcmStreamOptions } from '../../src/egress/websocket/pcm-stream-options.js';
import { BACKEND } from '../support/backend.js';
import { listParticipants } from '../support/livekit-publisher.js';
import { watchUpdates } from '../support/egress-updates.js';
import { useLiveKitTestBed } from '../support/livekit-testbed.js';
import { startPcmReceiver, type PcmReceiver, type PcmReceiverOptions, type ReceivedConnection } from '../support/pcm-receiver.js';
import {
  dominantFrequency,
  findClicks,
  matchClicks,
  pcmFrom,
  pcmSeconds,
  publishSignal,
  UNDERRUN_HINT,
  silentRuns,
  soundEnd,
  type Pcm,
  type SignalOptions,
  type SignalTrack,
} from '../support/pcm-signal.js';

const bed = useLiveKitTestBed('ws-egress');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const S = EgressStatus;
/** A query value that must reach the receiver and appear nowhere else. */
const SECRET = 'sk-ws-9f3c2a71d0';
/** Clicks and the end of the signal must land within this of their places, seconds. */
const TOL = 0.02;

const receivers: PcmReceiver[] = [];
const services: EgressService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close({ deadlineMs: 3000 });
  for (const r of receivers.splice(0)) await r.close();
});

/** A service on the test bed's server with PCM options `pcm`; collects its updates. */
function service(pcm?: PcmStreamOptions, extra: Partial<EgressServiceConfig> = {}) {
  const config: EgressServiceConfig = { apiKey: bed.server.apiKey, apiSecret: bed.server.apiSecret, wsUrl: bed.server.url,
    recordingsDir: bed.dir, ...extra, ...(pcm ? { websocket: pcm } : {}) };
  const svc = new EgressService(config);
  services.push(svc);
  const { updates, statuses, until } = watchUpdates(svc);
  return { svc, updates, statuses, until };
}

const wsRequest = (roomName: string, trackId: string, url: string) =>
  new TrackEgressRequest({ roomName, trackId, output: { case: 'websocketUrl', value: url } });

async function receiver(opts: PcmReceiverOptions = {}): Promise<PcmReceiver> {
  const rx = await startPcmReceiver(opts);
  receivers.push(rx);
  return rx;
}

/** A publisher of the signal, a receiver, a service streaming the track to it; ACTIVE, marker played. */
async function streaming(signal: SignalOptions, pcm?: PcmStreamOptions, rxOpts: PcmReceiverOptions = {}) {
  const room = bed.room();
  const pub = await bed.publisher(room, 'alice');
  const sig = await publishSignal(pub, signal);
  const rx = await receiver(rxOpts);
  const svc = service(pcm);
  const url = `${rx.url}/stt?token=${SECRET}&lang=en`;
  const started = await svc.svc.startTrackEgress(wsRequest(room, sig.sid, url));
  expect(started.status).toBe(S.EGRESS_STARTING);
  const id = started.egressId;
  const active = await svc.until(id, S.EGRESS_ACTIVE);
  const activeAtMs = performance.now();
  sig.start();
  const conn = await rx.connection();
  return { room, pub, sig, rx, conn, id, active, activeAtMs, ...svc };
}

/** Every update's JSON is free of the URL's secret; the stream result names the redacted URL. */
function expectNoSecret(updates: EgressInfo[], rx: PcmReceiver) {
  for (const u of updates) expect(JSON.stringify(u.toJson())).not.toContain(SECRET);
  const redacted = `${rx.url}/stt?token={...}&lang={...}`;
  const last = updates[updates.length - 1]!;
  expect(last.streamResults.map((s) => s.url)).toEqual([redacted]);
  expect(last.result.case).toBe('stream');
  expect(last.result.case === 'stream' && last.result.value.info.map((s) => s.url)).toEqual([redacted]);
}

/** The received PCM and where the signal's marker is in it. */
function analyse(conn: ReceivedConnection, rate: number, channels: number, sig: SignalTrack) {
  const pcm = pcmFrom(conn.pcm(), rate, channels);
  const clicks = findClicks(pcm);
  expect(clicks.length, `clicks found at ${clicks.map((c) => c.toFixed(3)).join(', ')} s`).toBeGreaterThan(0);
  const marker = clicks[0]!;
  const { errors, extra } = matchClicks(clicks, sig.clicksSec);
  expect(sig.underrunSinceMarkerMs(), UNDERRUN_HINT).toBeLessThan(10); // shifts the signal by as much
  const report = `clicks (s after the marker): expected ${sig.clicksSec.join(', ')}; errors ${errors.map((e) => (e * 1000).toFixed(1)).join(', ')} ms; extra ${extra.join(', ')}`;
  console.log(`[${BACKEND}] ${rate} Hz × ${channels}: ${pcmSeconds(pcm).toFixed(3)} s received, marker at ${marker.toFixed(3)} s; ${report}`);
  return { pcm, marker, errors, extra, report };
}

/** Max |sample| per `stepSec` from `fromSec`, for failure messages. */
function peaks(pcm: Pcm, fromSec: number, lenSec: number, stepSec: number): string {
  const out: number[] = [];
  for (let t = Math.max(0, fromSec); t < Math.min(pcmSeconds(pcm), fromSec + lenSec); t += stepSec) {
    let m = 0;
    for (let i = Math.round(t * pcm.sampleRate) * pcm.channels; i < Math.round((t + stepSec) * pcm.sampleRate) * pcm.channels && i < pcm.data.length; i++) {
      m = Math.max(m, Math.abs(pcm.data[i]!));
    }
    out.push(m);
  }
  return out.join(' ');
}

function expectFrequency(pcm: Pcm, fromSec: number, toSec: number) {
  for (let c = 0; c < pcm.channels; c++) {
    const f = dominantFrequency(pcm, c, { fromSec, toSec });
    expect(Math.abs(f - 440), `channel ${c}: ${f.toFixed(2)} Hz between ${fromSec.toFixed(2)} and ${toSec.toFixed(2)} s`).toBeLessThan(2);
  }
}

describe(`WebSocket PCM output of the EgressService (real livekit-server, ${BACKEND})`, () => {
  it('48 kHz stereo (LiveKit\'s format): 1920-byte frames, signal at its times, 2 s mute → one {"muted":true} and one {"muted":false} around the right silence; the publisher leaves → 1000 + COMPLETE', async () => {
    const signal = { clicksMs: [500, 3700, 4500], durationMs: 5000 };
    const s = await streaming(signal);
    await sleep(1200);
    const markerAt = s.sig.markerWallMs!;
    const mutedAt = await s.sig.mute();
    await sleep(2000);
    const unmutedAt = await s.sig.unmute();
    await s.sig.ended;
    const endedAt = performance.now();
    await sleep(200); // the last packets leave the publisher (its waitForPlayout is an estimate)
    const leftAt = await s.sig.leave();
    const closed = await s.conn.closed;
    const done = await s.until(s.id, S.EGRESS_COMPLETE);

    // The connection: LiveKit's header, the URL as given (the receiver needs its token).
    expect(s.conn.headers['content-type']).toBe('audio/x-raw');
    expect(s.conn.url).toBe(`/stt?token=${SECRET}&lang=en`);
    expect(closed).toMatchObject({ code: 1000, reason: 'participant left' });

    // Messages: binary frames of exactly 1920 bytes; two text messages, in order, at the mute's edges.
    const binary = s.conn.messages.filter((m) => m.kind === 'binary');
    expect(new Set(binary.map((m) => m.size))).toEqual(new Set([1920]));
    expect(s.conn.texts()).toEqual(['{"muted":true}', '{"muted":false}']);

    const { pcm, marker, errors, extra, report } = analyse(s.conn, 48000, 2, s.sig);
    for (const e of errors) expect(Math.abs(e), report).toBeLessThanOrEqual(TOL);
    expect(extra, report).toEqual([]);
    expectFrequency(pcm, marker + 0.05, marker + 0.45);
    expectFrequency(pcm, marker + 3.75, marker + 4.45);

    // The mute: one silent run as long as the publisher was muted (wall clock, so ± 100 ms), where
    // the publisher muted; the text messages sit at its edges in the byte stream.
    const runs = silentRuns(pcm, { minMs: 200 }).filter((r) => r.endSec < pcmSeconds(pcm));
    const muteWall = (unmutedAt - mutedAt) / 1000;
    console.log(`[${BACKEND}] mute ${muteWall.toFixed(3)} s (wall); silent runs ${JSON.stringify(runs)}; texts at ${s.conn.messages
      .filter((m) => m.kind === 'text').map((m) => (m.offset / 192_000 - marker).toFixed(3)).join(', ')} s after the marker`);
    expect(runs, `peaks per 20 ms from 0.1 s before the mute's silence: ${peaks(pcm, (runs[0]?.startSec ?? 0) - 0.1, 2.3, 0.02)}`).toHaveLength(1);
    const run = runs[0]!;
    expect(Math.abs(run.durationSec - muteWall), JSON.stringify(runs)).toBeLessThan(0.1);
    expect(Math.abs(run.startSec - marker - (mutedAt - markerAt) / 1000)).toBeLessThan(0.15);
    const [mutedMsg, unmutedMsg] = s.conn.messages.filter((m) => m.kind === 'text');
    expect(Math.abs(mutedMsg!.offset / 192_000 - run.startSec)).toBeLessThan(0.25);
    expect(Math.abs(unmutedMsg!.offset / 192_000 - run.endSec)).toBeLessThan(0.25);

    // Length: the signal ends exactly durationSec after the marker (± 20 ms); what follows is the
    // silence the source sent between the end of the signal and the publisher leaving.
    const end = soundEnd(pcm);
    const leaveGap = (leftAt - endedAt) / 1000;
    console.log(`[${BACKEND}] sound ends ${(end.endSec - marker).toFixed(3)} s after the marker (${s.sig.durationSec} s published), ` +
      `then ${end.tailSec.toFixed(3)} s of silence; ${leaveGap.toFixed(3)} s from the end of the signal to leaving`);
    expect(Math.abs(end.endSec - marker - s.sig.durationSec)).toBeLessThanOrEqual(TOL);
    expect(end.tailSec).toBeLessThan(leaveGap + 0.15);

    // EgressInfo: COMPLETE, Source closed, a FINISHED stream result with the redacted URL.
    expect(s.statuses(s.id)).toEqual(['EGRESS_STARTING', 'EGRESS_ACTIVE', 'EGRESS_ENDING', 'EGRESS_COMPLETE']);
    expect(done).toMatchObject({ details: 'End reason: Source closed', error: '', errorCode: 0 });
    const st = done.streamResults[0]!;
    expect(st.status).toBe(StreamInfo_Status.FINISHED);
    expect(st.startedAt).toBeGreaterThan(0n);
    expect(st.endedAt).toBeGreaterThan(st.startedAt);
    expect(Math.abs(Number(st.duration) / 1e9 - pcmSeconds(pcm))).toBeLessThan(0.25);
    expect(s.active.streamResults[0]).toMatchObject({ status: StreamInfo_Status.ACTIVE, startedAt: st.startedAt });
    expect(done.manifestLocation).toBe('');
    expectNoSecret(s.updates, s.rx);
  });

  it('16 kHz mono (configured): 320-byte frames, the same signal checks at that format; StopEgress → 1000 + COMPLETE', async () => {
    const s = await streaming({ clicksMs: [400, 1300, 2100], durationMs: 2500 }, { sampleRate: 16000, channels: 1 });
    await s.sig.ended;
    await sleep(300); // the last packets reach the egress
    const ending = await s.svc.stopEgress(s.id);
    expect(ending.status).toBe(S.EGRESS_ENDING);
    const closed = await s.conn.closed;
    const done = await s.until(s.id, S.EGRESS_COMPLETE);
    expect(closed).toMatchObject({ code: 1000, reason: 'egress stopped' });
    expect(s.conn.headers['content-type']).toBe('audio/x-raw');
    expect(new Set(s.conn.messages.map((m) => (m.kind === 'binary' ? m.size : m.text)))).toEqual(new Set([320]));

    const { pcm, marker, errors, extra, report } = analyse(s.conn, 16000, 1, s.sig);
    for (const e of errors) expect(Math.abs(e), report).toBeLessThanOrEqual(TOL);
    expect(extra, report).toEqual([]);
    expectFrequency(pcm, marker + 0.45, marker + 1.25);
    // The whole signal reached the receiver; what follows it (the stop came 300 ms after its end) is silence.
    const end = soundEnd(pcm);
    console.log(`[${BACKEND}] sound ends ${(end.endSec - marker).toFixed(3)} s after the marker (${s.sig.durationSec} s published), then ${end.tailSec.toFixed(3)} s of silence`);
    expect(Math.abs(end.endSec - marker - s.sig.durationSec)).toBeLessThanOrEqual(TOL);
    expect(end.tailSec).toBeLessThan(0.3 + 0.25);

    expect(s.statuses(s.id)).toEqual(['EGRESS_STARTING', 'EGRESS_ACTIVE', 'EGRESS_ENDING', 'EGRESS_COMPLETE']);
    expect(done).toMatchObject({ details: 'End reason: StopEgress API', error: '' });
    expect(done.streamResults[0]?.status).toBe(StreamInfo_Status.FINISHED);
    expectNoSecret(s.updates, s.rx);
    await s.sig.leave();
  });

  it('the receiver closing its end → FAILED 503 with a clear error, stream result FAILED; the job leaves the room', async () => {
    const s = await streaming({ durationMs: 20_000 });
    await sleep(800);
    s.conn.close(1001, 'going away');
    const failed = await s.until(s.id, S.EGRESS_FAILED);
    console.log(`[${BACKEND}] receiver closed: ${failed.error}`);
    expect(failed.error).toMatch(/^websocket closed by the receiver \(code 1001 going away\)$/);
    expect(failed.errorCode).toBe(503);
    expect(s.statuses(s.id)).toEqual(['EGRESS_STARTING', 'EGRESS_ACTIVE', 'EGRESS_FAILED']);
    const st = failed.streamResults[0]!;
    expect(st.status).toBe(StreamInfo_Status.FAILED);
    expect(st.error).not.toBe('');
    expect(st.endedAt).toBeGreaterThan(st.startedAt);
    expectNoSecret(s.updates, s.rx);
    await expect.poll(async () => (await listParticipants(bed.server, s.room)).map((p) => p.identity), { timeout: 5000 }).toEqual(['alice']);
    expect(s.svc.jobStats()).toEqual([]);
    await s.sig.leave();
  });

  // Loopback TCP buffers hold a lot: the sender's send buffer autotunes up to tcp_wmem[2] (4 MiB
  // here), ≈ 20 s of 48 kHz stereo. So a receiver that reads nothing for 10 s loses nothing (the
  // kernel holds it): checked first. It then goes on reading nothing until the queue (500 ms here)
  // overflows — the first drop is awaited (≤ 40 s) — and the drops must be reported. ~25 s, so it
  // runs on native only: the queue and the socket are TypeScript above the backend.
  it.skipIf(BACKEND !== 'native')('a receiver that reads nothing: memory stays bounded; once the kernel buffers are full, the oldest audio is dropped and reported', async () => {
    const s = await streaming({ durationMs: 60_000 }, { maxQueueMs: 500 }, { pauseOnConnectMs: Infinity });
    const rss0 = process.memoryUsage().rss;
    let rssMax = rss0;
    let maxInFlight = 0;
    const job = () => s.svc.jobStats().find((j) => j.egressId === s.id);
    let maxQueued = 0;
    const sampler = setInterval(() => {
      rssMax = Math.max(rssMax, process.memoryUsage().rss);
      const j = job();
      // Handed to the socket but not read by the receiver: ws's buffer + the kernel's.
      if (j) maxInFlight = Math.max(maxInFlight, j.bytesWritten - s.conn.pcmBytes);
      if (j) maxQueued = Math.max(maxQueued, j.queuedBytes);
    }, 100);
    let droppedAtSec = NaN;
    let tenSec = { rss: 0, dropped: 0 };
    try {
      await sleep(10_000);
      tenSec = { rss: process.memoryUsage().rss, dropped: job()?.framesDropped ?? -1 };
      const deadline = performance.now() + 30_000;
      while (!((job()?.framesDropped ?? 0) > 0) && performance.now() < deadline) await sleep(100);
      droppedAtSec = (performance.now() - s.activeAtMs) / 1000;
      await sleep(1000);
      expect(s.conn.pcmBytes).toBe(0); // never read so far
      s.conn.resume();
      await sleep(1000);
    } finally {
      clearInterval(sampler);
    }
    const leftAt = await s.sig.leave();
    const closed = await s.conn.closed;
    const done = await s.until(s.id, S.EGRESS_COMPLETE);
    const streamedSec = (leftAt - s.activeAtMs) / 1000;
    const received = s.conn.pcmBytes / 1920;
    const m = /; (\d+) PCM messages \(([\d.]+) s\) dropped: receiver too slow$/.exec(done.details);
    console.log(`[${BACKEND}] slow receiver: after 10 s RSS +${((tenSec.rss - rss0) / 2 ** 20).toFixed(1)} MiB, framesDropped ${tenSec.dropped}; ` +
      `first drop ${droppedAtSec.toFixed(1)} s after ACTIVE; RSS max +${((rssMax - rss0) / 2 ** 20).toFixed(1)} MiB; in flight max ` +
      `${(maxInFlight / 1024).toFixed(0)} KiB, queued max ${(maxQueued / 1024).toFixed(0)} KiB; received ${received} frames for ${streamedSec.toFixed(2)} s streamed; details "${done.details}"`);
    expect(closed.code).toBe(1000);
    expect(tenSec.dropped).toBe(0);
    expect(done.details.startsWith('End reason: Source closed; ')).toBe(true);
    expect(m, done.details).not.toBeNull();
    const dropped = Number(m![1]);
    expect(dropped).toBeGreaterThan(0);
    expect(Number(m![2])).toBeCloseTo(dropped / 100, 1);
    // Received + dropped = everything streamed (ACTIVE → the publisher left), to within 0.3 s.
    expect(Math.abs((received + dropped) / 100 - streamedSec)).toBeLessThan(0.3);
    // Bounded: handed to the socket but unread ≤ ws's 64 KiB + one message + the kernel's send
    // buffer (≤ tcp_wmem max) + the receiver's receive buffer; the process grows by far less than
    // the audio it streamed while the receiver read nothing.
    const wmemMax = Number(readFileSync('/proc/sys/net/ipv4/tcp_wmem', 'utf8').trim().split(/\s+/)[2]);
    expect(maxInFlight).toBeLessThan(wmemMax + 2 ** 20);
    // Our own queue: ≤ max_queue_ms of messages (500 ms = 96 000 B) + ws's 64 KiB + one message.
    expect(maxQueued).toBeGreaterThan(0);
    expect(maxQueued).toBeLessThanOrEqual(96_000 + 65_536 + 1920);
    expect(rssMax - rss0).toBeLessThan(48 * 2 ** 20);
    expect(new Set(s.conn.messages.map((x) => (x.kind === 'binary' ? x.size : x.text)))).toEqual(new Set([1920]));
  }, 90_000);

  it('a track muted before the egress starts: {"muted":true} comes first, then {"muted":false} and the audio on unmute', async () => {
    const room = bed.room();
    const pub = await bed.publisher(room, 'alice');
    const sig = await publishSignal(pub, { clicksMs: [300], durationMs: 1000 });
    await sig.mute();
    await sleep(500);
    const rx = await receiver();
    const svc = service({ sampleRate: 16000, channels: 1 });
    const { egressId } = await svc.svc.startTrackEgress(wsRequest(room, sig.sid, `${rx.url}/stt`));
    const conn = await rx.connection();
    await expect.poll(() => conn.texts(), { timeout: 5000 }).toEqual(['{"muted":true}']);
    await sleep(500);
    await sig.unmute();
    await svc.until(egressId, S.EGRESS_ACTIVE);
    sig.start();
    await sig.ended;
    await sleep(200);
    await sig.leave();
    expect(await conn.closed).toMatchObject({ code: 1000 });
    await svc.until(egressId, S.EGRESS_COMPLETE);
    expect(conn.texts()).toEqual(['{"muted":true}', '{"muted":false}']);
    expect(conn.messages[0]).toMatchObject({ kind: 'text', text: '{"muted":true}', offset: 0 });
    const { errors, report } = analyse(conn, 16000, 1, sig);
    for (const e of errors) expect(Math.abs(e), report).toBeLessThanOrEqual(TOL);
  });

  it('http:// → invalid_argument "invalid url … : invalid scheme" at once, the URL redacted', async () => {
    const { svc } = service();
    const err = await svc.startTrackEgress(wsRequest('r', 'TR_x', `http://127.0.0.1:9/stt?token=${SECRET}`)).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ twirpCode: 'invalid_argument', message: 'invalid url http://127.0.0.1:9/stt?token={...}: invalid scheme' });
    expect(await svc.listEgress()).toEqual([]);
  });

  it('a video track → FAILED 400 with LiveKit\'s text; the receiver never sees a connection', async () => {
    const room = bed.room();
    const pub = await bed.publisher(room, 'alice');
    const video = await pub.publishVideo('vp8');
    const rx = await receiver();
    const { svc, until, statuses } = service();
    const { egressId } = await svc.startTrackEgress(wsRequest(room, video.sid, `${rx.url}/stt?token=${SECRET}`));
    const failed = await until(egressId, S.EGRESS_FAILED);
    expect(failed.error).toBe('format websocket incompatible with codec video/VP8');
    expect(failed.errorCode).toBe(400);
    expect(statuses(egressId)).toEqual(['EGRESS_STARTING', 'EGRESS_FAILED']);
    await sleep(500);
    expect(rx.upgrades).toBe(0);
    expect(rx.connections).toHaveLength(0);
    await pub.disconnect();
  });

  it('an unreachable URL → FAILED 400 "websocket dial failed: …", no secret; the job is gone and has left the room', async () => {
    const room = bed.room();
    const pub = await bed.publisher(room, 'alice');
    const audio = await pub.publishAudio();
    const rx = await receiver();
    const deadUrl = `${rx.url}/stt?token=${SECRET}`;
    await rx.close(); // nothing listens on that port any more
    const { svc, until, statuses, updates } = service();
    const { egressId } = await svc.startTrackEgress(wsRequest(room, audio.sid, deadUrl));
    const failed = await until(egressId, S.EGRESS_FAILED);
    console.log(`[${BACKEND}] unreachable: ${failed.error}`);
    expect(failed.error).toMatch(/^websocket dial failed: .*ECONNREFUSED/);
    expect(failed.errorCode).toBe(400);
    expect(statuses(egressId)).toEqual(['EGRESS_STARTING', 'EGRESS_FAILED']);
    for (const u of updates) expect(JSON.stringify(u.toJson())).not.toContain(SECRET);
    expect(svc.jobStats()).toEqual([]);
    expect(await svc.listEgress({ active: true })).toEqual([]);
    await expect.poll(async () => (await listParticipants(bed.server, room)).map((p) => p.identity), { timeout: 5000 }).toEqual(['alice']);
    await pub.disconnect();
  });
});
