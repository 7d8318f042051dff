import type { RawPcmDecoder, RawRecorder } from './backend.js';
import { InvalidStateError, invalidParameter } from './errors.js';

/**
 * Closed/finished state of one core handle, kept in TypeScript so that both backends enforce the
 * same contract with the same errors: after close() every call throws InvalidStateError
 * "<what> is closed" (close() itself is a no-op), after finish() push/poll/finish throw
 * InvalidStateError "<what> is finished" while reads (collect, read, stats, …) stay allowed.
 */
class HandleState {
  private closed = false;
  private finished = false;

  constructor(private readonly what: string) {}

  /** Throws when closed. */
  open(): void {
    if (this.closed) throw new InvalidStateError(`${this.what} is closed`);
  }

  /** Throws when closed or finished. */
  running(): void {
    this.open();
    if (this.finished) throw new InvalidStateError(`${this.what} is finished`);
  }

  /** Runs `end` once (the core's finish); a second finish throws like any call after finish. */
  finish(end: () => void): void {
    this.running();
    end();
    this.finished = true;
  }

  /** Runs `free` on the first close only. */
  close(free: () => void): void {
    if (this.closed) return;
    this.closed = true;
    free();
  }
}

/** The argument checks of push(): the addon and the wasm heap copy need exactly these types. */
function checkPush(id: unknown, data: unknown, arrivalUs: unknown): void {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffffffff) {
    throw invalidParameter('id', 'an integer between 0 and 4294967295', id);
  }
  if (!(data instanceof Uint8Array)) throw invalidParameter('packet', 'a Uint8Array', data);
  checkTime('arrivalUs', arrivalUs);
}

function checkTime(name: string, us: unknown): void {
  if (typeof us !== 'number') throw invalidParameter(name, 'a number of microseconds', us);
}

/** What recorders and PCM decoders have in common: RTP in, end of stream, counters. */
type RawStream = Pick<RawRecorder, 'push' | 'poll' | 'finish' | 'released' | 'missing' | 'stats' | 'close'>;

function guardStream(s: HandleState, raw: RawStream): RawStream {
  return {
    push(id, data, arrivalUs) {
      s.running();
      checkPush(id, data, arrivalUs);
      raw.push(id, data, arrivalUs);
    },
    poll(nowUs) {
      s.running();
      checkTime('nowUs', nowUs);
      raw.poll(nowUs);
    },
    finish: () => s.finish(() => raw.finish()),
    released: () => (s.open(), raw.released()),
    missing: () => (s.open(), raw.missing()),
    stats: () => (s.open(), raw.stats()),
    close: () => s.close(() => raw.close()),
  };
}

/** Wraps a backend's recorder in the shared closed/finished contract and argument checks. */
export function guardRecorder(raw: RawRecorder): RawRecorder {
  const s = new HandleState('recorder');
  return {
    ...guardStream(s, raw),
    collect: () => (s.open(), raw.collect()),
    takeKeyframeRequest: () => (s.open(), raw.takeKeyframeRequest()),
    waitingForKeyframe: () => (s.open(), raw.waitingForKeyframe()),
    mimeType: () => (s.open(), raw.mimeType()),
    setOption(option, value) {
      s.open();
      if (typeof option !== 'number') throw invalidParameter('option', 'a number', option);
      if (typeof value !== 'number') throw invalidParameter('value', 'a number', value);
      raw.setOption(option, value);
    },
  };
}

/** Wraps a backend's PCM decoder in the shared closed/finished contract and argument checks. */
export function guardPcmDecoder(raw: RawPcmDecoder): RawPcmDecoder {
  const s = new HandleState('PCM decoder');
  return { ...guardStream(s, raw), read: () => (s.open(), raw.read()) };
}
