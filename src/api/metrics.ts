/**
 * Prometheus metrics of an egress service: its own prom-client `Registry` (never the global one,
 * so two services in one process do not clash), filled from `service.jobStats()` at scrape time,
 * plus prom-client's default process metrics (CPU, RSS, event-loop lag, GC, handles).
 */
import { EgressStatus } from '@livekit/protocol';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

import type { EgressJobStats, EgressServiceLike } from '../egress/service-types.js';

/** `EGRESS_ACTIVE` → `active`: the `status` label of `track_egress_active`. */
function statusLabel(status: EgressStatus): string {
  return (EgressStatus[status] ?? String(status)).replace(/^EGRESS_/, '').toLowerCase();
}

/** The per-job counters summed over the running jobs, with their metric names. */
const SUMS: readonly [name: string, help: string, pick: (s: EgressJobStats) => number][] = [
  ['track_egress_packets_received', 'RTP packets received by the running egresses', (s) => s.packets],
  ['track_egress_packets_lost', 'RTP packets lost for good by the running egresses', (s) => s.lost],
  ['track_egress_bytes_written', 'Container bytes written by the running egresses', (s) => s.bytesWritten],
  ['track_egress_bytes_uploaded', 'Bytes uploaded to storage by the running egresses', (s) => s.bytesUploaded],
  ['track_egress_upload_retries', 'Storage requests retried by the running egresses', (s) => s.uploadRetries],
  ['track_egress_queued_bytes', 'Bytes accepted but not yet on local disk (WebSocket: not yet sent), running egresses', (s) => s.queuedBytes],
  ['track_egress_websocket_frames_dropped', 'PCM messages dropped for receivers too slow to read them, running WebSocket egresses', (s) => s.framesDropped],
];

/**
 * A registry with `track_egress_active{status}` (running egresses by status), the sums in
 * {@link SUMS} (`track_egress_packets_received`, `_packets_lost`, `_bytes_written`,
 * `_bytes_uploaded`, `_upload_retries`, `_queued_bytes`, `track_egress_websocket_frames_dropped`;
 * gauges over the jobs running now) and the
 * default process metrics. Serve it with `await registry.metrics()` (`registry.contentType`).
 */
export function egressMetrics(service: EgressServiceLike): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  new Gauge({
    name: 'track_egress_active',
    help: 'Running egresses by status',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const status of [EgressStatus.EGRESS_STARTING, EgressStatus.EGRESS_ACTIVE, EgressStatus.EGRESS_ENDING]) {
        this.set({ status: statusLabel(status) }, 0);
      }
      for (const job of service.jobStats()) this.inc({ status: statusLabel(job.status) });
    },
  });
  for (const [name, help, pick] of SUMS) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(service.jobStats().reduce((sum, job) => sum + pick(job), 0));
      },
    });
  }
  return registry;
}
