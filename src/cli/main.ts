#!/usr/bin/env node
import { USAGE, parseConvertArgs, parseRecordArgs } from './args.js';

/**
 * Error `code`s that mean bad usage or bad input (exit 2). The code, not the class, decides, so a
 * failure exits alike whichever backend raised it.
 */
const INPUT_ERROR_CODES = new Set([
  'ERR_TE_CONVERT_INPUT', 'ERR_TE_INVALID_ARG', 'ERR_TE_UNSUPPORTED', 'ERR_CAPTURE_FORMAT', 'ERR_STREAM_NOT_FOUND', 'ENOENT',
]);

/** SIGINT/SIGTERM abort the running job; the exit code is then 128 + the signal number, as shells report it. */
const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * CLI entry: parses the arguments, runs the library's `convert` or `record` and prints one summary
 * line. Exit 0 on success, 2 on bad usage or bad input, 1 on any other failure (a write error such
 * as ENOSPC or EACCES on the output, an internal error), 130/143 when interrupted during convert.
 */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (command !== 'convert' && command !== 'record') {
    console.error(`track-egress: unknown command "${command}"\n\n${USAGE}`);
    return 2;
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
      // Loaded on demand: the LiveKit stack is large and convert does not need it.
      const { record } = await import('../egress/record.js');
      const log = (line: string) => console.error(`track-egress: ${line}`);
      const r = await record({ ...parseRecordArgs(rest), signal: abort.signal, log });
      console.log(
        `${r.codec}: packets ${r.packets}, lost ${r.lost}, frames ${r.frames}, duration ${r.durationSec.toFixed(3)} s, ` +
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

// Exit explicitly: node-datachannel keeps the event loop alive after its peer connections close
// (and its cleanup() crashes at exit; see docs/livekit.md).
process.exit(await main(process.argv.slice(2)));
