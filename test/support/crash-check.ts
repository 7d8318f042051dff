/**
 * Crash-safety checks shared by the kill -9 tests: run a recording child process, kill it at a
 * random moment, and measure with ffprobe/ffmpeg (independent decoders) how much media the file
 * gives back compared with how long the child had been receiving packets.
 *
 * The measurement, so that it cannot pass vacuously:
 *  - receivingSec: wall time from the child's "receiving RTP" line (printed when it gets, or
 *    pushes, its first RTP packet) to the moment the test sends the signal — at least 3 s;
 *  - decodedSec: the span of the frames ffprobe actually DECODES from the file (-show_frames, not
 *    a header field): last frame time − first frame time + one typical frame interval. A file
 *    with no decodable frames gives 0, a header-only file fails the "lost" bound;
 *  - lostSec = receivingSec − decodedSec must be ≤ the bound (about fragment_ms), and decodedSec
 *    may not exceed receivingSec by more than a little (no invented media).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';

import { expect } from 'vitest';

import { decoderErrorsAsync, run, runAsync } from './ffmpeg.js';

const frameTimesArgs = (file: string) => ['-v', 'error', '-select_streams', '0', '-show_entries',
  'frame=best_effort_timestamp_time', '-of', 'csv=p=0', file];
const durationArgs = (file: string) => ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file];

function parseFrameTimes(file: string, r: { stdout: string; stderr: string; status: number | null }): number[] {
  if (r.status !== 0 && !r.stdout) throw new Error(`ffprobe ${file}: ${r.stderr}`);
  return r.stdout.split('\n').map((l) => l.replace(/,$/, '').trim()).filter((l) => l && l !== 'N/A').map(Number)
    .sort((a, b) => a - b);
}

/** Time stamps (s) of the frames ffprobe decodes from the first stream. */
export function decodedFrameTimes(file: string): number[] {
  return parseFrameTimes(file, run('ffprobe', frameTimesArgs(file)));
}

/** First to last decoded frame plus the median frame interval; 0 for fewer than 2 frames. */
function spanOf(t: number[]): number {
  if (t.length < 2) return 0;
  const d = t.slice(1).map((v, i) => v - t[i]!).sort((a, b) => a - b);
  return t[t.length - 1]! - t[0]! + d[Math.floor(d.length / 2)]!;
}

/** Decoded media length (s): first to last decoded frame plus the median frame interval. */
export function decodedSeconds(file: string): number {
  return spanOf(decodedFrameTimes(file));
}

/** {@link decodedSeconds} without blocking the event loop (concurrent tests time things meanwhile). */
export async function decodedSecondsAsync(file: string): Promise<number> {
  return spanOf(parseFrameTimes(file, await runAsync('ffprobe', frameTimesArgs(file))));
}

/** `ffprobe -show_entries format=duration` (s), NaN when it says N/A. */
export function probedDuration(file: string): number {
  return Number(run('ffprobe', durationArgs(file)).stdout.trim());
}

/** {@link probedDuration} without blocking the event loop. */
export async function probedDurationAsync(file: string): Promise<number> {
  return Number((await runAsync('ffprobe', durationArgs(file))).stdout.trim());
}

export type KilledRecording = {
  receivingSec: number;
  decodedSec: number;
  /** ffprobe's format duration (s; NaN when it says N/A). */
  probedSec: number;
  lostSec: number;
  errors: string;
  exit: { code: number | null; signal: NodeJS.Signals | null };
  stderr: string;
};

/** Spawns `node args…` and resolves with the time (performance.now) of its "receiving RTP" line. */
export function spawnRecorder(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child: ChildProcess = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const receiving = new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (/receiving RTP/.test(output)) resolve(performance.now());
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) =>
      reject(new Error(`recorder exited (${code ?? signal}) before receiving RTP:\n${output}`)));
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, receiving, exited, output: () => output };
}

/**
 * Waits for "receiving RTP", then a random 3–6 s, sends `signal` (SIGKILL: a crash) and measures
 * the file it left. Never blocks the event loop (the tools run asynchronously), so tests using it
 * may run concurrently without delaying each other's time stamps.
 */
