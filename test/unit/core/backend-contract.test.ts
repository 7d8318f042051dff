/**
 * The contract both backends keep (issue 7 §1): every error path reachable through Recorder,
 * PcmDecoder and the raw backend throws the same TrackEgressError subclass with the same `code`
 * and message on native and wasm; close() twice is a no-op; calls after close() or finish() are
 * refused alike; and the same input gives the same stats and the same output bytes. Runs on the
 * backend TRACK_EGRESS_BACKEND selects and compares every result with the other backend, loaded
 * explicitly (both must load).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';

import { readCapture } from '../../../src/capture/index.js';
import type { BackendKind, CoreBackend, CoreOptions, PcmArgs, RawPcmDecoder, RawRecorder, RecorderArgs } from '../../../src/core/backend.js';
import { OPTION_ID, STATUS } from '../../../src/core/abi.generated.js';
import { CODECS } from '../../../src/core/codec.js';
import {
  InvalidArgumentError, InvalidStateError, TrackEgressError, UnsupportedError, errorFromStatus,
} from '../../../src/core/errors.js';
import { loadBackend } from '../../../src/core/load-backend.js';
import { createNativeBackend } from '../../../src/core/native-backend.js';
import { createWasmBackend } from '../../../src/core/wasm-backend.js';
import { PcmDecoder } from '../../../src/core/pcm-decoder.js';
import { Recorder } from '../../../src/core/recorder.js';
import { BACKEND, backendUnderTest } from '../../support/backend.js';
import { corpusPath, loadCorpus } from '../../support/corpus.js';
import { opusLikePayload, rtpPacket } from '../../support/rtp-builder.js';

const OTHER: BackendKind = BACKEND === 'native' ? 'wasm' : 'native';
let under: CoreBackend;
let other: CoreBackend;

beforeAll(async () => {
  under = await backendUnderTest();
  other = await loadBackend(OTHER);
  expect([under.kind, other.kind]).toEqual([BACKEND, OTHER]);
});

/** A VP8 recorder's raw arguments; `o` overrides the codec, the fmtp or any core option by name. */
const recArgs = ({ codec = CODECS.vp8.id, fmtp, ...o }: { codec?: number; fmtp?: string } & CoreOptions = {}): RecorderArgs => ({
  codec, fmtp,
  options: { clockRate: 90000, channels: 2, seekable: 0, fragmentMs: 2000, reorderWaitMs: 500, reorderCapacity: 1024, ssrc: -1, payloadType: -1, ...o },
});
const pcmArgs = (o: CoreOptions = {}): PcmArgs => ({
  options: { channels: 2, outputRate: 48000, outputChannels: 2, reorderWaitMs: 100, reorderCapacity: 512, ssrc: -1, payloadType: -1, ...o },
});
const vp8Packet = (seq = 1) => rtpPacket({ seq, ts: seq * 3000, marker: true, pt: 96, payload: [0x10, 0x01, 0, 0] });
const opusPacket = (seq = 1) => rtpPacket({ seq, ts: seq * 960, payload: opusLikePayload(40) });

/** What `fn` threw; fails the test when it returned. */
function thrown(fn: () => unknown): TrackEgressError {
  try {
    fn();
  } catch (err) {
    return err as TrackEgressError;
  }
  throw new Error('expected an error, but the call returned');
}

type ErrorCase = [
  title: string,
  fail: (b: CoreBackend) => unknown,
  errorClass: abstract new (...args: never[]) => TrackEgressError,
  code: string,
  message: RegExp,
];

/** Asserts class, code and message on the backend under test, and the very same error on the other. */
function expectContractError([, fail, errorClass, code, message]: ErrorCase): void {
  const got = thrown(() => fail(under));
  expect(got).toBeInstanceOf(TrackEgressError);
  expect(got).toBeInstanceOf(errorClass);
  expect(got.code).toBe(code);
  expect(got.message).toMatch(message);
  const there = thrown(() => fail(other));
  expect(there).toBeInstanceOf(errorClass);
  expect({ name: there.name, code: there.code, message: there.message }).toEqual({ name: got.name, code: got.code, message: got.message });
}

/** Creates, runs `use`, and closes (also when `use` throws, which is what the cases expect). */
function using<T extends { close(): void }, R>(make: () => T, use: (x: T) => R): R {
  const x = make();
  try {
    return use(x);
  } finally {
    x.close();
  }
}

