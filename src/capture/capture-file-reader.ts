/**
 * Streaming capture reading: a pcap / pcapng / rtpdump file is read in chunks (async fs) and its
 * UDP payloads are yielded as they are parsed, so memory stays flat whatever the file's length.
 *
 * Packet `data` are views into the chunk they were read into. Chunks are never reused (a packet
 * handed to a Recorder may be referenced until its output is written): a fresh buffer is read for
 * every chunk and the unparsed tail of the previous one (less than one record) is copied over.
 */
import { open } from 'node:fs/promises';

import { CaptureFormatError } from './capture-error.js';
import type { CaptureFormat, CapturedPacket, CaptureStats } from './captured-packet.js';
import { PcapParser } from './pcap-reader.js';
import { PcapngParser } from './pcapng-reader.js';
import { detectCaptureFormat } from './read-capture.js';
import type { CaptureStop, RecordParser } from './record-parser.js';
import { Rfc4571Parser } from './rfc4571-reader.js';
import { RtpdumpParser } from './rtpdump-reader.js';

/** Reads up to `length` bytes into `into` at `offset`; resolves 0 at the end of the input. */
export type ByteSource = (into: Uint8Array, offset: number, length: number) => Promise<number>;

/** Options of {@link CaptureFileReader.open} / {@link CaptureFileReader.fromSource}. */
export type CaptureFileReaderOptions = {
  /** Skip detection and read as this format (required for RFC 4571 streams). */
  format?: CaptureFormat;
  /** Bytes read per chunk; memory stays about one chunk plus the largest record. Default 1 MiB. */
  chunkSize?: number;
  /** What messages call the input (default: its path). */
  name?: string;
};

const DEFAULT_CHUNK = 1 << 20;
/** Enough bytes to tell the formats apart (the rtpdump line prefix is the longest magic). */
const SNIFF_BYTES = 16;

function parserFor(format: CaptureFormat): RecordParser {
  switch (format) {
    case 'pcap':
      return new PcapParser();
    case 'pcapng':
      return new PcapngParser();
    case 'rtpdump':
      return new RtpdumpParser();
    case 'rfc4571':
      return new Rfc4571Parser();
  }
}

/**
 * One pass over a capture: `for await (const p of reader)` yields its UDP payloads in file order;
 * afterwards `stats`, `warnings` and `stopped` say what was skipped and whether the file ended
 * inside a record. Iterate once; the file is closed at the end (or call {@link close}).
 * Flat memory whatever the file's length (pcap, pcapng, rtpdump, RFC 4571).
 *
 * ```ts
 * const reader = await CaptureFileReader.open('call.pcapng');
 * for await (const p of reader) rec.push(p.data, p.timeUs);
 * if (reader.stopped) console.warn(reader.stopped.message);
 * ```
 */
export class CaptureFileReader implements AsyncIterable<CapturedPacket> {
  /** The file (or source name) messages refer to. */
  readonly name: string;
  readonly format: CaptureFormat;
  private readonly parser: RecordParser;
  private readonly source: ByteSource;
  private closeSource: (() => Promise<void>) | undefined;
  private readonly chunkSize: number;
  private buf: Uint8Array;
  private end: number;
  private eof: boolean;
  private iterated = false;

  private constructor(
    name: string,
    format: CaptureFormat,
    source: ByteSource,
    closeSource: () => Promise<void>,
    chunkSize: number,
    head: Uint8Array,
    headLength: number,
    eof: boolean,
  ) {
    this.name = name;
    this.format = format;
    this.parser = parserFor(format);
    this.source = source;
    this.closeSource = closeSource;
    this.chunkSize = chunkSize;
    this.buf = head;
    this.end = headLength;
    this.eof = eof;
  }

  /**
   * Opens a capture file and detects its format from the first bytes.
   * @throws CaptureFormatError (code 'ERR_CAPTURE_FORMAT') naming the file, for an unknown format;
   *   the fs error (ENOENT, EISDIR, EACCES…) if it cannot be read.
   */
  static async open(path: string, options: CaptureFileReaderOptions = {}): Promise<CaptureFileReader> {
    const fh = await open(path, 'r');
    let position = 0;
    const source: ByteSource = async (into, offset, length) => {
      const { bytesRead } = await fh.read(into, offset, length, position);
      position += bytesRead;
      return bytesRead;
    };
    try {
      return await CaptureFileReader.fromSource(options.name ?? path, source, () => fh.close(), options);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** A reader over any byte source (tests split inputs at chosen offsets with it). */
  static async fromSource(
    name: string,
    source: ByteSource,
    close: () => Promise<void>,
    options: CaptureFileReaderOptions = {},
  ): Promise<CaptureFileReader> {
    const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? DEFAULT_CHUNK));
    const head = new Uint8Array(Math.max(chunkSize, SNIFF_BYTES));
    let n = 0;
    let eof = false;
    while (n < SNIFF_BYTES) {
      const got = await source(head, n, head.length - n);
      if (got === 0) {
        eof = true;
        break;
      }
      n += got;
    }
    const format = options.format ?? detectCaptureFormat(head.subarray(0, n));
    if (!format) {
      const first = Array.from(head.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
      throw new CaptureFormatError(
        `${name}: unknown capture format (first bytes: ${first || 'none'}); expected pcap, pcapng or rtpdump`,
      );
    }
    return new CaptureFileReader(name, format, source, close, chunkSize, head, n, eof);
  }

  get stats(): CaptureStats {
    return this.parser.stats;
  }

  /** One message per kind of skipped content (record offsets included). */
  get warnings(): readonly string[] {
    return this.parser.warnings;
  }

  /** Link types of the capture's interfaces that are not decoded (their records were skipped). */
  get unsupportedLinkTypes(): ReadonlySet<number> {
    return this.parser.unsupportedLinkTypes;
  }

  /** Set when the capture ended inside a record or had a corrupt one; the packets before it were read. */
  get stopped(): CaptureStop | undefined {
    return this.parser.stopped;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<CapturedPacket> {
    if (this.iterated) throw new Error(`${this.name}: a CaptureFileReader can be iterated once`);
    this.iterated = true;
    const parser = this.parser;
    let buf = this.buf;
    let end = this.end;
    let pos = 0;
    let base = 0; // file offset of buf[0]
    let eof = this.eof;
    try {
      for (;;) {
        let n: number;
        try {
          n = parser.next(buf, pos, end, base + pos, eof);
        } catch (err) {
          if (err instanceof CaptureFormatError) throw new CaptureFormatError(`${this.name}: ${err.message}`);
          throw err;
        }
        if (n > 0) {
          pos += n;
          const p = parser.packet;
          if (p) yield p;
          continue;
        }
        if (n === 0) return;
        if (eof) throw new Error(`${this.name}: ${this.format} parser asked for bytes after the end of the input`);
        // The parser needs -n bytes from pos: a fresh buffer with the unparsed tail, then read.
        const need = -n;
        const have = end - pos;
        const next = new Uint8Array(Math.max(this.chunkSize, need));
        next.set(buf.subarray(pos, end), 0);
        base += pos;
        buf = next;
        pos = 0;
        end = have;
        while (end < need) {
          const got = await this.source(buf, end, buf.length - end);
          if (got === 0) {
            eof = true;
            break;
          }
          end += got;
        }
      }
    } finally {
      this.buf = new Uint8Array(0);
      await this.close();
    }
  }

  /** Closes the file (idempotent). */
  async close(): Promise<void> {
    const c = this.closeSource;
    this.closeSource = undefined;
    await c?.();
  }
}
