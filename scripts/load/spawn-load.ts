// Starts publisher-process.ts as a child and waits for its tracks (see that file).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import type { Load } from './load-publishers.js';

/** What the load process reports about itself when it ends. */
export type LoadProcessStats = { cpuPerSec: number; loopMaxMs: number; loopP99Ms: number; rssMiB: number };

/** A {@link Load} in a child process; `stop()` also returns the child's own numbers. */
export type ChildLoad = Omit<Load, 'stop'> & { pid: number; stop(): Promise<LoadProcessStats | undefined> };

const here = dirname(fileURLToPath(import.meta.url));

/** Spawns the load generator with `count` Opus tracks and resolves once they are all published. */
export async function spawnLoad(count: number, perPublisher = 1, timeoutMs = 120_000): Promise<ChildLoad> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'publisher-process.ts'), String(count), String(perPublisher)], {
    cwd: join(here, '..', '..'),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const messages: unknown[] = [];
  let wake: (() => void) | undefined;
  lines.on('line', (line) => {
    try {
      messages.push(JSON.parse(line));
    } catch {
      return; // not ours (a library printing to stdout)
    }
    wake?.();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = async <T>(key: string, ms: number): Promise<T | undefined> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = messages.findIndex((m) => typeof m === 'object' && m !== null && key in m);
      if (i >= 0) return messages.splice(i, 1)[0] as T;
      if (child.exitCode !== null || Date.now() > deadline) return undefined;
      await Promise.race([new Promise<void>((r) => (wake = r)), exited, new Promise((r) => setTimeout(r, 500))]);
    }
  };
  const ready = await next<Omit<Load, 'stop'>>('tracks', timeoutMs);
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`the load process (${count} tracks) did not get ready within ${timeoutMs} ms`);
  }
  return {
    ...ready,
    pid: child.pid!,
    async stop() {
      child.stdin!.end();
      const done = await next<{ done: LoadProcessStats }>('done', 20_000);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      return done?.done;
    },
  };
}
