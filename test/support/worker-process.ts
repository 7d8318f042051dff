/**
 * `track-egress serve` as a separate PROCESS, for the cluster tests (two workers on one Redis, one
 * killed with SIGKILL, one drained with SIGTERM): `node --import tsx src/cli/main.ts serve --config
 * <file>`, its JSON log lines read as they arrive (with the moment the test read each one), its
 * Twirp API port (and, in worker mode, its psrpc node id) from its ready line ("egress worker
 * ready" with `redis:`, else "serving LiveKit's Egress API"), kill / signal / restart with the
 * same config file (so a restarted worker finds what a killed one left in its spool directory).
 *
 *   const w = await startWorkerProcess({ name: 'a', dir, config: yaml });   // w.nodeId: 'SRV_…'
 *   const line = await w.waitForLog((l) => l.msg === 'egress ACTIVE' && l.egressId === id);
 *   w.kill('SIGKILL'); await w.exited;         // a crash
 *   const again = await w.restart();           // same config, same recordings and spool dirs
 *
 * A watchdog shell kills the child if the test process dies (even by SIGKILL), as
 * test/support/livekit-server.ts does for livekit-server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';

/** One pino line of the worker (`level`, `time`, `msg` and the fields), or `{ raw }` for anything else. */
export type WorkerLogLine = { level?: string; time?: number; msg?: string; raw?: string; [field: string]: unknown };

/** A log line and when the test read it (`performance.now()`, ms). */
export type TimedLogLine = { at: number; line: WorkerLogLine };

export type WorkerProcessOptions = {
  /** A label for messages ("a", "b"). */
  name: string;
  /** Where the config file `<name>.yaml` is written (the caller's temp dir). */
  dir: string;
  /** The YAML config (`api_key`, `ws_url`, `recordings_dir`, `redis:` …). `api_port: 0` is advised. */
  config: string;
  /** How long start (and restart) wait for readiness, ms. Default 30 000. */
  readyTimeoutMs?: number;
  /** Extra `serve` flags (e.g. `['--log-level', 'debug']`). Default `['--log-level', 'info']`. */
  args?: string[];
};

export type WorkerExit = { code: number | null; signal: NodeJS.Signals | null };

export type WorkerProcess = {
  readonly name: string;
  readonly pid: number;
  /** The Twirp API's port (the `api_port: 0` pick). */
  readonly apiPort: number;
  /** Worker mode: the psrpc server id of its claims (`SRV_…`), from the ready line; else undefined. */
  readonly nodeId: string | undefined;
  /** `http://127.0.0.1:<apiPort>`. */
  readonly apiUrl: string;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<WorkerExit>;
  /** True once the process has exited. */
  readonly gone: boolean;
  /** Every line so far, in order. */
  lines(): TimedLogLine[];
  /** stdout + stderr as text: the last `tailLines` lines (default 40; `Infinity`: all). */
  output(tailLines?: number): string;
  /** The first line (already read or to come) for which `pred` holds; rejects after `timeoutMs` or when the process exits first. */
  waitForLog(pred: (l: WorkerLogLine) => boolean, timeoutMs?: number): Promise<TimedLogLine>;
  /** Sends a signal (no-op once exited). */
  kill(signal: NodeJS.Signals): void;
  /** Starts the same command with the same config file again; only after the process has exited. */
  restart(): Promise<WorkerProcess>;
};

const live = new Set<ChildProcess>();
let exitHook = false;

/** The line `serve` prints once it serves: its API port in `port`, in worker mode its `nodeId`. */
const READY = /^track-egress (serving LiveKit's Egress API|egress worker ready)/;

/** The environment minus config variables that would replace `--config` (EGRESS_CONFIG_BODY wins over a file). */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.EGRESS_CONFIG_BODY;
  delete env.EGRESS_CONFIG_FILE;
  return env;
}

function parseLine(text: string): WorkerLogLine {
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text) as WorkerLogLine;
    } catch {
      /* not JSON after all */
    }
  }
  return { raw: text };
}

/**
 * Spawns `track-egress serve --config <dir>/<name>.yaml` (from the repository root, via tsx) and
 * resolves once it printed its ready line (API served; in worker mode, claiming).
 * @throws when the process exits first or is not ready in time, with the tail of its output.
 */
