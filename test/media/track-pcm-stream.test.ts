/**
 * TrackPcmStream end to end below the room: a TrackSource fed from a corpus Opus capture (paced on
 * a virtual clock: the stream's 20 ms tick and its clock are faked, the socket and the receiver are
 * real) → PcmDecoder → PcmTimeline → PcmWebSocket → a real `ws` server on loopback.
 *
 * The expected PCM is GStreamer's decode of the same RTP (test/support/gst-opus.ts: pcapparse →
 * rtpopusdepay → opusdec), laid on the RTP time line; byte counts come from the corpus' own record
 * of the RTP timestamps. Nothing expected is derived from our output.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Logger, pino } from 'pino';
import WebSocket, { WebSocketServer } from 'ws';

import { readCapture, selectStream } from '../../src/capture/index.js';
import { nowUs } from '../../src/core/options.js';
import { EgressError } from '../../src/egress/egress-error.js';
import { frameBytes, frameSamples, resolvePcmStreamOptions, type PcmStreamOptions } from '../../src/egress/websocket/pcm-stream-options.js';
import { PcmWebSocket } from '../../src/egress/websocket/pcm-websocket.js';
import { TrackPcmStream } from '../../src/egress/websocket/track-pcm-stream.js';
import type { TrackSource, TrackSourceEvents } from '../../src/livekit/track-source.js';
import { BACKEND } from '../support/backend.js';
import { type CorpusFile, corpusPath, loadCorpus, opusTimelineSamples, rtpTimestamps } from '../support/corpus.js';
import { gstreamerOpusPackets, maxAbsDiff, onRtpTimeline } from '../support/gst-opus.js';
import { startHttpProxy } from '../support/http-proxy.js';
import { rtpPacket } from '../support/rtp-builder.js';
import { sniffRtp } from '../../src/rtp/header.js';

const corpus = loadCorpus();
const file = (name: string): CorpusFile => {
  const f = corpus.files.find((x) => x.name === name && x.format === 'pcap');
  if (!f) throw new Error(`corpus file ${name} (pcap) missing`);
  return f;
};
const channelsOf = (f: CorpusFile) => corpus.streams.find((s) => s.name === f.stream)!.channels as 1 | 2;
const G_US = 150_000; // reorderWaitMs 50 + 100 ms

/** A TrackSource whose packets the test emits; records NACKs. */
class CaptureSource extends EventEmitter<TrackSourceEvents> {
  nacks: number[] = [];
  readonly info: TrackSource['info'];
  constructor(channels: 1 | 2, muted = false) {
    super();
    this.info = {
      trackSid: 'TR_test',
      kind: 'audio',
      source: 'microphone',
      publisherIdentity: 'p',
      publisherSid: 'PA_p',
      codec: { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, fmtp: { 'sprop-stereo': channels === 2 ? '1' : '0', useinbandfec: '1' } },
      ssrc: 1,
      muted,
    };
  }
  requestKeyframe(): void {}
  requestRetransmission(seqs: readonly number[]): void {
    this.nacks.push(...seqs);
  }
  async close(): Promise<void> {}
}

type Received = { binary: Buffer[]; events: ({ text: string; afterBinary: number } )[]; headers: Record<string, string | string[] | undefined>; close?: { code: number; reason: string } };