export async function recordAndSignal(args: string[], file: string, signal: NodeJS.Signals,
  env: NodeJS.ProcessEnv = process.env): Promise<KilledRecording> {
  const r = spawnRecorder(args, env);
  let t0: number;
  try {
    t0 = await r.receiving;
  } catch (e) {
    r.child.kill('SIGKILL');
    throw e;
  }
  const waitMs = 3000 + Math.random() * 3000;
  await new Promise((res) => setTimeout(res, t0 + waitMs - performance.now()));
  const tSignal = performance.now();
  r.child.kill(signal);
  const [code, sig] = await r.exited;
  const receivingSec = (tSignal - t0) / 1000;
  if (!existsSync(file)) throw new Error(`no file ${file}; recorder output:\n${r.output()}`);
  const [decodedSec, probedSec, errors] = await Promise.all([decodedSecondsAsync(file), probedDurationAsync(file),
    decoderErrorsAsync(file, { variableFrameRate: true })]);
  return {
    receivingSec,
    decodedSec,
    probedSec,
    lostSec: receivingSec - decodedSec,
    errors,
    exit: { code, signal: sig },
    stderr: r.output(),
  };
}

/**
 * Loss bound for a kill (the issues' "≤ 1 s"): 0.5 s fragments (RECORD_FRAGMENT_MS), plus a
 * frame, the first keyframe after subscribing and scheduling slack on a loaded 2-core machine.
 */
export const KILL_LOSS_BOUND_SEC = 1.0;

/** What a clean end adds, read from the bytes (not from our own stats). */
export function hasEndIndex(bytes: Uint8Array, ext: string): boolean {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (ext === '.mp4') {
    // ISO/IEC 14496-12 §8.8.11: the file ends with mfro, whose last field is the mfra size.
    if (buf.length < 16) return false;
    const mfraSize = buf.readUInt32BE(buf.length - 4);
    const start = buf.length - mfraSize;
    return start > 0 && buf.toString('latin1', start + 4, start + 8) === 'mfra' &&
      buf.toString('latin1', buf.length - 12, buf.length - 8) === 'mfro';
  }
  if (ext === '.webm') {
    // Cues (0x1C53BB6B) after the clusters, and a Duration (0x4489, 8-byte float) in Info.
    return buf.includes(Buffer.from([0x1c, 0x53, 0xbb, 0x6b])) && buf.includes(Buffer.from([0x44, 0x89, 0x88]));
  }
  if (ext === '.ogg') {
    // RFC 3533 §6: the last page carries end-of-stream (header_type_flag 0x04).
    const last = buf.lastIndexOf('OggS');
    return last >= 0 && (buf[last + 5]! & 0x04) !== 0;
  }
  throw new Error(`unknown extension ${ext}`);
}

/**
 * What a SIGKILLed recording must show: it really was killed (no end index), it had received
 * media for at least 3 s, the file decodes without a message, and it lost at most
 * KILL_LOSS_BOUND_SEC of what it had received (never more decoded than received, + 0.25 s).
 */
export function expectKilledWithinBound(r: KilledRecording, file: string, ext: string): void {
  expect(r.exit.signal).toBe('SIGKILL');
  expect(r.receivingSec).toBeGreaterThanOrEqual(3);
  expect(r.errors).toBe('');
  expect(r.lostSec).toBeLessThanOrEqual(KILL_LOSS_BOUND_SEC);
  expect(r.decodedSec).toBeLessThanOrEqual(r.receivingSec + 0.25);
  expect(hasEndIndex(readFileSync(file), ext)).toBe(false); // really killed before the end
}

/**
 * What a cleanly stopped recording must show: exit 0, a file that decodes without a message,
 * the end index, an ffprobe duration within `durationTolSec` of the decoded media, and at most
 * `maxLossSec` lost. Prints the measurement under `label`.
 */
export function expectCleanStop(r: KilledRecording, file: string, ext: string, label: string, o: { durationTolSec: number; maxLossSec: number }): void {
  expect(r.exit.code, r.stderr).toBe(0);
  expect(r.errors).toBe('');
  expect(hasEndIndex(readFileSync(file), ext)).toBe(true);
  console.log(`${label} clean stop: receiving ${r.receivingSec.toFixed(2)} s, decoded ${r.decodedSec.toFixed(2)} s, ffprobe ${r.probedSec} s`);
  expect(Math.abs(r.probedSec - r.decodedSec)).toBeLessThanOrEqual(o.durationTolSec);
  expect(r.lostSec).toBeLessThanOrEqual(o.maxLossSec);
}
