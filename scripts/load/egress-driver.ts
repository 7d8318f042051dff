// What starts one track egress in the benchmarks: the service (EgressService.startTrackEgress,
// src/egress/egress-service.ts) when it exists, else the library path (subscribeTrack →
// TrackRecording → sink, recordings.ts). THE SWITCH POINT: `openDriver('auto', …)` picks the
// service as soon as src/egress/egress-service.ts is there; BENCH_DRIVER=recording|service forces one.
import { join } from 'node:path';

import type { Load, LoadTrack } from './load-publishers.js';
import { startRecording, type SinkKind } from './recordings.js';

export type DriverKind = 'auto' | 'service' | 'recording';

/** One running egress as the benchmarks see it. */
export type BenchEgress = {
  /** The output file (local; for the service, FileInfo.location once it is known). */
  path(): string;
  /** RTP packets so far. */
  packets(): number;
  /** RTP packets lost for good so far. */
  lost(): number;
  /** Largest RTP arrival gap so far, ms (undefined when the driver cannot tell). */
  maxGapMs(): number | undefined;
  /** Arrival gaps > 300 ms so far (undefined when the driver cannot tell). */
  gapsOver300(): number | undefined;
  /** Ends the egress cleanly; resolves when the file is complete. */
  stop(): Promise<void>;
};

export type Driver = { label: string; start(track: LoadTrack): Promise<BenchEgress>; close(): Promise<void> };

type ServiceModule = {
  EgressService: new (config: Record<string, unknown>) => {
    start(): Promise<unknown>;
    startTrackEgress(request: unknown): Promise<{ egressId: string }>;
    stopEgress(id: string): Promise<unknown>;
    jobStats(): { egressId: string; packets: number; lost: number }[];
    on(event: 'update', l: (info: { egressId: string; status: number; fileResults?: { location: string }[] }) => void): unknown;
    close(opts?: { deadlineMs?: number }): Promise<void>;
  };
};

async function serviceModule(): Promise<ServiceModule | undefined> {
  const path = '../../src/egress/egress-service.js'; // a variable: tsc must not need the file
  try {
    return (await import(path)) as ServiceModule;
  } catch (err) {
    // Only the service file itself missing means "not there yet"; a missing import inside it is a bug.
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && /egress-service\.[jt]s/.test(String((err as Error).message).split('imported from')[0]!)) return undefined;
    throw err;
  }
}

function recordingDriver(server: Load['server'], dir: string, sink: SinkKind): Driver {
  return {
    label: `TrackRecording + ${sink} sink (library path, EgressService not used; sink kinds in recordings.ts)`,
    async start(track) {
      const r = await startRecording(server, track, { dir, sink });
      return {
        path: () => r.path,
        packets: () => r.recording.stats().packets,
        lost: () => r.recording.stats().lost,
        maxGapMs: () => r.recording.stats().maxGapMs,
        gapsOver300: () => r.gaps.length,
        stop: async () => void (await r.stop()),
      };
    },
    close: async () => {},
  };
}

async function serviceDriver(mod: ServiceModule, server: Load['server'], dir: string): Promise<Driver> {
  const { DirectFileOutput, TrackEgressRequest, EgressStatus } = await import('@livekit/protocol');
  const service = new mod.EgressService({ apiKey: server.apiKey, apiSecret: server.apiSecret, wsUrl: server.url, recordingsDir: dir });
  await service.start();
  const ended = new Map<string, () => void>();
  const locations = new Map<string, string>();
  const final = new Set([EgressStatus.EGRESS_COMPLETE, EgressStatus.EGRESS_FAILED, EgressStatus.EGRESS_ABORTED, EgressStatus.EGRESS_LIMIT_REACHED]);
  service.on('update', (info) => {
    if (info.fileResults?.[0]?.location) locations.set(info.egressId, info.fileResults[0].location);
    if (final.has(info.status)) ended.get(info.egressId)?.();
  });
  return {
    label: 'EgressService.startTrackEgress (src/egress/egress-service.ts)',
    async start(track) {
      const request = new TrackEgressRequest({
        roomName: track.room,
        trackId: track.sid,
        output: { case: 'file', value: new DirectFileOutput({ filepath: `${track.sid}.ogg`, disableManifest: true }) },
      });
      const { egressId } = await service.startTrackEgress(request);
      const done = new Promise<void>((resolve) => ended.set(egressId, resolve));
      const job = () => service.jobStats().find((j) => j.egressId === egressId);
      return {
        path: () => locations.get(egressId) ?? join(dir, `${track.sid}.ogg`),
        packets: () => job()?.packets ?? 0,
        lost: () => job()?.lost ?? 0,
        maxGapMs: () => undefined,
        gapsOver300: () => undefined,
        stop: async () => {
          await service.stopEgress(egressId);
          await done;
        },
      };
    },
    close: () => service.close({ deadlineMs: 10_000 }),
  };
}

/** The driver for `kind`; 'auto' = the service when src/egress/egress-service.ts exists. */
export async function openDriver(kind: DriverKind, server: Load['server'], dir: string, sink: SinkKind = 'async'): Promise<Driver> {
  if (kind === 'recording') return recordingDriver(server, dir, sink);
  const mod = await serviceModule();
  if (mod) return serviceDriver(mod, server, dir);
  if (kind === 'service') throw new Error('BENCH_DRIVER=service: src/egress/egress-service.ts is not there');
  return recordingDriver(server, dir, sink);
}
