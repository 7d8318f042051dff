#!/usr/bin/env node
import { stat } from 'node:fs/promises';

import { type RecordArgs, USAGE, parseConvertArgs, parseRecordArgs } from './args.js';

/**
 * Error `code`s that mean bad usage or bad input (exit 2). The code, not the class, decides, so a
 * failure exits alike whichever backend raised it.
 */
const INPUT_ERROR_CODES = new Set([
  'ERR_TE_CONVERT_INPUT', 'ERR_TE_INVALID_ARG', 'ERR_EGRESS_INVALID_ARGUMENT', 'ERR_TE_UNSUPPORTED', 'ERR_CAPTURE_FORMAT', 'ERR_STREAM_NOT_FOUND', 'ENOENT',
]);

/** SIGINT/SIGTERM abort the running job; the exit code is then 128 + the signal number, as shells report it. */
const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * CLI entry: parses the arguments and runs `convert` (one summary line), `record` (one egress job:
 * progress on stderr, the EgressInfo JSON on stdout; see record-command.ts) or `serve` (the egress
 * service until SIGINT/SIGTERM; see serve-command.ts). Exit 0 on success, 2 on bad usage or bad input, 1 on any other failure (a write error such
 * as ENOSPC or EACCES on the output, an internal error), 130/143 when interrupted during convert.
 */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  // `track-egress record --help` (anywhere after a known command): the usage, exit 0.
  if (['convert', 'record', 'serve'].includes(command) && rest.some((a) => a === '--help' || a === '-h')) {
    console.log(USAGE);
    return 0;
  }
  if (command === 'serve') {
    // The service handles SIGINT/SIGTERM itself (graceful close).
    const [{ parseServeArgs }, { runServe }] = await Promise.all([import('./service-args.js'), import('./serve-command.js')]);
    return (async () => runServe(parseServeArgs(rest)))().catch((err: Error & { code?: string }) => {
      console.error(`track-egress: ${err.message}`);
      return err.code === 'ERR_TE_INVALID_ARG' ? 2 : 1;
    });
  }
  if (command !== 'convert' && command !== 'record') {
    console.error(`track-egress: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  if (command === 'record') {
    let args;
    try {
      args = parseRecordArgs(rest);
    } catch (err) {
      console.error(`track-egress: ${(err as Error).message}`);
      return 2;
    }
    // With API key and secret: one job of the egress service (it handles SIGINT/SIGTERM itself).
    if (!args.token) return runServiceRecord(args);
  }
  const abort = new AbortController();
  let interrupted: keyof typeof SIGNALS | undefined;
  for (const signal of Object.keys(SIGNALS) as (keyof typeof SIGNALS)[]) {
    process.once(signal, () => {
      interrupted ??= signal;
      abort.abort();
    });
  }
  try {
    if (command === 'record') {
      // --token: the library's record() (no API secret to run the service with). Loaded on
      // demand: the LiveKit stack is large and convert does not need it.
      const { record } = await import('../egress/record.js');
      const log = (line: string) => console.error(`track-egress: ${line}`);
      const r = await record({ ...parseRecordArgs(rest), signal: abort.signal, log });
      const frames = r.framesDropped === undefined ? `frames ${r.frames}` : `PCM messages ${r.frames} (dropped ${r.framesDropped})`;
      console.log(
        `${r.codec}: packets ${r.packets}, lost ${r.lost}, ${frames}, duration ${r.durationSec.toFixed(3)} s, ` +
          `bytes ${r.bytes}, ended: ${r.endReason} → ${r.output}`,
      );
      return 0;
    }
    const { convert } = await import('../convert/convert.js');
    const s = await convert({ ...parseConvertArgs(rest), signal: abort.signal });
    for (const w of s.warnings) console.error(`track-egress: warning: ${w}`);
    const extra = [
      s.padding !== undefined ? `, padding ${s.padding}` : '',
      s.outliers !== undefined ? `, outliers ${s.outliers}` : '',
    ].join('');
    console.log(
      `${s.codec}: packets ${s.packets}, lost ${s.lost}, malformed ${s.malformed}${extra}, frames ${s.frames}, ` +
        `duration ${s.durationSec.toFixed(3)} s, bytes ${s.bytes} → ${s.output}`,
    );
    return 0;
  } catch (err) {
    if (interrupted && err === abort.signal.reason) {
      console.error(`track-egress: interrupted (${interrupted}); no output written`);
      return 128 + SIGNALS[interrupted];
    }
    const e = err as Error & { code?: string };
    console.error(`track-egress: ${e.message}`);
    const input = typeof e.code === 'string' && (INPUT_ERROR_CODES.has(e.code) || e.code.startsWith('ERR_LIVEKIT_'));
    return input ? 2 : 1;
  }
}

/** `record` through the egress service; errors as the other commands report them. */
async function runServiceRecord(args: RecordArgs): Promise<number> {
  try {
    const { runRecord } = await import('./record-command.js');
    const isDir = !/^wss?:\/\//i.test(args.output) && (args.output.endsWith('/') || (await stat(args.output).then((s) => s.isDirectory(), () => false)));
    return await runRecord(args, isDir, { stdout: process.stdout, stderr: process.stderr });
  } catch (err) {
    const e = err as Error & { code?: string };
    console.error(`track-egress: ${e.message}`);
    return typeof e.code === 'string' && INPUT_ERROR_CODES.has(e.code) ? 2 : 1;
  }
}

// Exit explicitly: node-datachannel keeps the event loop alive after its peer connections close
// (and its cleanup() crashes at exit; see docs/livekit.md).
process.exit(await main(process.argv.slice(2)));
