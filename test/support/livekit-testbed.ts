// One LiveKit test file's world: a private livekit-server on fresh ports, a temp directory, and
// registries of the publishers and subscriptions the file creates. afterAll closes them all, stops
// the server, removes the directory and disposes rtc-node (else the worker lingers ~1 min).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

import { subscribeTrack, type SubscribeTrackOptions } from '../../src/livekit/subscribe-track.js';
import type { TrackSource } from '../../src/livekit/track-source.js';
import { connectPublisher, disposeRtc, type Publisher } from './livekit-publisher.js';
import { startLiveKitServer, type LiveKitTestServer } from './livekit-server.js';

export type LiveKitTestBed = {
  /** The file's server (available inside tests, after beforeAll). */
  readonly server: LiveKitTestServer;
  /** A temp directory for output files, removed after the file. */
  readonly dir: string;
  /** A room name unique in this run. */
  room(): string;
  /** An rtc-node publisher, disconnected after the file. */
  publisher(roomName: string, identity: string): Promise<Publisher>;
  /** Options for subscribeTrack with the server's key/secret and a fresh recorder identity. */
  options(roomName: string, trackSid: string, extra?: Partial<SubscribeTrackOptions>): SubscribeTrackOptions;
  /** subscribeTrack(), closed after the file. */
  subscribe(options: SubscribeTrackOptions): Promise<TrackSource>;
};

/** Registers the beforeAll/afterAll hooks of a LiveKit test file and returns its test bed. */
export function useLiveKitTestBed(name: string): LiveKitTestBed {
  let server: LiveKitTestServer | undefined;
  let dir: string | undefined;
  let roomNo = 0;
  const publishers: Publisher[] = [];
  const sources: TrackSource[] = [];

  beforeAll(async () => {
    server = await startLiveKitServer();
    dir = mkdtempSync(join(tmpdir(), `te-${name}-`));
  });
  afterAll(async () => {
    for (const s of sources) await s.close();
    for (const p of publishers) await p.disconnect();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await disposeRtc();
  });

  const live = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`the LiveKit test bed's ${what} exists only inside tests`);
    return v;
  };
  const bed: LiveKitTestBed = {
    get server() {
      return live(server, 'server');
    },
    get dir() {
      return live(dir, 'directory');
    },
    room: () => `${name}-${process.pid}-${++roomNo}`,
    publisher: async (roomName, identity) => {
      const p = await connectPublisher(bed.server, roomName, identity);
      publishers.push(p);
      return p;
    },
    options: (roomName, trackSid, extra = {}) => ({
      url: bed.server.url,
      apiKey: bed.server.apiKey,
      apiSecret: bed.server.apiSecret,
      roomName,
      identity: `EG_${roomName}_${Math.random().toString(36).slice(2, 8)}`,
      trackSid,
      ...extra,
    }),
    subscribe: async (options) => {
      const s = await subscribeTrack(options);
      sources.push(s);
      return s;
    },
  };
  return bed;
}
