/**
 * The main demo (scripts/demo.sh, `npm run demo`): the local stack and LiveKit's own API, end to end.
 *  1. a livekit-server and a MinIO (S3-compatible) on free loopback ports (the test helpers
 *     test/support/livekit-server.ts and test/support/minio.ts: pinned binaries, temp data);
 *  2. `track-egress serve` (dist/cli/main.js) with a YAML config in EGRESS_CONFIG_BODY;
 *  3. a publisher (scripts/demo-publisher.ts, @livekit/rtc-node): an H.264 camera and an Opus tone;
 *  4. the OFFICIAL `EgressClient.startTrackEgress` (livekit-server-sdk) for both tracks into
 *     ./recordings, and for the H.264 track into MinIO (S3Upload with endpoint + force_path_style);
 *  5. ~10 s later `stopEgress`, then each final EgressInfo (status, file_results), where the files
 *     are, and ffprobe of each (the MinIO object is downloaded to ./recordings/minio/ first);
 *  6. everything shut down (also on Ctrl-C or a failure). Exit 0 when every egress is COMPLETE and
 *     every file probes.
 * With `--cluster`, the production way (docs/cluster.md): a Redis too, the livekit-server on it,
 * `serve` in worker mode on the same Redis, and the EgressClient pointed at the **livekit-server**,
 * which dispatches each egress to our worker over Redis (psrpc).
 *   node --import tsx scripts/demo.ts [SECONDS] [--cluster]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { dirname, join, resolve } from 'node:path';

import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DirectFileOutput, EgressInfo, EgressStatus } from '@livekit/protocol';
import { EgressClient } from 'livekit-server-sdk';

import { startLiveKitServer, type LiveKitTestServer } from '../test/support/livekit-server.js';
import { startMinio, type TestMinio } from '../test/support/minio.js';
import { startRedisServer, type TestRedisServer } from '../test/support/redis-server.js';

const ARGS = process.argv.slice(2);
const CLUSTER = ARGS.includes('--cluster');
const SECONDS = Number(ARGS.find((a) => /^\d+$/.test(a)) ?? 10);
const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const RECORDINGS = join(ROOT, 'recordings');
const LOGS = join(ROOT, 'out', 'demo');
const ROOM = 'demo';
const BUCKET = 'recordings';

const step = (text: string) => console.log(`\n== ${text}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const status = (s: EgressStatus) => EgressStatus[s]?.replace(/^EGRESS_/, '') ?? String(s);

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = net.createServer().once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => ok(port));
    });
  });
}

/** Spawns a child with its stdout+stderr in LOGS/<name>.log. */
function child(name: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const log = createWriteStream(join(LOGS, `${name}.log`));
  const p = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  p.stdout!.pipe(log);
  p.stderr!.pipe(log);
  return p;
}

/** Sends SIGTERM and waits for the exit (SIGKILL after `graceMs`). */
async function terminate(p: ChildProcess | undefined, graceMs = 40_000): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** ffprobe's one-line description of a media file, or throws with its error output. */
function probe(file: string): string {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height,sample_rate,channels:format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  if (r.status !== 0 || r.stderr.trim()) throw new Error(`ffprobe ${file}: ${r.stderr.trim() || `exit ${r.status}`}`);
  return r.stdout.trim().split('\n').join(' | ');
}

let lk: LiveKitTestServer | undefined;
let redis: TestRedisServer | undefined;
let minio: TestMinio | undefined;
let serve: ChildProcess | undefined;
let publisher: ChildProcess | undefined;

async function shutdown() {
  await terminate(publisher, 5000);
  await terminate(serve);
  await minio?.close();
  await lk?.stop();
  await redis?.close();
}
process.once('SIGINT', () => void shutdown().then(() => process.exit(130)));

