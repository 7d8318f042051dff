/**
 * Child process for the crash-safety tests: feeds a Recorder in real time from a corpus capture
 * (looped, with sequence numbers and RTP timestamps continued so it is one long stream) and writes
 * the container file as the output comes, exactly like `record` (crash-safe, seekable, 1 s
 * fragments, ChunkFileWriter). Prints "receiving RTP" when it pushes the first packet. SIGTERM:
 * finishes the file (clean stop, index written) and exits 0; SIGKILL is what the tests send.
 *
 *   node --import tsx test/support/paced-recorder.ts <capture> <codec> <output> [seconds]
 */
import { readFileSync } from 'node:fs';

import { readCapture, selectStream } from '../../src/capture/index.js';
import { RECORD_FRAGMENT_MS } from '../../src/egress/record.js';
import { CODECS, isCodecName } from '../../src/core/codec.js';
import { Recorder } from '../../src/core/recorder.js';
import { ChunkFileWriter } from '../../src/io/chunk-file-writer.js';

const [capture, codec, output, secondsArg] = process.argv.slice(2);
if (!capture || !codec || !output || !isCodecName(codec)) {
  console.error('usage: paced-recorder <capture> <h264|vp8|vp9|opus> <output> [seconds]');
  process.exit(2);
}
const maxSeconds = Number(secondsArg ?? 60);
const clockRate = CODECS[codec].clockRate;

const packets = selectStream(readCapture(readFileSync(capture)));
if (packets.length < 2) throw new Error(`${capture}: no RTP stream`);
const seqOf = (p: Uint8Array) => (p[2]! << 8) | p[3]!;
const tsOf = (p: Uint8Array) => ((p[4]! << 24) | (p[5]! << 16) | (p[6]! << 8) | p[7]!) >>> 0;
const first = packets[0]!.data;
const seq0 = seqOf(first);
const ts0 = tsOf(first);
// One loop = the capture's sequence span and its RTP span plus one frame interval.
let seqSpan = 0;
let tsSpan = 0;
const stamps = new Set<number>();
for (const p of packets) {
  seqSpan = Math.max(seqSpan, (seqOf(p.data) - seq0 + 0x10000) % 0x10000);
  const rel = (tsOf(p.data) - ts0 + 2 ** 32) % 2 ** 32;
  tsSpan = Math.max(tsSpan, rel);
  stamps.add(rel);
}
const tsLoop = tsSpan + Math.round(tsSpan / Math.max(1, stamps.size - 1));
seqSpan += 1;

const rec = await Recorder.create({ codec, seekable: true, crashSafe: true, fragmentMs: RECORD_FRAGMENT_MS });
const writer = new ChunkFileWriter(output);
let stopped = false;
const stop = () => {
  if (stopped) return;
  stopped = true;
  writer.write(rec.finish());
  writer.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
const poller = setInterval(() => {
  rec.poll();
  writer.write(rec.read());
}, 50);

const start = performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
for (let loop = 0; !stopped; loop++) {
  for (const p of packets) {
    const rel = (tsOf(p.data) - ts0 + 2 ** 32) % 2 ** 32;
    const due = ((loop * tsLoop + rel) / clockRate) * 1000;
    if (due > maxSeconds * 1000) {
      clearInterval(poller);
      stop();
    }
    const wait = start + due - performance.now();
    if (wait > 1) await sleep(wait);
    if (stopped) break;
    const data = Uint8Array.from(p.data); // a fresh packet: seq and ts continue across loops
    const seq = (seqOf(p.data) + loop * seqSpan) % 0x10000;
    const ts = (tsOf(p.data) + loop * tsLoop) % 2 ** 32;
    data[2] = seq >> 8;
    data[3] = seq & 0xff;
    new DataView(data.buffer).setUint32(4, ts);
    rec.push(data);
    if (loop === 0 && p === packets[0]) process.stdout.write('receiving RTP\n');
    writer.write(rec.read());
  }
}