const INVALID: [typeof InvalidArgumentError, string] = [InvalidArgumentError, 'ERR_TE_INVALID_ARG'];
const STATE: [typeof InvalidStateError, string] = [InvalidStateError, 'ERR_TE_STATE'];
const UNSUPPORTED: [typeof UnsupportedError, string] = [UnsupportedError, 'ERR_TE_UNSUPPORTED'];

/** The calls recorders and PCM decoders share, with a packet of their codec. */
const streamCalls = (packet: () => Uint8Array) => ({
  push: (x: RawRecorder | RawPcmDecoder) => x.push(1, packet(), 0),
  poll: (x: RawRecorder | RawPcmDecoder) => x.poll(0),
  finish: (x: RawRecorder | RawPcmDecoder) => x.finish(),
  released: (x: RawRecorder | RawPcmDecoder) => x.released(),
  missing: (x: RawRecorder | RawPcmDecoder) => x.missing(),
  stats: (x: RawRecorder | RawPcmDecoder) => x.stats(),
});
/** One call of each raw method but close (typed so that a new method must be listed here). */
const recorderCalls: Record<Exclude<keyof RawRecorder, 'close'>, (r: RawRecorder) => unknown> = {
  ...streamCalls(vp8Packet),
  collect: (r) => r.collect(),
  takeKeyframeRequest: (r) => r.takeKeyframeRequest(),
  waitingForKeyframe: (r) => r.waitingForKeyframe(),
  mimeType: (r) => r.mimeType(),
  setOption: (r) => r.setOption(OPTION_ID.crashSafe, 1),
};
const pcmCalls: Record<Exclude<keyof RawPcmDecoder, 'close'>, (d: RawPcmDecoder) => unknown> = {
  ...streamCalls(opusPacket),
  read: (d) => d.read(),
};
/** Calls that end or feed the stream: refused after finish(); every other call is still allowed. */
const FEEDING = new Set(['push', 'poll', 'finish']);

/** A fresh handle after one call (close or finish). */
function after<T>(make: () => T, step: (x: T) => unknown): T {
  const x = make();
  step(x);
  return x;
}
const closedRecorder = (b: CoreBackend) => after(() => b.createRecorder(recArgs()), (r) => r.close());
const finishedRecorder = (b: CoreBackend) => after(() => b.createRecorder(recArgs()), (r) => r.finish());
const closedPcm = (b: CoreBackend) => after(() => b.createPcmDecoder(pcmArgs()), (d) => d.close());
const finishedPcm = (b: CoreBackend) => after(() => b.createPcmDecoder(pcmArgs()), (d) => d.finish());

