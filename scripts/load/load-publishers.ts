// A private livekit-server plus @livekit/rtc-node publishers of Opus sine tracks: the load the
// egress benchmarks record. Used in its own process by publisher-process.ts (the normal case: its
// cost is then not counted against the recordings) and in-process by gap-probe.ts to compare.
import { connectPublisher, createRoom, disposeRtc, waitForTracks, type Publisher } from '../../test/support/livekit-publisher.js';
import { startLiveKitServer, type LiveKitConnection } from '../../test/support/livekit-server.js';

/** One published track, as the recording side needs it. */
export type LoadTrack = { room: string; sid: string };

/** A running load: where to connect, what to record, and how to end it. */
export type Load = {
  server: Pick<LiveKitConnection, 'url' | 'apiKey' | 'apiSecret'>;
  tracks: LoadTrack[];
  /** Disconnects the publishers, stops the server and disposes rtc-node (terminal for the process). */
  stop(): Promise<void>;
};

/**
 * Starts a server and publishes `count` Opus tracks (mono 48 kHz sine, one frequency per track),
 * `perPublisher` tracks per publisher, one room per publisher.
 */
export async function publishLoad(count: number, perPublisher = 1): Promise<Load> {
  const server = await startLiveKitServer({ logLevel: 'warn' });
  const publishers: Publisher[] = [];
  const tracks: LoadTrack[] = [];
  for (let p = 0; tracks.length < count; p++) {
    const room = `load-${process.pid}-${p}`;
    await createRoom(server, room, { emptyTimeout: 600, departureTimeout: 20 });
    const pub = await connectPublisher(server, room, `pub-${p}`);
    publishers.push(pub);
    const sids: string[] = [];
    for (let k = 0; k < perPublisher && tracks.length < count; k++) {
      const t = await pub.publishAudio({ frequency: 300 + 20 * tracks.length, name: `sine-${tracks.length}` });
      sids.push(t.sid);
      tracks.push({ room, sid: t.sid });
    }
    await waitForTracks(server, room, (ts) => sids.every((s) => ts.some((t) => t.sid === s)), 15_000);
  }
  return {
    server: { url: server.url, apiKey: server.apiKey, apiSecret: server.apiSecret },
    tracks,
    async stop() {
      for (const p of publishers) await p.disconnect().catch(() => {});
      await server.stop();
      await disposeRtc();
    },
  };
}
