/**
 * Where a local-directory output goes: every request path lands under one configured root
 * (`recordingsDir`, default `./recordings`), whatever `..`, absolute path or symlink it holds.
 */
import { lstat, realpath } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { posix } from 'node:path';

import { EgressError } from './egress-error.js';

/**
 * The absolute path under `root` for the output path `filepath` (already templated and cleaned).
 *
 * Unlike LiveKit (which strips leading `../` but writes absolute paths where they point), here an
 * absolute path is taken relative to the root (`/etc/x` → `<root>/etc/x`) and every `..` is
 * resolved against the root's top, so `../../etc/x` → `<root>/etc/x` and `a/../../x` → `<root>/x`.
 * Symlinks: the longest existing prefix of the result is resolved with `realpath` (async, hence the
 * Promise); if it lies outside the root's real path — a symlink inside the root pointing out — or is
 * a dangling symlink, the call fails. Checked at resolution time: a symlink created later between
 * this call and the open is not seen (the root should not be writable by others).
 * The root itself and missing directories are not created.
 * @returns An absolute path whose existing part lies inside the root's real path.
 * @throws EgressError `invalid_argument` when the path names the root itself, holds a NUL, goes
 *   through a regular file or a dangling symlink, or escapes by a symlink.
 * @example await resolveUnderRoot('./recordings', '../../etc/x.ogg') // → '/abs/recordings/etc/x.ogg'
 */
export async function resolveUnderRoot(root: string, filepath: string): Promise<string> {
  if (filepath.includes('\0')) throw new EgressError('invalid_argument', 'filepath contains a NUL character');
  const rel = posix.normalize(`/${filepath}`).replace(/^\/+/, '').replace(/\/+$/, '');
  if (rel === '') throw new EgressError('invalid_argument', `filepath "${filepath}" names no file under the recordings directory`);
  const rootReal = await realExisting(resolve(root));
  const target = join(rootReal, ...rel.split('/'));
  const real = await realExisting(target);
  if (real !== rootReal && !real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep)) {
    throw new EgressError('invalid_argument', `filepath "${filepath}" leaves the recordings directory through a symlink`);
  }
  return real;
}

/**
 * `path` with its longest existing prefix replaced by that prefix's real path (the rest appended).
 * @throws EgressError `invalid_argument` for a dangling symlink on the way.
 */
async function realExisting(path: string): Promise<string> {
  let prefix = path;
  for (;;) {
    try {
      const real = await realpath(prefix);
      const rest = relative(prefix, path);
      return rest === '' ? real : join(real, rest);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') throw new EgressError('invalid_argument', `filepath goes through a file that is not a directory`);
      if (code !== 'ENOENT') throw err;
      const exists = await lstat(prefix).then(
        () => true,
        () => false,
      );
      if (exists) {
        // Created between realpath and lstat (another job's mkdir): resolve it again. A dangling
        // symlink stays ENOENT.
        if (await realpath(prefix).then(() => true, () => false)) continue;
        throw new EgressError('invalid_argument', `filepath goes through a dangling symlink`);
      }
      const parent = dirname(prefix);
      if (parent === prefix) return path;
      prefix = parent;
    }
  }
}
