// What the bench sections share to drive their measured processes: a child speaking JSON lines on
// stdout, and importing the repo's TypeScript (tsx) into the bench process.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

/**
 * A Node child speaking JSON lines: `next(key, ms)` resolves with (and removes) the next message
 * holding `key`, or throws when the child exits or `ms` pass (the message names the child's last
 * non-log stderr lines); `send(line)` writes a line to its stdin; `stop()` ends its stdin and
 * SIGKILLs it after `killAfterMs`.
 */
export function jsonChild(rootDir, args, env, name, { killAfterMs = 30_000 } = {}) {
  const child = spawn(process.execPath, args, { cwd: rootDir, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const messages = [];
  const waiters = new Set();
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    let m;
    try { m = JSON.parse(line); } catch { return; }
    messages.push(m);
    for (const w of waiters) w();
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    child, messages,
    send: (line) => child.stdin.write(`${line}\n`),
    /** The last stderr lines that are not JSON log records. */
    stderr: () => stderr.trim().split('\n').filter((l) => !l.startsWith('{')).slice(-5).join(' | '),
    async next(key, ms) {
      const deadline = Date.now() + ms;
      for (;;) {
        const i = messages.findIndex((m) => m && typeof m === 'object' && key in m);
        if (i >= 0) return messages.splice(i, 1)[0];
        if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before "${key}": ${this.stderr()}`);
        if (Date.now() > deadline) throw new Error(`${name}: no "${key}" within ${ms} ms: ${this.stderr()}`);
        await new Promise((r) => {
          const w = () => { waiters.delete(w); r(); };
          waiters.add(w);
          setTimeout(w, 250);
        });
      }
    },
    async stop() {
      child.stdin.end();
      const t = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Imports `rel` (a .ts file of the repo) through tsx. */
export async function tsImport(rootDir, rel) {
  const { tsImport: load } = await import('tsx/esm/api');
  return load(pathToFileURL(join(rootDir, rel)).href, import.meta.url);
}
