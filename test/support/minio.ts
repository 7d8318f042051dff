/**
 * A real MinIO (S3-compatible) server for the S3 output tests, built by `bash scripts/minio.sh
 * install` (pinned pseudo-version, `go install`). Each `startMinio()` runs a private server on free
 * loopback ports with its data in a temp dir, behind a small TCP proxy (node:net) so a test can cut
 * the storage off (`proxy.cut()`: live connections destroyed, new ones reset) and bring it back
 * (`proxy.restore()`), or stop and restart the server itself (same port, same data).
 * A missing binary fails the test with the install command; it never skips.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { S3Upload } from '@livekit/protocol';
import { freeTcpPort } from './free-port.js';

export const MINIO_INSTALL_COMMAND = 'bash scripts/minio.sh install';

/** $MINIO_BIN, else $TE_CACHE/bin/minio. */
export function minioBinary(): string {
  if (process.env.MINIO_BIN) return process.env.MINIO_BIN;
  return join(process.env.TE_CACHE || join(homedir(), '.cache', 'track-egress'), 'bin', 'minio');
}

export type MinioProxy = {
  /** Destroys every connection through the proxy and resets new ones until {@link restore}. */
  cut(): void;
  restore(): void;
  /** Connections accepted so far (including refused ones). */
  readonly connections: number;
};

export type TestMinio = {
  /** `http://127.0.0.1:PORT` of the proxy (what the code under test should use). */
  endpoint: string;
  /** `http://127.0.0.1:PORT` of MinIO itself (bypasses the proxy; for the test's own checks). */
  directEndpoint: string;
  accessKey: string;
  secretKey: string;
  /** A client for the test's checks, straight to MinIO (path style). */
  client: S3Client;
  /** Creates bucket `name` and returns the name. */
  bucket(name: string): Promise<string>;
  /** An S3Upload for `bucket` through the proxy (path style, empty region). */
  upload(bucket: string, extra?: Partial<S3Upload>): S3Upload;
  proxy: MinioProxy;
  /** Stops the server (SIGTERM, then SIGKILL); data stays. Idempotent. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data dir; resolves when it is ready. */
  restart(): Promise<void>;
  /** stop(), closes the proxy and removes the data dir. */
  close(): Promise<void>;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/minio/health/ready`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

function startProxy(target: number): Promise<{ port: number; proxy: MinioProxy; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let down = false;
  let connections = 0;
  const server = net.createServer((client) => {
    connections++;
    if (down) return client.resetAndDestroy();
    const upstream = net.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        (s === client ? upstream : client).destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const proxy: MinioProxy = {
    cut() {
      down = true;
      for (const s of sockets) s.resetAndDestroy();
    },
    restore() {
      down = false;
    },
    get connections() {
      return connections;
    },
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        proxy,
        close: () => {
          proxy.cut();
          return new Promise<void>((r) => server.close(() => r()));
        },
      }),
    );
  });
}

/** Starts MinIO on free loopback ports behind a TCP proxy; resolves when `/minio/health/ready` answers. */
export async function startMinio(): Promise<TestMinio> {
  const bin = minioBinary();
  if (!existsSync(bin)) {
    throw new Error(`MinIO is not installed (looked for ${bin}). Run: ${MINIO_INSTALL_COMMAND}  (or set MINIO_BIN)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'te-minio-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'minio.log');
  const port = await freeTcpPort();
  const consolePort = await freeTcpPort();
  const accessKey = 'minioadmin';
  const secretKey = `secret-${randomBytes(12).toString('hex')}`;
  const directEndpoint = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const launch = async () => {
    const log = openSync(logFile, 'a');
    const proc = spawn(bin, ['server', dataDir, '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, '--quiet'], {
      stdio: ['ignore', log, log],
      env: { ...process.env, MINIO_ROOT_USER: accessKey, MINIO_ROOT_PASSWORD: secretKey, MINIO_BROWSER: 'off', MINIO_UPDATE: 'off' },
    });
    closeSync(log);
    child = proc;
    let gone = false;
    exited = new Promise<void>((r) => proc.once('exit', () => ((gone = true), r())));
    const deadline = Date.now() + 30_000;
    while (!(await ready(directEndpoint))) {
      if (gone || Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`MinIO ${gone ? 'exited' : 'did not get ready in 30 s'} on port ${port}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
      }
      await sleep(100);
    }
  };
  const stop = async () => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const onExit = () => child?.kill('SIGKILL');
  process.on('exit', onExit);

  await launch();
  const front = await startProxy(port);
  const client = new S3Client({ endpoint: directEndpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: accessKey, secretAccessKey: secretKey } });
  const endpoint = `http://127.0.0.1:${front.port}`;
  return {
    endpoint,
    directEndpoint,
    accessKey,
    secretKey,
    client,
    async bucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    upload: (bucket, extra = {}) => new S3Upload({ accessKey, secret: secretKey, endpoint, bucket, forcePathStyle: true, ...extra }),
    proxy: front.proxy,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
    async close() {
      await stop();
      await front.close();
      client.destroy();
      process.off('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
