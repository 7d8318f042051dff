/**
 * A real Redis (Debian's `redis-server`, installed by scripts/install-system-deps.sh) for the
 * cluster tests: each `startRedisServer()` runs a private server on a free loopback port, no
 * persistence, data in a temp dir. `stop()` + `restart()` (same port) let a test cut Redis off and
 * bring it back. A watchdog kills the server if the test process dies. A missing binary fails the
 * test with the install command; it never skips.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Redis } from 'ioredis';

import { freeTcpPort } from './free-port.js';

export const REDIS_INSTALL_COMMAND = 'bash scripts/install-system-deps.sh  (Debian package redis-server)';

export interface TestRedisServer {
  /** `127.0.0.1:PORT`, the form of LiveKit's `redis.address`. */
  address: string;
  host: string;
  port: number;
  /** The server's log, removed by close() unless REDIS_KEEP_LOGS=1. */
  logFile: string;
  /** Stops the server (SIGTERM, then SIGKILL); the port stays reserved for restart(). Idempotent. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty data); resolves when it answers PING. */
  restart(): Promise<void>;
  /** stop() and remove the temp dir. */
  close(): Promise<void>;
}

/** $REDIS_SERVER_BIN, else the first `redis-server` on PATH or /usr/bin/redis-server. */
export function redisServerBinary(): string {
  if (process.env.REDIS_SERVER_BIN) return process.env.REDIS_SERVER_BIN;
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return which.stdout.trim() || '/usr/bin/redis-server';
}

/** One `PING` (ioredis, a fresh connection, no retries); true on `PONG`. */
async function ping(port: number): Promise<boolean> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {}); // a refused connection is the answer "not yet"
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Starts a private redis-server on a free 127.0.0.1 port; resolves once it answers PING.
 * @throws with the install command if redis-server is missing; with the log tail if it fails.
 */
export async function startRedisServer(): Promise<TestRedisServer> {
  const bin = redisServerBinary();
  if (!existsSync(bin)) throw new Error(`redis-server not found (${bin}). Run: ${REDIS_INSTALL_COMMAND}`);
  const dir = mkdtempSync(join(tmpdir(), 'te-redis-'));
  const logFile = join(dir, 'redis-server.log');
  let port = await freeTcpPort();
  let child: ChildProcess | undefined;
  let watchdog: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const launch = async (): Promise<void> => {
    const logFd = openSync(logFile, 'a');
    const c = spawn(
      bin,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes'],
      { stdio: ['ignore', logFd, logFd] },
    );
    closeSync(logFd);
    if (c.pid === undefined) throw new Error(`could not spawn ${bin}`);
    child = c;
    live.add(c);
    c.unref();
    let gone = false;
    exited = new Promise<void>((resolve) =>
      c.once('exit', () => {
        gone = true;
        live.delete(c);
        resolve();
      }),
    );
    // If this process dies (even SIGKILL) the pipe closes and the shell kills the server.
    watchdog = spawn('/bin/sh', ['-c', 'while read -r _; do :; done; kill -KILL "$0" 2>/dev/null', String(c.pid)], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    watchdog.unref();
    (watchdog.stdin as unknown as Socket | null)?.unref?.();
    watchdog.on('error', () => {});
    const deadline = Date.now() + 10_000;
    while (!(await ping(port))) {
      if (gone || Date.now() > deadline) {
        const log = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
        throw new Error(`redis-server ${gone ? 'exited' : 'did not answer PING'} on port ${port}. Log:\n${log}`);
      }
      await sleep(50);
    }
  };

  const stop = async (): Promise<void> => {
    watchdog?.kill('SIGKILL');
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };

  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (err) {
      await stop();
      if (attempt >= 3 || !/Address already in use/i.test(String(err))) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
      port = await freeTcpPort();
    }
  }

  return {
    address: `127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    logFile,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
    close: async () => {
      await stop();
      if (process.env.REDIS_KEEP_LOGS !== '1') rmSync(dir, { recursive: true, force: true });
    },
  };
}
