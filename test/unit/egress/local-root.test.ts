import { mkdir, mkdtemp, realpath, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { EgressError } from '../../../src/egress/egress-error.js';
import { resolveUnderRoot } from '../../../src/egress/local-root.js';

let base: string; // real path of a fresh temp dir
let root: string;
let outside: string;

beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'te-root-')));
  root = join(base, 'recordings');
  outside = join(base, 'outside');
  await mkdir(join(root, 'sub'), { recursive: true });
  await mkdir(outside);
  await symlink(outside, join(root, 'escape')); // a directory link pointing out of the root
  await symlink(join(root, 'sub'), join(root, 'inner')); // a link that stays inside
  await writeFile(join(outside, 'target.ogg'), '');
  await symlink(join(outside, 'target.ogg'), join(root, 'file-link.ogg')); // a file link pointing out
  await symlink(join(base, 'missing'), join(root, 'dangling'));
  await writeFile(join(root, 'plain.ogg'), '');
});

async function rejection(p: Promise<unknown>): Promise<EgressError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EgressError);
  return err as EgressError;
}

describe('resolveUnderRoot', () => {
  it.each([
    ['../../etc/x', 'etc/x'],
    ['/etc/x', 'etc/x'],
    ['a/../../x', 'x'],
    ['../../../../../../x.ogg', 'x.ogg'],
    ['a/./b//c.mp4', 'a/b/c.mp4'],
    ['livekit-demo/track-test.mp4', 'livekit-demo/track-test.mp4'],
  ])('%s stays under the root → <root>/%s', async (filepath, rel) => {
    expect(await resolveUnderRoot(root, filepath)).toBe(join(root, rel));
  });

  it('resolves a relative root against the working directory and a root that does not exist yet', async () => {
    const missingRoot = join(base, 'not-yet', 'rec');
    expect(await resolveUnderRoot(missingRoot, '/x.ogg')).toBe(join(missingRoot, 'x.ogg'));
    const rel = await resolveUnderRoot('./recordings-rel-test', 'x.ogg');
    expect(rel).toBe(join(await realpath(process.cwd()), 'recordings-rel-test', 'x.ogg'));
  });

  it('follows symlinks that stay inside the root (to their real path)', async () => {
    expect(await resolveUnderRoot(root, 'inner/x.ogg')).toBe(join(root, 'sub', 'x.ogg'));
    expect(await resolveUnderRoot(root, 'plain.ogg')).toBe(join(root, 'plain.ogg'));
  });

  it('works when the root itself is reached through a symlink', async () => {
    const linkRoot = join(base, 'root-link');
    await symlink(root, linkRoot);
    expect(await resolveUnderRoot(linkRoot, '../x.ogg')).toBe(join(root, 'x.ogg'));
  });

  it('refuses a directory symlink in the root that points out', async () => {
    const err = await rejection(resolveUnderRoot(root, 'escape/x.ogg'));
    expect(err.twirpCode).toBe('invalid_argument');
    await rejection(resolveUnderRoot(root, 'escape/deeper/x.ogg'));
  });

  it('refuses an existing file symlink pointing out, and dangling symlinks', async () => {
    await rejection(resolveUnderRoot(root, 'file-link.ogg'));
    await rejection(resolveUnderRoot(root, 'dangling'));
    await rejection(resolveUnderRoot(root, 'dangling/x.ogg'));
  });

  it('refuses a path that names the root itself or goes through a file', async () => {
    await rejection(resolveUnderRoot(root, ''));
    await rejection(resolveUnderRoot(root, '/'));
    await rejection(resolveUnderRoot(root, '..'));
    await rejection(resolveUnderRoot(root, 'plain.ogg/x.ogg'));
    await rejection(resolveUnderRoot(root, 'a\0b.ogg'));
  });
});
