/**
 * A real HTTP proxy (Debian's tinyproxy, scripts/install-system-deps.sh) on a free loopback port,
 * with Basic auth, logging every request; for the S3 `proxy` option's test. Missing → the test fails.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type TestHttpProxy = { url: string; username: string; password: string; log(): string; stop(): Promise<void> };

const BIN = '/usr/bin/tinyproxy';

export async function startHttpProxy(): Promise<TestHttpProxy> {
  if (!existsSync(BIN)) throw new Error(`tinyproxy is not installed (${BIN}): run scripts/install-system-deps.sh`);
  const port = await new Promise<number>((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
    s.once('error', reject);
  });
  const dir = mkdtempSync(join(tmpdir(), 'te-proxy-'));
  const logFile = join(dir, 'tinyproxy.log');
  const username = 'egress';
  const password = 'proxy-pass-0123';
  writeFileSync(
    join(dir, 'tinyproxy.conf'),
    `Port ${port}\nListen 127.0.0.1\nTimeout 60\nLogFile "${logFile}"\nLogLevel Connect\nMaxClients 20\nAllow 127.0.0.1\nBasicAuth ${username} ${password}\nDisableViaHeader Yes\n`,
  );
  const child = spawn(BIN, ['-d', '-c', join(dir, 'tinyproxy.conf')], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`tinyproxy did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    username,
    password,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
