import { spawn, spawnSync } from 'node:child_process';

/**
 * Runs a tool and returns stdout/stderr (never throws on a non-zero exit; status is returned).
 * @throws when the tool cannot be started at all (not installed, not on PATH): a missing
 *   validator must fail the test, never make its check pass on empty output.
 */
export function run(cmd: string, args: string[]): { stdout: string; stderr: string; status: number | null } {
  // latin1 keeps binary stdout byte for byte (Buffer.from(stdout, 'latin1') gives the bytes back).
  const r = spawnSync(cmd, args, { encoding: 'latin1', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new Error(`cannot run ${cmd} (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}): install it (scripts/install-system-deps.sh)`);
  if (r.signal) throw new Error(`${cmd} was killed by ${r.signal}`);
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status };
}

/**
 * {@link run} without blocking the event loop: for tests that measure time in this process while
 * a tool runs (concurrent crash-safety tests: a synchronous ffprobe in one test would delay
 * another's "receiving RTP" time stamp or its kill timer).
 * @throws (rejects) when the tool cannot be started at all or is killed by a signal, like run().
 */
export function runAsync(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string; status: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(new Error(`cannot run ${cmd} (${e.code ?? e.message}): install it (scripts/install-system-deps.sh)`)));
    child.once('close', (status, signal) => {
      if (signal) reject(new Error(`${cmd} was killed by ${signal}`));
      else resolve({ stdout: Buffer.concat(out).toString('latin1'), stderr: Buffer.concat(err).toString('latin1'), status });
    });
  });
}

/**
 * `ffprobe -v error` and `ffmpeg -v error -i FILE -f null -`: what they print (must be empty).
 *
 * `variableFrameRate`: for recordings of live WebRTC video, whose frame intervals jitter. ffmpeg's
 * null output then encodes in a time base of 1/estimated-fps, where two frames closer than one
 * slot collide and it prints "non monotonically increasing dts to muxer" — about its own output
 * stage, not the file (ffmpeg's own `-c copy` remux of such a file prints the same). With
 * `-enc_time_base -1` the encoder keeps the demuxer's time base; every frame is still decoded and
 * every demux/decode error still printed. Constant-rate media (the corpus) uses the literal command.
 */
export function decoderErrors(file: string, opts: { variableFrameRate?: boolean } = {}): string {
  const [probeArgs, decodeArgs] = decoderCommands(file, opts);
  return decoderReport(run('ffprobe', probeArgs), run('ffmpeg', decodeArgs));
}

/** {@link decoderErrors} without blocking the event loop (see {@link runAsync}). */
export async function decoderErrorsAsync(file: string, opts: { variableFrameRate?: boolean } = {}): Promise<string> {
  const [probeArgs, decodeArgs] = decoderCommands(file, opts);
  return decoderReport(await runAsync('ffprobe', probeArgs), await runAsync('ffmpeg', decodeArgs));
}

function decoderCommands(file: string, opts: { variableFrameRate?: boolean }): [string[], string[]] {
  const timeBase = opts.variableFrameRate ? ['-enc_time_base', '-1'] : [];
  return [['-v', 'error', '-i', file], ['-nostdin', '-v', 'error', '-i', file, ...timeBase, '-f', 'null', '-']];
}

type ToolResult = { status: number | null; stderr: string };

function decoderReport(probe: ToolResult, decode: ToolResult): string {
  // A failing tool that prints nothing must not read as "no errors".
  const silentFailure = (name: string, r: ToolResult) =>
    r.status !== 0 && !r.stderr.trim() ? `${name} exited with status ${r.status} and printed nothing\n` : '';
  return (probe.stderr + silentFailure('ffprobe', probe) + decode.stderr + silentFailure('ffmpeg', decode)).trim();
}

export type FrameHash = { pts: number; duration: number; size: number; hash: string };

/**
 * `ffmpeg -f framemd5` of the first stream: decoded frames (or, with copy=true, the packets as
 * stored), pts/duration in seconds. `-fps_mode passthrough` keeps every frame as decoded.
 */
export function frameHashes(file: string, opts: { copy?: boolean } = {}): FrameHash[] {
  const args = ['-nostdin', '-v', 'error', '-i', file, '-map', '0:0'];
  if (opts.copy) args.push('-c', 'copy');
  else args.push('-fps_mode', 'passthrough');
  const r = run('ffmpeg', [...args, '-f', 'framemd5', '-']);
  if (r.status !== 0) throw new Error(`ffmpeg framemd5 ${file}: ${r.stderr}`);
  let tb = 1;
  const out: FrameHash[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^#tb 0: (\d+)\/(\d+)/.exec(line);
    if (m) tb = Number(m[1]) / Number(m[2]);
    if (!line || line.startsWith('#')) continue;
    const f = line.split(',').map((s) => s.trim());
    out.push({ pts: Number(f[2]) * tb, duration: Number(f[3]) * tb, size: Number(f[4]), hash: f[5]! });
  }
  return out;
}
