/**
 * Format auto-detection and the one-call entry points of the capture readers.
 *
 *   pcap     magic A1B2C3D4 / A1B23C4D in either byte order   (pcap-reader.ts)
 *   pcapng   Section Header Block type 0A0D0D0A               (pcapng-reader.ts)
 *   rtpdump  text line "#!rtpplay1.0 "                        (rtpdump-reader.ts)
 *   rfc4571  no magic: only when requested explicitly         (rfc4571-reader.ts)
 */
import { CaptureFormatError } from './capture-error.js';
import type { CaptureFormat, CaptureReadResult, CapturedPacket } from './captured-packet.js';
import { isPcap, readPcap } from './pcap-reader.js';
import { isPcapng, readPcapng } from './pcapng-reader.js';
import { readRfc4571 } from './rfc4571-reader.js';
import { isRtpdump, readRtpdump } from './rtpdump-reader.js';

/** Options of {@link readCapture} / {@link readCaptureDetailed}. */
export type ReadCaptureOptions = {
  /** Skip detection and read as this format (required for RFC 4571 streams). */
  format?: CaptureFormat;
};

/**
 * Detects the capture format from the first bytes (16 are enough), or returns `undefined`.
 * RFC 4571 framing has no magic and is never detected.
 * @example
 * detectCaptureFormat(await readFile('call.pcapng')); // 'pcapng'
 */
export function detectCaptureFormat(bytes: Uint8Array): Exclude<CaptureFormat, 'rfc4571'> | undefined {
  if (isPcapng(bytes)) return 'pcapng';
  if (isPcap(bytes)) return 'pcap';
  if (isRtpdump(bytes)) return 'rtpdump';
  return undefined;
}

/**
 * Reads a capture held in memory and returns its packets with statistics and warnings. A file that
 * ends inside a record keeps the packets before it (`stats.truncatedRecords`, a warning).
 * @throws CaptureFormatError (code 'ERR_CAPTURE_FORMAT') for unknown or truncated file headers.
 * @example
 * const { format, packets, stats, warnings } = readCaptureDetailed(await readFile('call.pcap'));
 */
export function readCaptureDetailed(bytes: Uint8Array, options: ReadCaptureOptions = {}): CaptureReadResult {
  const format = options.format ?? detectCaptureFormat(bytes);
  switch (format) {
    case 'pcap':
      return readPcap(bytes);
    case 'pcapng':
      return readPcapng(bytes);
    case 'rtpdump':
      return readRtpdump(bytes);
    case 'rfc4571':
      return readRfc4571(bytes);
    default: {
      const head = Array.from(bytes.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
      throw new CaptureFormatError(
        `unknown capture format (first bytes: ${head || 'none'}); expected pcap, pcapng or rtpdump`,
      );
    }
  }
}

/**
 * Reads a pcap, pcapng or rtpdump capture (auto-detected) and returns its UDP payloads in file
 * order. `data` are views into `bytes`. Use {@link readCaptureDetailed} for skip counters.
 * For files of any size, stream them with {@link CaptureFileReader} instead.
 * @throws CaptureFormatError (code 'ERR_CAPTURE_FORMAT') for unknown or truncated file headers.
 * @example
 * const packets = readCapture(await readFile('call.pcap')); // [{ data, timeUs, src, dst, srcPort, dstPort }, …]
 */
export function readCapture(bytes: Uint8Array, options: ReadCaptureOptions = {}): CapturedPacket[] {
  return readCaptureDetailed(bytes, options).packets;
}
