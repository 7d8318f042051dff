// The publisher of the websocket latency benchmark (bench/lib/websocket.mjs), in a process of its
// own: a private livekit-server and one @livekit/rtc-node publisher of a mono 48 kHz Opus track that
// carries timing marks — a quiet sine with, on request, short loud clicks at known capture times.
//
//   node --import tsx scripts/load/click-publisher-process.ts
//
// Protocol (JSON lines): prints `{ server, track }` once the track is published. Reads commands
// on stdin: `clicks <periodMs> <count>` starts the clicks; each click is reported as
// `{ click: { i, captureUs, sample } }` when its frame is handed to the encoder, and
// `{ clicksDone: n }` after the last one. stdin closing (or SIGTERM) stops everything; a final
// `{ done: { cpuPerSec, loopP99Ms } }` line comes first.
//
// Capture time is what a microphone would give: sample n of the track was "captured" at
// t0 + n / 48 000 s, on the wall clock (performance.timeOrigin + performance.now(), the clock the
// egress stamps packet arrivals with, src/core/options.ts nowUs); a 10 ms frame is handed to the
// AudioSource once its last sample has been captured, as a sound card delivers it.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

import { AudioFrame, AudioSource, LocalAudioTrack, TrackPublishOptions, TrackSource } from '@livekit/rtc-node';

import { connectPublisher, createRoom, disposeRtc, waitForTracks } from '../../test/support/livekit-publisher.js';
import { startLiveKitServer } from '../../test/support/livekit-server.js';

const RATE = 48_000;
const FRAME = RATE / 100; // 10 ms
/** The marks: 5 ms of 2 kHz at 3/4 of full scale over a 150 Hz sine at 1/20 (detected at > 1/5, see bench/lib/clicks.mjs). */
const CLICK_SAMPLES = 240;
const CLICK_HZ = 2000;
const CLICK_AMPLITUDE = 24_000;
const BED_HZ = 150;
const BED_AMPLITUDE = 1_600;

const wallUs = () => (performance.timeOrigin + performance.now()) * 1000;
const emit = (m: unknown) => process.stdout.write(`${JSON.stringify(m)}\n`);

async function main(): Promise<void> {
  const server = await startLiveKitServer({ logLevel: 'warn' });
  const room = `ws-bench-${process.pid}`;
  await createRoom(server, room, { emptyTimeout: 600, departureTimeout: 20 });
  const pub = await connectPublisher(server, room, 'clicker');
  const source = new AudioSource(RATE, 1, 100);
  const track = LocalAudioTrack.createAudioTrack('clicks', source);
  const options = new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE, dtx: false, red: false });

  // Click schedule, in samples of this track; set by the `clicks` command.
  let nextClick = Infinity;
  let periodSamples = 0;
  let clicksLeft = 0;
  let clickNo = 0;
  let sample = 0;
  let busy = false;
  let stopped = false;
  const published = await pub.room.localParticipant!.publishTrack(track, options);
  const sid = published.sid!;
  // Sample 0 is captured now: the feed starts after publishing, as the test publishers do.
  const t0 = performance.now();
  const t0WallUs = wallUs();
  const pushDue = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      // Frame k holds samples [k·480, (k+1)·480): it is due once they have all been "captured".
      while (!stopped && performance.now() - t0 >= ((sample + FRAME) / RATE) * 1000) {
        const data = new Int16Array(FRAME);
        for (let i = 0; i < FRAME; i++) {
          const n = sample + i;
          let v = BED_AMPLITUDE * Math.sin((2 * Math.PI * BED_HZ * n) / RATE);
          if (n >= nextClick && n < nextClick + CLICK_SAMPLES) v = CLICK_AMPLITUDE * Math.sin((2 * Math.PI * CLICK_HZ * (n - nextClick)) / RATE);
          data[i] = Math.round(v);
          if (n === nextClick + CLICK_SAMPLES - 1) {
            // lagMs: how late this frame is handed over; queuedMs: audio waiting in the AudioSource.
            const lagMs = performance.now() - t0 - ((sample + FRAME) / RATE) * 1000;
            emit({ click: { i: clickNo, captureUs: Math.round(t0WallUs + (nextClick * 1e6) / RATE), sample: nextClick, lagMs, queuedMs: source.queuedDuration } });
            clickNo++;
            clicksLeft--;
            if (clicksLeft > 0) nextClick += periodSamples;
            else {
              nextClick = Infinity;
              emit({ clicksDone: clickNo });
            }
          }
        }
        sample += FRAME;
        await source.captureFrame(new AudioFrame(data, RATE, 1, FRAME));
      }
    } catch {
      /* source closed while pushing */
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void pushDue(), 2);
  await waitForTracks(server, room, (ts) => ts.some((t) => t.sid === sid), 15_000);

  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  emit({ server: { url: server.url, apiKey: server.apiKey, apiSecret: server.apiSecret }, track: { room, sid } });

  await new Promise<void>((resolve) => {
    createInterface({ input: process.stdin }).on('line', (line) => {
      const [cmd, period, count] = line.trim().split(/\s+/);
      if (cmd === 'clicks') {
        periodSamples = Math.round((Number(period) * RATE) / 1000);
        clicksLeft = Number(count);
        // The first click a little after the next frame, on a sample known in advance.
        nextClick = sample + 2 * FRAME + 7;
      }
    });
    process.stdin.once('end', resolve);
    process.stdin.once('error', () => resolve());
    process.once('SIGTERM', resolve);
  });
  const cpu = process.cpuUsage(cpu0);
  emit({ done: { cpuPerSec: (cpu.user + cpu.system) / 1e6 / ((performance.now() - started) / 1000), loopP99Ms: loop.percentile(99) / 1e6 } });
  stopped = true;
  clearInterval(timer);
  await pub.disconnect().catch(() => {});
  await track.close(false).catch(() => {});
  await source.close().catch(() => {});
  await server.stop();
  await disposeRtc();
  process.exit(0);
}

main().catch((err) => {
  console.error(`[click-publisher] ${String(err?.stack ?? err)}`);
  process.exit(1);
});
