import { EgressStatus } from '@livekit/protocol';

import type { EgressJobStats } from '../egress/service-types.js';

/** Bytes as B / kB / MB (SI, one decimal), as progress lines show them. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

/** Elapsed time as `m:ss` (or `h:mm:ss`). */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** The status name without LiveKit's `EGRESS_` prefix (`ACTIVE`, `COMPLETE`, …). */
export function statusName(status: EgressStatus): string {
  return (EgressStatus[status] ?? String(status)).replace(/^EGRESS_/, '');
}

/**
 * One progress line of `record`: status, elapsed wall clock, media written, bytes, packets, lost,
 * for S3 the upload state and bytes in the bucket, for a WebSocket the PCM messages dropped (if any).
 * @example
 * progressLine(stats, 12_500);
 * // → 'ACTIVE 0:12  media 11.9 s  1.2 MB  packets 610  lost 0  upload uploading 0 B'
 */
export function progressLine(s: EgressJobStats | undefined, elapsedMs: number): string {
  if (!s) return `STARTING ${formatElapsed(elapsedMs)}  waiting for the track`;
  const upload = s.uploadState === 'local' ? '' : `  upload ${s.uploadState} ${formatBytes(s.bytesUploaded)}${s.uploadRetries ? ` (${s.uploadRetries} retries)` : ''}`;
  return (
    `${statusName(s.status)} ${formatElapsed(elapsedMs)}  media ${(s.durationUs / 1e6).toFixed(1)} s  ${formatBytes(s.bytesWritten)}` +
    `  packets ${s.packets}  lost ${s.lost}${upload}${s.framesDropped ? `  dropped ${s.framesDropped} PCM messages` : ''}`
  );
}
