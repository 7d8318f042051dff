#!/usr/bin/env node
// For binding.gyp: extracts Debian's opus_1.3.1.orig.tar.gz (sha256-checked, the same file
// native/third_party/opus.cmake uses) into build/opus-1.3.1 and prints that directory.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SHA256 = '65b58e1e25b2a114157014736a3d9dfeaad8d41be1c8179866f144a2fb44ff9d';
const root = fileURLToPath(new URL('..', import.meta.url));
const tarball = process.env.TE_OPUS_TARBALL ?? join(homedir(), '.cache/track-egress/opus-src/opus_1.3.1.orig.tar.gz');
const out = join(root, 'build', 'opus-1.3.1');
if (!existsSync(join(out, 'opus_sources.mk'))) {
  if (!existsSync(tarball)) {
    console.error(`libopus source not found at ${tarball}: run scripts/install-system-deps.sh`);
    process.exit(1);
  }
  const sum = createHash('sha256').update(readFileSync(tarball)).digest('hex');
  if (sum !== SHA256) {
    console.error(`${tarball}: sha256 ${sum} != ${SHA256}`);
    process.exit(1);
  }
  mkdirSync(join(root, 'build'), { recursive: true });
  execFileSync('tar', ['xzf', tarball, '-C', join(root, 'build')]);
}
console.log(out);
