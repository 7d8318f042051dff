import { appendFileSync } from 'node:fs';

/** Protocol tracing when TRACK_EGRESS_DEBUG includes "livekit": to stderr, or appended to TRACK_EGRESS_DEBUG_FILE. */
const enabled = /\blivekit\b/.test(process.env.TRACK_EGRESS_DEBUG ?? '');
const file = process.env.TRACK_EGRESS_DEBUG_FILE;

export function debug(...args: unknown[]): void {
  if (!enabled) return;
  const line = `[livekit ${new Date().toISOString().slice(11, 23)}] ${args.map(String).join(' ')}\n`;
  if (file) appendFileSync(file, line);
  else process.stderr.write(line);
}
