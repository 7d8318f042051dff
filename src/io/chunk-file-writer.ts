import { closeSync, openSync, writevSync } from 'node:fs';

import type { OutputChunk } from '../core/recorder.js';

/**
 * Writes recorder output to a local file: each chunk's views go to writev at the chunk's offset
 * (append for streaming output, a positioned patch for a seekable finish). Nothing is joined.
 */
export class ChunkFileWriter {
  private fd: number | undefined;
  private end = 0;
  bytesWritten = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  write(chunks: readonly OutputChunk[]): void {
    if (this.fd === undefined) throw new Error(`${this.path}: writer is closed`);
    for (const c of chunks) {
      // writev takes at most IOV_MAX (1024) buffers per call.
      let pos = c.offset;
      for (let i = 0; i < c.data.length; i += 1024) {
        const part = c.data.slice(i, i + 1024);
        pos += writevSync(this.fd, part, pos);
      }
      this.bytesWritten += c.size;
      this.end = Math.max(this.end, c.offset + c.size);
    }
  }

  /** Size of the file so far. */
  get size(): number {
    return this.end;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