async function main(): Promise<number> {
  mkdirSync(LOGS, { recursive: true });
  mkdirSync(RECORDINGS, { recursive: true });

  step(`local stack: ${CLUSTER ? 'Redis, livekit-server on it' : 'livekit-server'} and MinIO on free loopback ports`);
  if (CLUSTER) redis = await startRedisServer();
  lk = await startLiveKitServer({ logLevel: 'warn', ...(redis ? { redis: { address: redis.address } } : {}) });
  minio = await startMinio();
  await minio.bucket(BUCKET);
  console.log(`livekit-server ${lk.url}   MinIO ${minio.endpoint} (bucket "${BUCKET}")${redis ? `   Redis ${redis.address}` : ''}`);

  step(`track-egress serve${CLUSTER ? ' in worker mode (redis:)' : ''} (config from EGRESS_CONFIG_BODY)`);
  const apiPort = await freePort();
  const config = [
    `api_key: ${lk.apiKey}`,
    `api_secret: ${lk.apiSecret}`,
    `ws_url: ${lk.url}`,
    `api_port: ${apiPort}`,
    `recordings_dir: ${RECORDINGS}`,
    'log_level: info',
    ...(redis ? [`redis: { address: ${redis.address} }`] : []),
  ].join('\n');
  serve = child('serve', ['dist/cli/main.js', 'serve'], { EGRESS_CONFIG_BODY: config });
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await until('the egress API', 20_000, async () => {
    if (serve!.exitCode !== null) throw new Error(`track-egress serve exited (${serve!.exitCode}); see ${join(LOGS, 'serve.log')}`);
    return (await fetch(`${apiUrl}/healthz`).then((r) => r.ok, () => false)) || undefined;
  });
  console.log(`Egress API ${apiUrl} (log: ${join(LOGS, 'serve.log')})`);

  step('publisher: H.264 camera + Opus tone (@livekit/rtc-node)');
  const sidsFile = join(LOGS, 'sids.json');
  rmSync(sidsFile, { force: true });
  publisher = child('publisher', ['--import', 'tsx', 'scripts/demo-publisher.ts', lk.url, lk.apiKey, lk.apiSecret, ROOM, String(SECONDS + 60), sidsFile]);
  const sids = await until('the published tracks', 30_000, () =>
    existsSync(sidsFile) ? (JSON.parse(readFileSync(sidsFile, 'utf8')) as { audio: string; h264: string }) : undefined,
  );
  console.log(`room "${ROOM}": audio ${sids.audio}, H.264 ${sids.h264}`);

  // Cluster: the client talks to the livekit-server, which hands each request to our worker.
  const egressUrl = CLUSTER ? lk.httpUrl : apiUrl;
  step(`EgressClient.startTrackEgress (livekit-server-sdk, unmodified) → ${egressUrl}${CLUSTER ? ' (livekit-server → Redis → our worker)' : ''}`);
  const egress = new EgressClient(egressUrl, lk.apiKey, lk.apiSecret);
  const started = [
    await egress.startTrackEgress(ROOM, new DirectFileOutput({ filepath: 'demo/{room_name}/{track_id}-{time}' }), sids.h264),
    await egress.startTrackEgress(ROOM, new DirectFileOutput({ filepath: 'demo/{room_name}/{track_id}-{time}' }), sids.audio),
    await egress.startTrackEgress(
      ROOM,
      new DirectFileOutput({ filepath: 'livekit-demo/track-test.mp4', output: { case: 's3', value: minio.upload(BUCKET) } }),
      sids.h264,
    ),
  ];
  const what = ['H.264 → ./recordings', 'Opus → ./recordings', 'H.264 → MinIO'];
  const S3_JOB = 2;
  started.forEach((info, i) => console.log(`${info.egressId}  ${status(info.status)}  ${what[i]}`));

  for (let t = 1; t <= SECONDS; t++) {
    await sleep(1000);
    if (t % 2 === 0 || t === SECONDS) {
      const list = await egress.listEgress({ roomName: ROOM, active: true });
      console.log(`t=${String(t).padStart(2)} s  ${list.map((i) => `${i.egressId} ${status(i.status)}`).join('  ')}`);
    }
  }

  step('stopEgress, then the final EgressInfos');
  for (const info of started) console.log(`${info.egressId}  stop → ${status((await egress.stopEgress(info.egressId)).status)}`);
  const final = await until('every egress to end', 60_000, async () => {
    const all = await egress.listEgress({ roomName: ROOM });
    const mine = started.map((s) => all.find((i) => i.egressId === s.egressId));
    return mine.every((i) => i && i.status >= EgressStatus.EGRESS_COMPLETE) ? (mine as EgressInfo[]) : undefined;
  });

  let failures = 0;
  for (const [i, info] of final.entries()) {
    console.log(`\n${info.egressId}  ${what[i]}  ${status(info.status)}${info.error ? `  error ${info.errorCode}: ${info.error}` : ''}  ${info.details}`);
    if (info.status !== EgressStatus.EGRESS_COMPLETE) failures++;
    for (const f of info.fileResults) {
      console.log(`  file_results: filename ${f.filename}, size ${f.size} B, duration ${(Number(f.duration) / 1e9).toFixed(2)} s`);
      console.log(`                location ${f.location}`);
      let local = f.location;
      if (i === S3_JOB) {
        local = join(RECORDINGS, 'minio', f.filename);
        const obj = await minio.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: f.filename }));
        mkdirSync(dirname(local), { recursive: true });
        await writeFile(local, await obj.Body!.transformToByteArray());
        console.log(`                downloaded from MinIO → ${local}`);
      }
      try {
        console.log(`  ffprobe:      ${probe(local)}`);
      } catch (err) {
        failures++;
        console.log(`  ffprobe FAILED: ${(err as Error).message}`);
      }
    }
  }
  console.log(`\nEgressInfo JSON of the first (as the API returns it):\n${final[0]!.toJsonString({ prettySpaces: 2 })}`);
  return failures;
}

let code = 1;
try {
  const failures = await main();
  code = failures ? 1 : 0;
  console.log(failures ? `\ndemo: ${failures} problem(s); logs in ${LOGS}` : `\ndemo: every egress COMPLETE, every file probes. Recordings in ${RECORDINGS}`);
} catch (err) {
  console.error(`\ndemo failed: ${(err as Error).message}\nlogs in ${LOGS}`);
} finally {
  step(`shutting down (publisher, serve, MinIO, livekit-server${CLUSTER ? ', Redis' : ''})`);
  await shutdown();
}
process.exit(code);
