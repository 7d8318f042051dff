/**
 * `track-egress record`: ONE egress job in this process, through the same EgressService the
 * `serve` API runs — progress on stderr (a live line on a TTY, plain lines otherwise), the final
 * EgressInfo (redacted) as JSON on stdout.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { parse, resolve } from 'node:path';

import { DirectFileOutput, EgressInfo, EgressStatus, S3Upload, TrackEgressRequest } from '@livekit/protocol';
import { pino } from 'pino';

import { createLogger } from '../config/logger.js';
import { redactUrl } from '../egress/redact.js';
import { isWebSocketUrl } from '../egress/websocket-url.js';
import type { RecordArgs } from './args.js';
import { progressLine, statusName } from './progress-line.js';
import { createEgressService } from './service-modules.js';

/** Where the command writes; `isTTY` picks the live line. */
export type RecordIo = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & { isTTY?: boolean } };

/** Statuses after which a job changes no more. */
const FINAL = new Set([EgressStatus.EGRESS_COMPLETE, EgressStatus.EGRESS_FAILED, EgressStatus.EGRESS_ABORTED, EgressStatus.EGRESS_LIMIT_REACHED]);
/** Error codes of a FAILED egress that mean bad input (exit 2, as `record` always did): 400, 404. */
const INPUT_ERROR_CODES = new Set([400, 404]);
/** A plain progress line every … when stderr is not a terminal. */
const PLAIN_PROGRESS_MS = 10_000;
const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * The request `record` sends: local OUTPUT → a DirectFileOutput whose filepath is the absolute
 * path under the root `/` (so templates and `..` work anywhere; a trailing "/" or an existing
 * directory → LiveKit's `<track>-<time><ext>` name); `s3://bucket/key` → an S3Upload with the
 * credentials of the AWS environment variables. No manifest (`record` never wrote one).
 * `ws://…` / `wss://…` → `websocket_url` (the PCM options go to the service's config: the request
 * has no field for them).
 */
export function recordRequest(args: RecordArgs, isDir: boolean, env: NodeJS.ProcessEnv = process.env): TrackEgressRequest {
  if (isWebSocketUrl(args.output)) {
    return new TrackEgressRequest({ roomName: args.room, trackId: args.track, output: { case: 'websocketUrl', value: args.output } });
  }
  let filepath: string;
  let s3: S3Upload | undefined;
  if (args.s3) {
    filepath = args.s3.key;
    s3 = new S3Upload({
      accessKey: env.AWS_ACCESS_KEY_ID ?? '',
      secret: env.AWS_SECRET_ACCESS_KEY ?? '',
      sessionToken: env.AWS_SESSION_TOKEN ?? '',
      region: args.s3.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? '',
      endpoint: args.s3.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? '',
      bucket: args.s3.bucket,
      forcePathStyle: args.s3.forcePathStyle,
    });
  } else {
    const abs = resolve(args.output);
    filepath = abs.slice(parse(abs).root.length) + (isDir ? '/' : '');
  }
  return new TrackEgressRequest({
    roomName: args.room,
    trackId: args.track,
    output: { case: 'file', value: new DirectFileOutput({ filepath, disableManifest: true, output: s3 ? { case: 's3', value: s3 } : undefined }) },
  });
}

/**
 * Runs one job to its end. SIGINT/SIGTERM stop it (StopEgress: COMPLETE once recording, ABORTED
 * before). Resolves with the exit code: 0 COMPLETE; 2 FAILED for bad input (400/404: unknown
 * track, unsupported codec; for ws://: a video track, a URL that cannot be dialled); 128 + signal
 * when interrupted before the first packet; 1 otherwise (e.g. the WebSocket receiver closed: 503).
 */
export async function runRecord(args: RecordArgs, isDir: boolean, io: RecordIo): Promise<number> {
  const say = (line: string) => io.stderr.write(`track-egress: ${line}\n`);
  const shownOutput = isWebSocketUrl(args.output) ? redactUrl(args.output) : args.output; // a URL's query may hold a token
  if (args.s3 && !process.env.AWS_ACCESS_KEY_ID) say('AWS_ACCESS_KEY_ID is not set: the AWS SDK default credentials are used');
  const spoolDir = await mkdtemp(resolve(tmpdir(), 'track-egress-record-'));
  const service = await createEgressService({
    apiKey: args.apiKey!,
    apiSecret: args.apiSecret!,
    wsUrl: args.url,
    recordingsDir: '/',
    spoolDir,
    trackTimeoutMs: args.trackTimeoutMs,
    websocket: args.pcm,
    logger: createLogger('warn', pino.destination({ fd: 2, sync: true })),
  });
  await service.start();
  // Listening before the start: no update of the job can be missed.
  const updates: EgressInfo[] = [];
  let wake = () => {};
  const onUpdate = (u: EgressInfo) => {
    updates.push(u);
    wake();
  };
  service.on('update', onUpdate);
  // Signals are ours from before the start: a Ctrl-C at any moment stops the job (StopEgress).
  let interrupted: keyof typeof SIGNALS | undefined;
  let egressId: string | undefined;
  const stop = () => void (egressId && service.stopEgress(egressId).catch(() => {})); // already ending: nothing to do
  const onSignal = (signal: keyof typeof SIGNALS) => () => {
    interrupted ??= signal;
    stop();
  };
  const handlers = (Object.keys(SIGNALS) as (keyof typeof SIGNALS)[]).map((s) => [s, onSignal(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  const started = Date.now();
  let info = await service.startTrackEgress(recordRequest(args, isDir));
  egressId = info.egressId;
  say(`${egressId} STARTING: joining room ${args.room}; waiting for track ${args.track}`);
  if (interrupted) stop();
  let durationTimer: NodeJS.Timeout | undefined; // --duration counts from the first packet (ACTIVE)

  const tty = io.stderr.isTTY === true;
  let lineShown = false;
  const clearLine = () => {
    if (lineShown) io.stderr.write('\r\x1b[2K');
    lineShown = false;
  };
  const showProgress = () => {
    let stats;
    try {
      stats = service.jobStats().find((s) => s.egressId === egressId);
    } catch {
      return; // counters unavailable for a moment (the job is finishing): the display must not end the job
    }
    const line = progressLine(stats, Date.now() - started);
    if (tty) {
      io.stderr.write(`\r\x1b[2K${line}`);
      lineShown = true;
    } else say(line);
  };
  const ticker = setInterval(showProgress, tty ? 500 : PLAIN_PROGRESS_MS);

  while (!FINAL.has(info.status)) {
    const u = updates.shift();
    if (!u) {
      await new Promise<void>((r) => (wake = r));
      continue;
    }
    if (u.egressId !== egressId || u.status === EgressStatus.EGRESS_STARTING) continue;
    info = u;
    clearLine();
    if (u.status === EgressStatus.EGRESS_ACTIVE && args.durationSec) durationTimer ??= setTimeout(stop, args.durationSec * 1000);
    if (u.status === EgressStatus.EGRESS_ACTIVE) say(`${egressId} ACTIVE: receiving RTP → ${u.fileResults[0]?.filename || u.streamResults[0]?.url || shownOutput}`);
    else say(`${egressId} ${statusName(u.status)}${u.error ? `: ${u.error}` : u.details ? `: ${u.details}` : ''}`);
  }
  service.off('update', onUpdate);
  clearInterval(ticker);
  clearTimeout(durationTimer);
  clearLine();
  for (const [s, h] of handlers) process.off(s, h);
  await service.close();

  io.stdout.write(`${info.toJsonString({ prettySpaces: 2 })}\n`);
  if (info.status === EgressStatus.EGRESS_COMPLETE) {
    await removeSpool(spoolDir);
    const f = info.fileResults[0];
    if (f) say(`COMPLETE: ${f.location} (${f.size} bytes, ${(Number(f.duration) / 1e9).toFixed(3)} s)`);
    const st = info.streamResults[0];
    if (st) say(`COMPLETE: streamed ${(Number(st.duration) / 1e9).toFixed(3)} s of PCM to ${st.url}${info.details.includes('dropped') ? ` (${info.details})` : ''}`);
    return 0;
  }
  if (interrupted && info.status === EgressStatus.EGRESS_ABORTED) {
    await removeSpool(spoolDir);
    say(`interrupted (${interrupted}); no output written`);
    return 128 + SIGNALS[interrupted];
  }
  if (args.s3) say(`the upload's local spool is kept in ${spoolDir}`);
  else await removeSpool(spoolDir); // only the job's journal: the file, if any, is in place
  return info.status === EgressStatus.EGRESS_FAILED && INPUT_ERROR_CODES.has(info.errorCode) ? 2 : 1;
}

/** Removes the job's spool directory; a failure only leaves a temp directory behind. */
async function removeSpool(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(() => {});
}