export async function startWorkerProcess(opts: WorkerProcessOptions): Promise<WorkerProcess> {
  const configFile = join(opts.dir, `${opts.name}.yaml`);
  writeFileSync(configFile, opts.config, { mode: 0o600 });
  return launch(opts, configFile);
}

async function launch(opts: WorkerProcessOptions, configFile: string): Promise<WorkerProcess> {
  const args = ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--config', configFile, ...(opts.args ?? ['--log-level', 'info'])];
  const child = spawn(process.execPath, args, { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`worker ${opts.name}: could not spawn node`);
  const pid = child.pid;
  live.add(child);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  // If the test process dies in any way, the pipe closes and the shell kills the worker.
  const watchdog = spawn('/bin/sh', ['-c', 'while read -r _; do :; done; kill -KILL "$0" 2>/dev/null', String(pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.unref();
  (watchdog.stdin as unknown as Socket | null)?.unref?.();
  watchdog.on('error', () => {});

  const lines: TimedLogLine[] = [];
  const waiters = new Set<{ pred: (l: WorkerLogLine) => boolean; resolve: (t: TimedLogLine) => void }>();
  const push = (text: string) => {
    const t = { at: performance.now(), line: parseLine(text) };
    lines.push(t);
    for (const w of [...waiters]) {
      if (w.pred(t.line)) {
        waiters.delete(w);
        w.resolve(t);
      }
    }
  };
  const reader = (stream: NodeJS.ReadableStream) => {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => {
      rest += d;
      let i: number;
      while ((i = rest.indexOf('\n')) >= 0) {
        const text = rest.slice(0, i).trimEnd();
        rest = rest.slice(i + 1);
        if (text) push(text);
      }
    });
    stream.on('end', () => {
      if (rest.trim()) push(rest.trim());
      rest = '';
    });
  };
  reader(child.stdout!);
  reader(child.stderr!);

  let gone = false;
  const exited = new Promise<WorkerExit>((resolve) =>
    child.once('close', (code, signal) => {
      gone = true;
      live.delete(child);
      watchdog.kill('SIGKILL');
      resolve({ code, signal });
    }),
  );
  const output = (tailLines = 40) =>
    lines.slice(-tailLines).map((t) => (t.line.raw !== undefined ? t.line.raw : JSON.stringify(t.line))).join('\n');

  const waitForLog = (pred: (l: WorkerLogLine) => boolean, timeoutMs = 15_000): Promise<TimedLogLine> => {
    const seen = lines.find((t) => pred(t.line));
    if (seen) return Promise.resolve(seen);
    return new Promise<TimedLogLine>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const w = {
        pred,
        resolve: (t: TimedLogLine) => {
          clearTimeout(timer);
          resolve(t);
        },
      };
      waiters.add(w);
      const fail = (why: string) => {
        if (!waiters.delete(w)) return;
        clearTimeout(timer);
        reject(new Error(`worker ${opts.name} (pid ${pid}): ${why}; its output:\n${output()}`));
      };
      timer = setTimeout(() => fail(`no such log line within ${timeoutMs} ms`), timeoutMs);
      void exited.then((e) => setImmediate(() => fail(`exited (${e.code ?? e.signal}) before the log line`)));
    });
  };

  const readyMs = opts.readyTimeoutMs ?? 30_000;
  let apiPort: number;
  let nodeId: string | undefined;
  try {
    const api = await waitForLog((l) => typeof l.msg === 'string' && READY.test(l.msg) && typeof l.port === 'number', readyMs);
    apiPort = api.line.port as number;
    nodeId = typeof api.line.nodeId === 'string' ? api.line.nodeId : undefined;
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }

  const worker: WorkerProcess = {
    name: opts.name,
    pid,
    apiPort,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    nodeId,
    exited,
    get gone() {
      return gone;
    },
    lines: () => [...lines],
    output,
    waitForLog,
    kill: (signal) => {
      if (!gone) child.kill(signal);
    },
    restart: async () => {
      if (!gone) throw new Error(`worker ${opts.name} (pid ${pid}) is still running: kill it before restart()`);
      return launch(opts, configFile);
    },
  };
  return worker;
}