/** A real ws server on loopback recording what it receives, in order. */
class Receiver {
  readonly server: WebSocketServer;
  readonly conns: { ws: WebSocket; got: Received; closed: Promise<void> }[] = [];
  private constructor(server: WebSocketServer) {
    this.server = server;
    server.on('connection', (ws, req) => {
      const got: Received = { binary: [], events: [], headers: req.headers };
      const closed = new Promise<void>((resolve) =>
        ws.on('close', (code, reason) => {
          got.close = { code, reason: reason.toString() };
          resolve();
        }),
      );
      ws.on('message', (data, isBinary) => {
        if (isBinary) got.binary.push(Buffer.from(data as Buffer));
        else got.events.push({ text: (data as Buffer).toString(), afterBinary: got.binary.length });
      });
      this.conns.push({ ws, got, closed });
    });
  }
  static async start(): Promise<Receiver> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => server.once('listening', () => r()));
    return new Receiver(server);
  }
  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/pcm?token=secret-token-value`;
  }
  get last() {
    return this.conns.at(-1)!;
  }
  async stop(): Promise<void> {
    for (const c of this.server.clients) c.terminate();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const yieldIo = () => new Promise<void>((r) => setImmediate(r));

/** Advances the virtual clock (and the stream's ticks) by `us`, in 20 ms steps with I/O in between. */
async function advance(us: number): Promise<void> {
  let left = us;
  while (left > 0) {
    const step = Math.min(left, 20_000);
    vi.advanceTimersByTime(step / 1000);
    left -= step;
    await yieldIo();
  }
}

/** Packets of a capture with arrival offsets from its first packet, µs. */
function capturePackets(f: CorpusFile): { data: Uint8Array; atUs: number }[] {
  const packets = selectStream(readCapture(readFileSync(corpusPath(f.path))), { ssrc: f.ssrc });
  const t0 = packets[0]!.timeUs;
  return packets.map((p) => ({ data: p.data, atUs: p.timeUs - t0 }));
}

/** An RTP packet copy with `deltaTs` added to its timestamp (a sender that jumped its clock). */
function shiftTimestamp(p: Uint8Array, deltaTs: number): Uint8Array {
  const c = new Uint8Array(p); // a copy (Buffer#slice would be a view)
  const v = new DataView(c.buffer, c.byteOffset, c.byteLength);
  v.setUint32(4, (v.getUint32(4) + deltaTs) >>> 0);
  return c;
}

/**
 * Emits `packets` on the virtual clock: packet i at `start + atUs[i]` (+ `pauseUs` from index
 * `pauseAt` on), arrival = the stream's clock.
 */
async function play(source: CaptureSource, packets: { data: Uint8Array; atUs: number }[], o: { pauseAt?: number; pauseUs?: number; onPacket?: (i: number) => void } = {}): Promise<void> {
  let virtual = 0;
  for (let i = 0; i < packets.length; i++) {
    const at = packets[i]!.atUs + (o.pauseAt !== undefined && i >= o.pauseAt ? (o.pauseUs ?? 0) : 0);
    if (at > virtual) {
      await advance(at - virtual);
      virtual = at;
    }
    o.onPacket?.(i);
    source.emit('rtp', packets[i]!.data, nowUs());
    if (i % 5 === 0) await yieldIo();
  }
}

/** The receiver's binary messages as one s16 array. */
function pcmOf(got: Received): Int16Array {
  const all = Buffer.concat(got.binary);
  return new Int16Array(all.buffer, all.byteOffset, all.byteLength >> 1);
}

/** Waits (real time) until `cond` holds, at most `ms`. */
async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for the receiver');
    await realSleep(5);
  }
}

async function open(receiver: Receiver, pcm: PcmStreamOptions, source: CaptureSource, logger?: Logger) {
  const options = resolvePcmStreamOptions(pcm);
  const before = receiver.conns.length;
  const socket = await PcmWebSocket.connect(receiver.url, { frameBytes: frameBytes(options), maxQueuedFrames: options.maxQueueMs / options.frameDurationMs, logger });
  await until(() => receiver.conns.length > before);
  const stream = await TrackPcmStream.create(source, socket, options);
  const failures: EgressError[] = [];
  stream.on('failed', (e) => failures.push(e));
  return { options, socket, stream, failures, conn: receiver.last };
}

describe(`TrackPcmStream → WebSocket (${BACKEND})`, () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await Receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
  });
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opus-stereo: Content-Type audio/x-raw, full-size messages only, GStreamer\'s samples exactly, RTP duration to within one message, close 1000 + reason', async () => {
    const f = file('opus-stereo');
    const source = new CaptureSource(2);
    const { stream, failures, conn, options } = await open(receiver, {}, source);
    expect(stream.backend).toBe(BACKEND);
    expect(conn.got.headers['content-type']).toBe('audio/x-raw');
    await play(source, capturePackets(f));
    const stats = await stream.stop('egress stopped');
    await conn.closed;
    expect(conn.got.close).toEqual({ code: 1000, reason: 'egress stopped' });
    expect(failures).toEqual([]);

    const bytes = frameBytes(options);
    expect(conn.got.binary.length).toBeGreaterThan(0);
    for (const m of conn.got.binary) expect(m.length).toBe(bytes);
    const frames = opusTimelineSamples(f); // 48 kHz frames of the RTP time line
    const received = conn.got.binary.length * bytes;
    expect(received).toBe(Math.ceil((frames * 4) / bytes) * bytes);
    expect(stats.framesSent).toBe(conn.got.binary.length);
    expect(stats.bytesSent).toBe(received);
    expect(stats.framesDropped).toBe(0);
    expect(stats.packets).toBe(capturePackets(f).length);
    expect(conn.got.events).toEqual([]); // never muted

    const ref = onRtpTimeline(gstreamerOpusPackets(corpusPath(f.path), { payloadType: f.payloadType, channels: 2, dstPort: 5004 }), rtpTimestamps(f), 2, frames);
    const pcm = pcmOf(conn.got);
    expect(maxAbsDiff(pcm.subarray(0, frames * 2), ref.pcm, 2, ref.covered)).toBe(0);
    expect(pcm.subarray(frames * 2).every((v) => v === 0)).toBe(true); // end padding
  });

  it('opus-dtx: silence fills the DTX gaps in real time and is matched against the concealed jumps: RTP duration to within one message, samples within 1 LSB of GStreamer', async () => {
    const f = file('opus-dtx');
    const source = new CaptureSource(1);
    const { stream, conn, options } = await open(receiver, {}, source);
    await play(source, capturePackets(f));
    const stats = await stream.stop('track unpublished');
    await conn.closed;
    const bytes = frameBytes(options);
    for (const m of conn.got.binary) expect(m.length).toBe(bytes);
    const frames = opusTimelineSamples(f);
    expect(conn.got.binary.length).toBe(Math.ceil((frames * 4) / bytes));
    expect(stats.silenceInsertedUs).toBeGreaterThan(0); // the 0.5 s DTX gaps are longer than G
    const ref = onRtpTimeline(gstreamerOpusPackets(corpusPath(f.path), { payloadType: f.payloadType, channels: 2, dstPort: 5004 }), rtpTimestamps(f), 2, frames);
    expect(maxAbsDiff(pcmOf(conn.got).subarray(0, frames * 2), ref.pcm, 2, ref.covered)).toBeLessThanOrEqual(1);
  });

  it('16 kHz mono, 20 ms messages: 640-byte messages, the RTP duration at 16 kHz', async () => {
    const f = file('opus-stereo');
    const source = new CaptureSource(2);
    const { stream, conn, options } = await open(receiver, { sampleRate: 16000, channels: 1, frameDurationMs: 20 }, source);
    await play(source, capturePackets(f));
    await stream.stop('egress stopped');
    await conn.closed;
    expect(frameBytes(options)).toBe(640);
    for (const m of conn.got.binary) expect(m.length).toBe(640);
    const frames16 = opusTimelineSamples(f) / 3;
    expect(conn.got.binary.length).toBe(Math.ceil(frames16 / frameSamples(options)));
  });

  it('a lost packet: NACKed (RFC 4585 generic NACK) while the reorder buffer waits, then concealed: still the RTP duration', async () => {
    const f = file('opus-stereo');
    const source = new CaptureSource(2);
    const { stream, conn, options } = await open(receiver, {}, source);
    const all = capturePackets(f);
    const lostSeq = new DataView(all[40]!.data.buffer, all[40]!.data.byteOffset).getUint16(2);
    await play(source, all.filter((_, i) => i !== 40));
    const stats = await stream.stop('egress stopped');
    await conn.closed;
    expect(source.nacks).toContain(lostSeq);
    expect(new Set(source.nacks)).toEqual(new Set([lostSeq]));
    expect(stats.lost).toBe(1);
    expect(conn.got.binary.length).toBe(Math.ceil((opusTimelineSamples(f) * 4) / frameBytes(options)));
  });

  for (const jump of [true, false]) {
    it(`a 3 s pause ${jump ? 'with' : 'without'} an RTP timestamp jump: {"muted":true} after 2 s without packets, {"muted":false} on the next packet; ${jump ? 'the RTP duration exactly' : 'the silence stays'}`, async () => {
      const f = file('opus-stereo');
      const source = new CaptureSource(2);
      const { stream, conn, options } = await open(receiver, {}, source);
      const pauseAt = 75;
      const pauseUs = 3_000_000;
      const packets = capturePackets(f).map((p, i) => (jump && i >= pauseAt ? { ...p, data: shiftTimestamp(p.data, (pauseUs * 48) / 1000) } : p));
      await play(source, packets, { pauseAt, pauseUs });
      await stream.stop('participant left');
      await conn.closed;
      const bytes = frameBytes(options);
      const perMessage = frameSamples(options);
      for (const m of conn.got.binary) expect(m.length).toBe(bytes);

      const ts = rtpTimestamps(f);
      const frames = opusTimelineSamples(f) + (jump ? (pauseUs * 48) / 1000 : 0);
      // The last packet before the pause ends at RTP frame `endBefore`: the mute note comes when
      // 2 s passed without packets, i.e. after the PCM so far plus (2 s − G) of real-time silence.
      const endBefore = ((ts[pauseAt - 1]! - ts[0]!) | 0) + 960;
      expect(conn.got.events.map((e) => e.text)).toEqual(['{"muted":true}', '{"muted":false}']);
      const mutedAt = conn.got.events[0]!.afterBinary * perMessage;
      const expectMutedAt = endBefore + ((2_000_000 - G_US) * 48) / 1000;
      expect(Math.abs(mutedAt - expectMutedAt)).toBeLessThanOrEqual(2 * perMessage + 960); // message and tick granularity
      if (jump) {
        expect(conn.got.binary.length).toBe(Math.ceil(frames / perMessage));
        // The audio after the pause sits at its RTP position: compare with GStreamer laid on the jumped time line.
        const shifted = ts.map((t, i) => (i >= pauseAt ? (t + (pauseUs * 48) / 1000) >>> 0 : t));
        const ref = onRtpTimeline(gstreamerOpusPackets(corpusPath(f.path), { payloadType: f.payloadType, channels: 2, dstPort: 5004 }), shifted, 2, frames);
        expect(maxAbsDiff(pcmOf(conn.got).subarray(0, frames * 2), ref.pcm, 2, ref.covered)).toBeLessThanOrEqual(1);
      } else {
        // Silence from G after the last packet until the next one (to the 20 ms tick) stays in.
        const silence = ((pauseUs - G_US) * 48) / 1000;
        const expected = (frames + silence) / perMessage;
        expect(Math.abs(conn.got.binary.length - expected)).toBeLessThanOrEqual(1 + 20 / options.frameDurationMs);
        // The packets after the pause are still GStreamer's samples, right after the silence.
        const sent = pcmOf(conn.got);
        const ref = gstreamerOpusPackets(corpusPath(f.path), { payloadType: f.payloadType, channels: 2, dstPort: 5004 });
        const p = ref[pauseAt + 5]!; // a packet well after the resume, as decoded by GStreamer
        const expectAt = ((ts[pauseAt + 5]! - ts[0]!) | 0) + silence; // frames
        const at = indexOf(sent, p, (expectAt - 960) * 2, (expectAt + 960) * 2 + p.length);
        expect(at).toBeGreaterThanOrEqual(0); // found, bit for bit, within 20 ms (one tick) of where it belongs
      }
    });
  }

  it('mute and unmute signals: one {"muted":true} / {"muted":false} each, never two alike in a row; a track muted at start says so at once', async () => {
    const f = file('opus-stereo');
    const source = new CaptureSource(2, true);
    const { stream, conn } = await open(receiver, {}, source);
    await until(() => conn.got.events.length === 1);
    expect(conn.got.events[0]).toEqual({ text: '{"muted":true}', afterBinary: 0 });
    await play(source, capturePackets(f), {
      onPacket: (i) => {
        if (i === 10) source.emit('unmuted');
        if (i === 60) source.emit('muted');
        if (i === 61) source.emit('muted');
        if (i === 100) source.emit('unmuted');
      },
    });
    await stream.stop('egress stopped');
    await conn.closed;
    expect(conn.got.events.map((e) => e.text)).toEqual(['{"muted":true}', '{"muted":false}', '{"muted":true}', '{"muted":false}']);
    const at = conn.got.events.map((e) => e.afterBinary);
    for (let i = 1; i < at.length; i++) expect(at[i]!).toBeGreaterThanOrEqual(at[i - 1]!);
    // 'muted' came before packet 60: after the PCM of packets 0..59 (10 ms messages).
    const ts = rtpTimestamps(f);
    expect(Math.abs(at[2]! - (((ts[59]! - ts[0]!) | 0) + 960) / 480)).toBeLessThanOrEqual(1);
  });

  it('a signalled mute is digital silence: the SFU\'s blank frames (3 bytes, off-grid timestamps, LiveKit 1.13.5) decode to zeros only; sound sent during the mute is kept', async () => {
    const f = file('opus-stereo');
    const source = new CaptureSource(2);
    const { stream, conn } = await open(receiver, {}, source);
    const all = capturePackets(f);
    // Mute in the middle of a word (the largest packet after the first second): the decoder's
    // state is loud when the blank frames come.
    const payload = (i: number) => sniffRtp(all[i]!.data)!.payloadLength;
    let cut = 50;
    for (let i = 50; i < Math.min(250, all.length - 101); i++) if (payload(i) > payload(cut)) cut = i;
    await play(source, all.slice(0, cut + 1));
    const last = sniffRtp(all[cut]!.data)!;
    source.emit('muted');
    // What livekit-server forwards while muted: ~1 s of blank frames stamped from its wall clock.
    const steps = [2881, 965, 974, 960, 1921, 2881, 960, 965, 1920, 974];
    let seq = last.sequenceNumber;
    let ts = last.timestamp;
    const blank = (step: number) => rtpPacket({ seq: ++seq, ts: (ts = (ts + step) >>> 0), ssrc: last.ssrc, pt: last.payloadType, payload: [0xf8, 0xff, 0xfe] });
    for (let i = 0; i < 50; i++) {
      await advance(20_000);
      source.emit('rtp', blank(steps[i % steps.length]!), nowUs());
    }
    await advance(200_000);
    const mutedAt = conn.got.events[0]!.afterBinary + 1; // the last sound may end inside the next message
    const blankEnd = conn.got.binary.length;
    // Then sound while still signalled muted (a publisher unmuting before its signal): kept.
    const tCut = all[cut + 1]!.atUs;
    const rest = all.slice(cut + 1, cut + 101).map((p) => {
      const h = sniffRtp(p.data)!;
      return { atUs: p.atUs - tCut, data: rtpPacket({ seq: ++seq, ts: (ts + (h.timestamp - last.timestamp) + 48_000) >>> 0, ssrc: last.ssrc, pt: last.payloadType, payload: p.data.subarray(h.headerLength, h.headerLength + h.payloadLength) }) };
    });
    await play(source, rest);
    source.emit('unmuted');
    await stream.stop('egress stopped');
    await conn.closed;
    expect(conn.got.events.map((e) => e.text)).toEqual(['{"muted":true}', '{"muted":false}']);
    const peak = (from: number, to: number) => conn.got.binary.slice(from, to).reduce((m, b) => {
      const s = new Int16Array(b.buffer, b.byteOffset, b.byteLength >> 1);
      return Math.max(m, ...Array.from(s, Math.abs));
    }, 0);
    expect(peak(0, mutedAt)).toBeGreaterThan(1000); // the capture's speech before the mute
    expect(peak(mutedAt, blankEnd), 'peak |sample| during the blank frames').toBe(0);
    expect(peak(blankEnd, conn.got.binary.length)).toBeGreaterThan(1000);
  });

  it('unmute signal before the packets come back: {"muted":false} once, no packet-flow {"muted":true} right after it', async () => {
    const f = file('opus-stereo');
    const source = new CaptureSource(2);
    const { stream, conn } = await open(receiver, {}, source);
    const all = capturePackets(f);
    await play(source, all.slice(0, 60));
    source.emit('muted');
    await advance(2_500_000); // the SFU forwards nothing while muted
    source.emit('unmuted');
    await advance(500_000); // forwarding resumes a moment after the signal
    const t60 = all[60]!.atUs;
    await play(source, all.slice(60).map((p) => ({ ...p, atUs: p.atUs - t60 })));
    await stream.stop('egress stopped');
    await conn.closed;
    expect(conn.got.events.map((e) => e.text)).toEqual(['{"muted":true}', '{"muted":false}']);
  });

  it('a receiver that stops reading: the queue stays bounded, the oldest messages are dropped and counted; after it reads again it gets the rest', async () => {
    const f = file('opus-stereo');
    const source = new CaptureSource(2);
    const logLines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) });
    const { stream, socket, conn, options } = await open(receiver, { maxQueueMs: 200 }, source, logger);
    const startUs = nowUs();
    const bytes = frameBytes(options);
    const maxQueued = 200 / options.frameDurationMs;
    (conn.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    await play(source, capturePackets(f));
    // Silence keeps coming in real time while no packet does: 100 messages a virtual second.
    let maxQueuedBytes = 0;
    for (let s = 0; s < 600 && socket.stats().framesDropped < 50; s++) {
      await advance(1_000_000);
      maxQueuedBytes = Math.max(maxQueuedBytes, socket.stats().queuedBytes);
      await realSleep(1);
    }
    const mid = stream.stats();
    expect(mid.framesDropped).toBeGreaterThanOrEqual(50);
    // One warning at most every 10 s (of the stream's clock), with the counts, the URL redacted.
    const warnings = logLines.map((l) => JSON.parse(l) as { msg: string; url: string; framesDropped: number });
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.length).toBeLessThanOrEqual(1 + Math.floor((nowUs() - startUs) / 10_000_000));
    expect(warnings[0]!.msg).toMatch(/^websocket receiver too slow: \d+ PCM messages dropped/);
    expect(logLines.join('\n')).not.toContain('secret-token-value');
    // Our queue (≤ maxQueued messages) plus what ws holds (handed while under 64 KiB, one message over at most).
    expect(maxQueuedBytes).toBeLessThanOrEqual(maxQueued * bytes + 64 * 1024 + bytes + 64); // + ws frame headers and a text
    (conn.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const stats = await stream.stop('egress stopped');
    await conn.closed;
    expect(conn.got.close?.code).toBe(1000);
    expect(conn.got.binary.length).toBe(stats.framesSent);
    for (const m of conn.got.binary) expect(m.length).toBe(bytes);
    // Everything the timeline produced was either sent or dropped.
    expect(stats.framesSent + stats.framesDropped).toBe(Math.round(stats.durationUs / (options.frameDurationMs * 1000)));
    // The packet-flow mute note was queued among the binary messages and not dropped with them.
    expect(conn.got.events).toEqual([{ text: '{"muted":true}', afterBinary: expect.any(Number) as number }]);
  });

  it('stop() with a receiver that reads nothing and never answers the Close: the connection is dropped after the close wait, stop() resolves', async () => {
    const f = file('opus-stereo');
    const source = new CaptureSource(2);
    const { stream, conn, failures } = await open(receiver, { maxQueueMs: 200 }, source);
    (conn.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await play(source, capturePackets(f));
    await advance(60_000_000); // enough silence to fill every buffer on the way
    const stats = await stream.stop('egress stopped');
    (conn.ws as unknown as { _socket: { resume(): void } })._socket.resume(); // a paused socket would not see the end
    await conn.closed;
    // It got our Close frame only if the kernel buffers held it; it never answered, so TCP was dropped.
    expect(conn.got.close?.code).toBe(1006);
    expect(stats.framesDropped).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });

  it('the receiver closing the connection: failed once with "websocket closed by the receiver (code 4000 going away)", no URL secret', async () => {
    const f = file('opus-stereo');
    const source = new CaptureSource(2);
    const { stream, conn, failures } = await open(receiver, {}, source);
    const packets = capturePackets(f);
    await play(source, packets.slice(0, 20));
    conn.ws.close(4000, 'going away');
    await until(() => failures.length > 0);
    await play(source, packets.slice(20, 40));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(EgressError);
    expect(failures[0]!.twirpCode).toBe('unavailable');
    expect(failures[0]!.message).toBe('websocket closed by the receiver (code 4000 going away)');
    expect(source.listenerCount('rtp')).toBe(0);
    await stream.stop('egress stopped'); // idempotent and harmless after a failure
  });

  it('the connection dropping: failed with "websocket connection lost: …"', async () => {
    const source = new CaptureSource(2);
    const { stream, conn, failures } = await open(receiver, {}, source);
    conn.ws.terminate();
    await until(() => failures.length > 0);
    expect(failures[0]!.message).toMatch(/^websocket connection lost: /);
    expect(failures[0]!.message).not.toContain('secret-token-value');
    stream.abort();
  });

  it('a dial failure rejects with invalid_argument "websocket dial failed: …", the URL redacted', async () => {
    const probe = await Receiver.start();
    const url = probe.url;
    await probe.stop(); // nothing listens there any more
    const err = await PcmWebSocket.connect(url, { frameBytes: 1920, maxQueuedFrames: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EgressError);
    expect((err as EgressError).twirpCode).toBe('invalid_argument');
    expect((err as EgressError).message).toMatch(/^websocket dial failed: .*ECONNREFUSED/);
    expect((err as EgressError).message).not.toContain('secret-token-value');
  });

  it('dials through HTTP_PROXY (CONNECT tunnel, credentials from the proxy URL) unless NO_PROXY lists the host; a proxy refusal is a dial failure without secrets', async () => {
    const proxy = await startHttpProxy();
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY, http_proxy: process.env.http_proxy, no_proxy: process.env.no_proxy };
    try {
      delete process.env.http_proxy;
      delete process.env.no_proxy;
      delete process.env.NO_PROXY;
      const authed = proxy.url.replace('http://', `http://${proxy.username}:${proxy.password}@`);
      process.env.HTTP_PROXY = authed;
      const before = receiver.conns.length;
      const socket = await PcmWebSocket.connect(receiver.url, { frameBytes: 1920, maxQueuedFrames: 10 });
      await until(() => receiver.conns.length === before + 1);
      expect(receiver.last.got.headers['content-type']).toBe('audio/x-raw');
      await until(() => /CONNECT/.test(proxy.log()));
      const tunnels = proxy.log().match(/CONNECT/g)!.length;
      await socket.close(1000, 'egress stopped');

      process.env.NO_PROXY = 'example.com, 127.0.0.1';
      const direct = await PcmWebSocket.connect(receiver.url, { frameBytes: 1920, maxQueuedFrames: 10 });
      await until(() => receiver.conns.length === before + 2);
      expect(proxy.log().match(/CONNECT/g)!.length).toBe(tunnels);
      await direct.close(1000, 'egress stopped');

      delete process.env.NO_PROXY;
      process.env.HTTP_PROXY = proxy.url.replace('http://', `http://${proxy.username}:wrong-password-value@`);
      const err = (await PcmWebSocket.connect(receiver.url, { frameBytes: 1920, maxQueuedFrames: 10 }).catch((e: unknown) => e)) as EgressError;
      expect(err).toBeInstanceOf(EgressError);
      expect(err.twirpCode).toBe('invalid_argument');
      expect(err.message).toMatch(/^websocket dial failed: /);
      expect(err.message).not.toContain('wrong-password-value');
      expect(err.message).not.toContain('secret-token-value');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await proxy.stop();
    }
  });
});

/** Index (in samples) where `needle` occurs in `hay[from, to)`, -1 if nowhere. */
function indexOf(hay: Int16Array, needle: Int16Array, from: number, to: number): number {
  outer: for (let i = Math.max(0, from); i + needle.length <= Math.min(to, hay.length); i++) {
    if (hay[i] !== needle[0]) continue;
    for (let j = 1; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
