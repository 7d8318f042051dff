/**
 * RFC 4571 §2 framing reader: a byte stream of `LENGTH (16 bits, big-endian) | RTP or RTCP packet`
 * records, as written by GStreamer's `rtpstreampay`. It has no magic number and no timestamps, so
 * {@link readCapture} only uses it when asked (`format: 'rfc4571'`); `timeUs` is the packet index
 * (so order is kept and nothing pretends to know arrival times).
 */
import type { CaptureReadResult, CapturedPacket } from './captured-packet.js';
import { emptyCaptureStats } from './captured-packet.js';

/** Reads RFC 4571-framed packets; a frame cut short by the end of the input stops the read. */
export function readRfc4571(bytes: Uint8Array): CaptureReadResult {
  const stats = emptyCaptureStats();
  const warnings: string[] = [];
  const packets: CapturedPacket[] = [];
  let off = 0;
  while (off < bytes.length) {
    if (off + 2 > bytes.length) {
      stats.truncatedRecords = 1;
      warnings.push(`RFC 4571 length at byte ${off} truncated; stopped reading`);
      break;
    }
    const len = ((bytes[off] ?? 0) << 8) | (bytes[off + 1] ?? 0);
    if (off + 2 + len > bytes.length) {
      stats.truncatedRecords = 1;
      warnings.push(`RFC 4571 frame at byte ${off} truncated; stopped reading`);
      break;
    }
    stats.records++;
    stats.packets++;
    packets.push({ data: bytes.subarray(off + 2, off + 2 + len), timeUs: packets.length });
    off += 2 + len;
  }
  return { format: 'rfc4571', packets, stats, warnings };
}
