/**
 * The output of `convert`, written where nothing half-done can be mistaken for a result: bytes go
 * to a temporary file in the output's directory (same file system, so the final rename is atomic)
 * and only {@link OutputFile.commit} gives it the real name. On failure {@link OutputFile.discard}
 * removes it, and an existing file of that name is left as it was.
 */
import { closeSync, openSync, renameSync, statSync, unlinkSync, writeSync, writevSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { TrackEgressError } from '../core/errors.js';
import type { OutputChunk } from '../core/recorder.js';
import { ConvertInputError } from './errors.js';

/**
 * {@link convert} could not write its output (disk full, permissions, I/O error); the message names
 * the file and the errno code, e.g. "out.webm: cannot write: no space left on device (ENOSPC)".
 * `code` is `ERR_TE_CONVERT_OUTPUT`. The CLI exits 1.
 */
export class ConvertOutputError extends TrackEgressError {
  constructor(message: string) {
    super('ERR_TE_CONVERT_OUTPUT', message);
  }
}

/** "no space left on device (ENOSPC)" from a Node fs error. */
export function fsReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const text = /^[A-Z]+: (.*?)(?:, \w+(?: '.*')?)?$/.exec(e.message ?? '')?.[1] ?? e.message ?? String(err);
  return e.code ? `${text} (${e.code})` : text;
}

export class OutputFile {
  readonly path: string;
  /** The temporary name the bytes go to until {@link commit}. */
  readonly tempPath: string;
  private fd: number | undefined;
  private end = 0;

  private constructor(path: string, tempPath: string, fd: number) {
    this.path = path;
    this.tempPath = tempPath;
    this.fd = fd;
  }

  /**
   * Creates the temporary file next to `path`.
   * @throws ConvertInputError when `path` is a directory or its directory does not exist (bad
   *   usage); ConvertOutputError for any other reason it cannot be created.
   */
  static create(path: string): OutputFile {
    const dir = dirname(path);
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      // Does not exist yet: the usual case.
    }
    if (isDir) throw new ConvertInputError(`${path}: is a directory; -o needs a file name`);
    const tempPath = join(dir, `.${basename(path)}.${process.pid}-${Math.random().toString(36).slice(2, 8)}.part`);
    try {
      return new OutputFile(path, tempPath, openSync(tempPath, 'wx'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new ConvertInputError(`${path}: cannot write: directory ${dir} does not exist`);
      throw new ConvertOutputError(`${path}: cannot write: ${fsReason(err)}`);
    }
  }

  /** Size of the output so far. */
  get size(): number {
    return this.end;
  }

  /** Writes Recorder output chunks at their offsets (writev, nothing joined). */
  writeChunks(chunks: readonly OutputChunk[]): void {
    for (const c of chunks) {
      let pos = c.offset;
      // writev takes at most IOV_MAX (1024) buffers per call.
      for (let i = 0; i < c.data.length; i += 1024) {
        const part = i === 0 && c.data.length <= 1024 ? c.data : c.data.slice(i, i + 1024);
        pos += this.io(() => writevSync(this.live(), part, pos));
      }
      this.end = Math.max(this.end, c.offset + c.size);
    }
  }

  /** Writes `bytes` at `position` (default: the end). */
  write(bytes: Uint8Array, position: number = this.end): void {
    let done = 0;
    while (done < bytes.length) {
      done += this.io(() => writeSync(this.live(), bytes, done, bytes.length - done, position + done));
    }
    this.end = Math.max(this.end, position + bytes.length);
  }

  /** Closes the file and gives it its real name (replacing an existing file atomically). */
  commit(): void {
    const fd = this.live();
    this.fd = undefined;
    this.io(() => closeSync(fd));
    this.io(() => renameSync(this.tempPath, this.path));
  }

  /** Closes and removes the temporary file (idempotent; never throws). */
  discard(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // Already failing: the original error is the one to report.
      }
      this.fd = undefined;
    }
    try {
      unlinkSync(this.tempPath);
    } catch {
      // Already gone (committed or never created).
    }
  }

  private live(): number {
    if (this.fd === undefined) throw new ConvertOutputError(`${this.path}: output is closed`);
    return this.fd;
  }

  private io<T>(f: () => T): T {
    try {
      return f();
    } catch (err) {
      if (err instanceof ConvertOutputError) throw err;
      throw new ConvertOutputError(`${this.path}: cannot write: ${fsReason(err)}`);
    }
  }
}
