/** MinIO is a required test tool: a missing binary fails with the install command, never skips. */
import { afterEach, describe, expect, it } from 'vitest';

import { startMinio } from '../../support/minio.js';

const saved = process.env.MINIO_BIN;
afterEach(() => {
  if (saved === undefined) delete process.env.MINIO_BIN;
  else process.env.MINIO_BIN = saved;
});

describe('startMinio', () => {
  it('rejects naming the install command when the binary is missing', async () => {
    process.env.MINIO_BIN = '/nonexistent/minio';
    await expect(startMinio()).rejects.toThrow('MinIO is not installed (looked for /nonexistent/minio). Run: bash scripts/minio.sh install');
  });
});
