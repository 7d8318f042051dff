import { closeSync, openSync, writevSync } from 'node:fs';

import { InvalidStateError } from '../core/errors.js';
import type { OutputChunk } from '../core/recorder.js';

/** The views after the first `skip` bytes of `parts` (what is left after a short writev). */
export function viewsAfter(parts: Uint8Array[], skip: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const p of parts) {
    if (skip >= p.byteLength) skip -= p.byteLength;
    else {
      out.push(skip ? p.subarray(skip) : p);
      skip = 0;
    }
  }
  return out;
}

/**
 * Writes recorder output to a local file: each chunk's views go to writev at the chunk's offset
 * (append for streaming output, a positioned patch for a seekable finish). Nothing is joined or
 * buffered: each write() reaches the file (the OS page cache) before it returns, so a crash-safe
 * recording killed right after loses nothing it wrote (fsync is not needed against a process kill,
 * only against a power loss). Synchronous writes: for a CLI or a file per process, not for a
 * server handling many recordings on one event loop.
 *
 * ```ts
 * const out = new ChunkFileWriter('track.webm');
 * out.write(rec.read());   // as output comes
 * out.write(rec.finish());
 * out.close();
 * ```
 * @throws the fs error (ENOENT, EACCES, ENOSPC …) from the constructor and from write().
 */
export class ChunkFileWriter {
  private fd: number | undefined;
  private end = 0;
  bytesWritten = 0;

  /** Creates (or truncates) the file at `path`. */
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  /**
   * Writes each chunk at its offset (writev, ≤ 1024 views per call).
   * @throws InvalidStateError (`ERR_TE_STATE`) after {@link close}; the fs error (ENOSPC, EFBIG …).
   */
  write(chunks: readonly OutputChunk[]): void {
    if (this.fd === undefined) throw new InvalidStateError(`${this.path}: writer is closed`);
    for (const c of chunks) {
      // writev takes at most IOV_MAX (1024) buffers per call.
      let pos = c.offset;
      for (let i = 0; i < c.data.length; i += 1024) {
        let part = c.data.slice(i, i + 1024);
        // A short write (rare on files) continues where it stopped, never skipping bytes.
        for (;;) {
          const want = part.reduce((n, b) => n + b.byteLength, 0);
          const n = writevSync(this.fd, part, pos);
          pos += n;
          if (n >= want) break;
          part = viewsAfter(part, n);
        }
      }
      this.bytesWritten += c.size;
      this.end = Math.max(this.end, c.offset + c.size);
    }
  }

  /** Size of the file so far, bytes. */
  get size(): number {
    return this.end;
  }

  /** Closes the file. Idempotent. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
