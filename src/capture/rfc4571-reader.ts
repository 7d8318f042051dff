/**
 * RFC 4571 §2 framing reader: a byte stream of `LENGTH (16 bits, big-endian) | RTP or RTCP packet`
 * records, as written by GStreamer's `rtpstreampay`. It has no magic number and no timestamps, so
 * {@link readCapture} only uses it when asked (`format: 'rfc4571'`); `timeUs` is the packet index
 * (so order is kept and nothing pretends to know arrival times).
 */
import type { CaptureReadResult } from './captured-packet.js';
import { RecordParser, parseAll } from './record-parser.js';

/** Incremental RFC 4571 parser (see record-parser.ts): one framed packet per call. */
export class Rfc4571Parser extends RecordParser {
  readonly format = 'rfc4571' as const;

  next(bytes: Uint8Array, pos: number, end: number, offset: number, eof: boolean): number {
    this.packet = undefined;
    const have = end - pos;
    if (have === 0 && eof) return 0;
    if (have < 2) return eof ? this.stop(offset, `RFC 4571 length at byte ${offset} truncated`) : -2;
    const len = ((bytes[pos] ?? 0) << 8) | (bytes[pos + 1] ?? 0);
    if (have < 2 + len) {
      if (!eof) return -(2 + len);
      return this.stop(offset, `RFC 4571 frame at byte ${offset} truncated (${len} bytes announced, ${have - 2} left)`);
    }
    this.stats.records++;
    this.stats.packets++;
    this.packet = { data: bytes.subarray(pos + 2, pos + 2 + len), timeUs: this.stats.packets - 1 };
    return 2 + len;
  }
}

/** Reads RFC 4571-framed packets; a frame cut short by the end of the input stops the read. */
export function readRfc4571(bytes: Uint8Array): CaptureReadResult {
  return parseAll(new Rfc4571Parser(), bytes);
}