describe(`backend contract (${BACKEND}, compared with ${OTHER})`, () => {
  describe('errors of the public API', () => {
    const closedRec = (b: CoreBackend) => after(() => Recorder.withBackend(b, { codec: 'vp8' }), (rec) => rec.close());
    const finishedRec = (b: CoreBackend) => after(() => Recorder.withBackend(b, { codec: 'vp8' }), (rec) => rec.finish());
    const closedDec = (b: CoreBackend) => after(() => PcmDecoder.withBackend(b), (dec) => dec.close());
    const cases: ErrorCase[] = [
      ['bad codec', (b) => Recorder.withBackend(b, { codec: 'av1' as never }), ...INVALID, /^Expected one of h264, vp8, vp9, opus for codec but received "av1"/],
      ['bad Opus channel count', (b) => Recorder.withBackend(b, { codec: 'opus', channels: 3 as never }), ...INVALID, /for channels but received 3/],
      ['fmtp not an object', (b) => Recorder.withBackend(b, { codec: 'h264', fmtp: 'packetization-mode=1' as never }), ...INVALID, /for fmtp/],
      ['malformed sprop-parameter-sets', (b) => Recorder.withBackend(b, { codec: 'h264', fmtp: { 'sprop-parameter-sets': '%%%' } }), ...INVALID, /: fmtp: .*sprop-parameter-sets/],
      ['malformed packetization-mode', (b) => Recorder.withBackend(b, { codec: 'h264', fmtp: { 'packetization-mode': 'x' } }), ...INVALID, /: fmtp: .*packetization-mode/],
      ['packetization-mode=2', (b) => Recorder.withBackend(b, { codec: 'h264', fmtp: { 'packetization-mode': '2' } }), ...UNSUPPORTED, /: fmtp: .*packetization-mode/],
      ['crashSafe not a boolean', (b) => Recorder.withBackend(b, { codec: 'h264', crashSafe: 1 as never }), ...INVALID, /for crashSafe/],
      ['push of a non-packet', (b) => using(() => Recorder.withBackend(b, { codec: 'vp8' }), (rec) => rec.push('rtp' as never)), ...INVALID, /Uint8Array for packet/],
      ['recorder push after close', (b) => closedRec(b).push(vp8Packet()), ...STATE, /^recorder is closed$/],
      ['recorder read after close', (b) => closedRec(b).read(), ...STATE, /^recorder is closed$/],
      ['recorder finish after close', (b) => closedRec(b).finish(), ...STATE, /^recorder is closed$/],
      ['recorder stats after close', (b) => closedRec(b).stats(), ...STATE, /^recorder is closed$/],
      ['recorder push after finish', (b) => using(() => finishedRec(b), (rec) => rec.push(vp8Packet())), ...STATE, /^recorder is finished$/],
      ['recorder poll after finish', (b) => using(() => finishedRec(b), (rec) => rec.poll(0)), ...STATE, /^recorder is finished$/],
      ['PCM: bad channel count', (b) => PcmDecoder.withBackend(b, { channels: 3 as never }), ...INVALID, /for channels but received 3/],
      ['PCM: bad output rate', (b) => PcmDecoder.withBackend(b, { sampleRate: 44100 as never }), ...INVALID, /for sampleRate but received 44100/],
      ['PCM push after close', (b) => closedDec(b).push(opusPacket()), ...STATE, /^PCM decoder is closed$/],
      ['PCM read after close', (b) => closedDec(b).read(), ...STATE, /^PCM decoder is closed$/],
      ['PCM push after finish', (b) => using(() => PcmDecoder.withBackend(b), (dec) => (dec.end(), dec.push(opusPacket()))), ...STATE, /^PCM decoder is finished$/],
    ];
    it.each(cases)('%s', (...c) => expectContractError(c));

    it('close() twice is a no-op; finish() twice returns nothing more; reads after finish are allowed', () => {
      for (const b of [under, other]) {
        const rec = Recorder.withBackend(b, { codec: 'opus' });
        rec.push(opusPacket(1), 0);
        expect(rec.finish().length).toBeGreaterThan(0);
        expect(rec.finish()).toEqual([]);
        expect(rec.read()).toEqual([]);
        expect(rec.stats().frames).toBe(1);
        rec.close();
        rec.close();
        const dec = PcmDecoder.withBackend(b);
        dec.push(opusPacket(1), 0);
        expect(dec.finish().length).toBe(960 * 2);
        expect(dec.finish().length).toBe(0);
        dec.close();
        dec.close();
      }
    });
  });

  describe('errors of the raw backend', () => {
    const cases: ErrorCase[] = [
      ['unknown codec id', (b) => b.createRecorder(recArgs({ codec: 99 })), ...UNSUPPORTED, /: unknown codec id 99$/],
      ['clock rate 0', (b) => b.createRecorder(recArgs({ clockRate: 0 })), ...INVALID, /: clock rate \(TE_OPT_CLOCK_RATE\) must be a whole number in 1\.\.1000000, got 0$/],
      ['Opus channel count 3', (b) => b.createRecorder(recArgs({ codec: CODECS.opus.id, clockRate: 48000, channels: 3 })), ...INVALID, /: channels \(TE_OPT_CHANNELS\) must be a whole number in 1\.\.2, got 3$/],
      ['reorder capacity 1', (b) => b.createRecorder(recArgs({ reorderCapacity: 1 })), ...INVALID, /: reorder capacity/],
      ['malformed fmtp', (b) => b.createRecorder(recArgs({ codec: CODECS.h264.id, fmtp: 'profile-level-id=zz' })), ...INVALID, /: fmtp: .*profile-level-id/],
      ['packetization-mode=2', (b) => b.createRecorder(recArgs({ codec: CODECS.h264.id, fmtp: 'packetization-mode=2' })), ...UNSUPPORTED, /: fmtp: /],
      ['unknown option', (b) => using(() => b.createRecorder(recArgs()), (r) => r.setOption(99, 1)), ...INVALID, /: unknown recorder option 99$/],
      ['option value out of range', (b) => using(() => b.createRecorder(recArgs()), (r) => r.setOption(OPTION_ID.crashSafe, 2)), ...INVALID, /: crash-safe \(TE_OPT_CRASH_SAFE\) must be a whole number in 0\.\.1, got 2$/],
      ['option after the first push', (b) => using(() => b.createRecorder(recArgs()), (r) => (r.push(1, vp8Packet(), 0), r.setOption(OPTION_ID.crashSafe, 1))), ...STATE, /before the first push/],
      ['push of a string', (b) => using(() => b.createRecorder(recArgs()), (r) => r.push(1, 'rtp' as never, 0)), ...INVALID, /Uint8Array for packet/],
      ['push with a negative id', (b) => using(() => b.createRecorder(recArgs()), (r) => r.push(-1, vp8Packet(), 0)), ...INVALID, /for id but received -1/],
      ['push with a string time', (b) => using(() => b.createRecorder(recArgs()), (r) => r.push(1, vp8Packet(), '0' as never)), ...INVALID, /for arrivalUs/],
      ['poll with a string time', (b) => using(() => b.createPcmDecoder(pcmArgs()), (d) => d.poll('0' as never)), ...INVALID, /for nowUs/],
      ['PCM: Opus channel count 3', (b) => b.createPcmDecoder(pcmArgs({ channels: 3 })), ...INVALID, /: channels \(TE_OPT_CHANNELS\) must be a whole number in 1\.\.2, got 3$/],
      ['PCM: output channels 3', (b) => b.createPcmDecoder(pcmArgs({ outputChannels: 3 })), ...INVALID, /: output channels \(TE_OPT_OUTPUT_CHANNELS\) must be a whole number in 1\.\.2, got 3$/],
      ['PCM: output rate libopus has no decoder for', (b) => b.createPcmDecoder(pcmArgs({ outputRate: 44100 })), ...INVALID, /: output rate \(TE_OPT_OUTPUT_RATE\) must be 8000, 12000, 16000, 24000 or 48000, got 44100$/],
      ...Object.entries(recorderCalls).map(([name, call]): ErrorCase =>
        [`recorder ${name} after close`, (b) => call(closedRecorder(b)), ...STATE, /^recorder is closed$/]),
      ...Object.entries(pcmCalls).map(([name, call]): ErrorCase =>
        [`PCM ${name} after close`, (b) => call(closedPcm(b)), ...STATE, /^PCM decoder is closed$/]),
      ...Object.entries(recorderCalls).filter(([name]) => FEEDING.has(name)).map(([name, call]): ErrorCase =>
        [`recorder ${name} after finish`, (b) => using(() => finishedRecorder(b), call), ...STATE, /^recorder is finished$/]),
      ...Object.entries(pcmCalls).filter(([name]) => FEEDING.has(name)).map(([name, call]): ErrorCase =>
        [`PCM ${name} after finish`, (b) => using(() => finishedPcm(b), call), ...STATE, /^PCM decoder is finished$/]),
    ];
    it.each(cases)('%s', (...c) => expectContractError(c));

    it('allows reads after finish and makes a second close a no-op', () => {
      for (const b of [under, other]) {
        const r = finishedRecorder(b);
        for (const [name, call] of Object.entries(recorderCalls)) {
          // setOption after finish is the core's own TE_E_STATE ("before the first push").
          if (!FEEDING.has(name) && name !== 'setOption') expect(() => call(r), name).not.toThrow();
        }
        r.close();
        r.close();
        const d = finishedPcm(b);
        for (const [name, call] of Object.entries(pcmCalls)) if (!FEEDING.has(name)) expect(() => call(d), name).not.toThrow();
        d.close();
        d.close();
      }
    });
  });

  describe('the adapters below the shared guard', () => {
    it('the native addon throws the factory\'s classes for closed handles and wrong JS types', () => {
      const bare = createNativeBackend(); // not wrapped by load-backend's guard
      const r = bare.createRecorder(recArgs());
      const typeError = thrown(() => r.push(1, 'rtp' as never, 0));
      expect(typeError).toBeInstanceOf(InvalidArgumentError);
      expect([typeError.code, typeError.message]).toEqual(['ERR_TE_INVALID_ARG', 'argument 1 must be a Uint8Array']);
      expect(thrown(() => r.poll('0' as never))).toBeInstanceOf(InvalidArgumentError);
      r.close();
      r.close();
      const closed = thrown(() => r.stats());
      expect(closed).toBeInstanceOf(InvalidStateError);
      expect([closed.code, closed.message]).toEqual(['ERR_TE_STATE', 'recorder is closed']);
      const d = bare.createPcmDecoder(pcmArgs());
      d.close();
      d.close();
      expect(thrown(() => d.read()).message).toBe('PCM decoder is closed');
    });

    it('the wasm adapter frees a handle once however often it is closed', async () => {
      const bare = await createWasmBackend();
      for (let i = 0; i < 3; i++) {
        const r = bare.createRecorder(recArgs({ codec: CODECS.opus.id, clockRate: 48000 }));
        r.push(1, opusPacket(1), 0);
        r.close();
        r.close();
        const d = bare.createPcmDecoder(pcmArgs());
        d.push(1, opusPacket(1), 0);
        d.close();
        d.close();
      }
      // A double free would corrupt the heap: a fresh handle must still work.
      const r = bare.createRecorder(recArgs({ codec: CODECS.opus.id, clockRate: 48000 }));
      r.push(1, opusPacket(1), 0);
      r.finish();
      expect(r.collect()).not.toBeNull();
      r.close();
    });

    it('maps every TE_E_* status of te.h to its class and code ERR_TE_<NAME>, an unknown one to InternalError', () => {
      // STATUS is generated from te.h (scripts/gen-abi.mjs; npm test fails when it is stale).
      const statuses = Object.entries(STATUS).filter(([name]) => name !== 'OK').map(([name, value]) => [name.slice(2), value] as const);
      expect(statuses.length).toBe(6);
      const classes = statuses.map(([name, status]) => {
        const e = errorFromStatus(status, 'why');
        expect(e).toBeInstanceOf(TrackEgressError);
        expect([e.code, e.message]).toEqual([`ERR_TE_${name}`, 'why']);
        return e.name;
      });
      expect(classes).toEqual(['InvalidArgumentError', 'InvalidStateError', 'UnsupportedError', 'OutOfMemoryError', 'CodecError', 'InternalError']);
      expect(errorFromStatus(-42, 'why')).toMatchObject({ name: 'InternalError', code: 'ERR_TE_INTERNAL', message: 'why (unknown status -42)' });
    });
  });

  describe('the same input gives the same stats and output', () => {
    const corpus = loadCorpus();
    it('has a corpus to compare on', () => {
      expect(corpus.files.length).toBeGreaterThanOrEqual(20);
      expect(new Set(corpus.files.map((f) => f.codec))).toEqual(new Set(['h264', 'vp8', 'vp9', 'opus']));
    });

    it('exposes the same stat names', () => {
      expect(under.recorderStatNames).toEqual(other.recorderStatNames);
      expect(under.pcmStatNames).toEqual(other.pcmStatNames);
      expect(under.recorderStatNames.length).toBeGreaterThan(20);
    });

    /** Every corpus file through a Recorder: stats and a digest of every output chunk (offset, bytes). */
    const record = (b: CoreBackend, f: (typeof corpus.files)[number]) => {
      const packets = readCapture(readFileSync(corpusPath(f.path)));
      const hash = createHash('sha256');
      const take = (chunks: ReturnType<Recorder['read']>) => {
        for (const c of chunks) {
          hash.update(`${c.offset}:${c.size};`);
          for (const d of c.data) hash.update(d);
        }
      };
      return using(() => Recorder.withBackend(b, { codec: f.codec, ssrc: f.ssrc, payloadType: f.payloadType }), (rec) => {
        for (const p of packets) {
          rec.push(p.data, p.timeUs);
          take(rec.read());
        }
        take(rec.finish());
        return { stats: rec.stats(), output: hash.digest('hex') };
      });
    };
    const decode = (b: CoreBackend, f: (typeof corpus.files)[number]) => {
      const packets = readCapture(readFileSync(corpusPath(f.path)));
      return using(() => PcmDecoder.withBackend(b, { ssrc: f.ssrc, payloadType: f.payloadType }), (dec) => {
        let samples = 0;
        for (const p of packets) {
          dec.push(p.data, p.timeUs);
          samples += dec.read().length;
        }
        samples += dec.finish().length;
        return { stats: dec.stats(), samples };
      });
    };

    it.each(corpus.files.map((f) => [`${f.name} (${f.format})`, f] as const))('%s', (_, f) => {
      const here = record(under, f);
      expect(here.stats.datagrams).toBe(f.packetCount);
      expect(here.stats.frames).toBeGreaterThan(0);
      expect(record(other, f)).toEqual(here);
      if (f.codec === 'opus') {
        const pcm = decode(under, f);
        expect(pcm.samples).toBeGreaterThan(0);
        expect(decode(other, f)).toEqual(pcm);
      }
    });
  });
});
