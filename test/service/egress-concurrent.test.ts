/**
 * 20 concurrent track egresses (Opus and video) in one EgressService against one livekit-server:
 * all reach COMPLETE and every file decodes without a message, with about the recorded duration.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';

import { DirectFileOutput, type EgressInfo, EgressStatus, TrackEgressRequest } from '@livekit/protocol';
import { describe, expect, it } from 'vitest';

import { EgressService } from '../../src/egress/egress-service.js';
import { decodedSeconds } from '../support/crash-check.js';
import { decoderErrors } from '../support/ffmpeg.js';
import { useLiveKitTestBed } from '../support/livekit-testbed.js';

const bed = useLiveKitTestBed('egress-concurrent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('EgressService: 20 concurrent egresses in one process (real livekit-server)', () => {
  it('all COMPLETE; every file decodes with about the recorded duration', { timeout: 120_000 }, async () => {
    const room = bed.room();
    // 4 publishers: 17 Opus tracks and 3 video tracks (VP8, H.264, VP8).
    const pubs = await Promise.all(['p0', 'p1', 'p2', 'p3'].map((id) => bed.publisher(room, id)));
    // Each publisher publishes its tracks one after another; the publishers in parallel.
    const plan = Array.from({ length: 20 }, (_, i) => (i < 17 ? { pub: i % 4, codec: 'opus' as const, i } : { pub: i - 17, codec: (['vp8', 'h264', 'vp8'] as const)[i - 17]!, i }));
    const tracks: { sid: string; ext: string }[] = new Array(20);
    const t0 = performance.now();
    await Promise.all(pubs.map(async (pub, p) => {
      for (const x of plan.filter((y) => y.pub === p)) {
        const t = x.codec === 'opus' ? await pub.publishAudio({ frequency: 300 + 20 * x.i, name: `sine-${x.i}` }) : await pub.publishVideo(x.codec, { name: `video-${x.i}` });
        tracks[x.i] = { sid: t.sid, ext: x.codec === 'opus' ? '.ogg' : x.codec === 'h264' ? '.mp4' : '.webm' };
      }
    }));
    console.log(`published 20 tracks in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const recordingsDir = join(bed.dir, 'rec');
    const svc = new EgressService({ apiKey: bed.server.apiKey, apiSecret: bed.server.apiSecret, wsUrl: bed.server.url, recordingsDir });
    const last = new Map<string, EgressInfo>();
    svc.on('update', (info) => last.set(info.egressId, info));
    const ids = await Promise.all(tracks.map(async (t) => (await svc.startTrackEgress(new TrackEgressRequest({
      roomName: room, trackId: t.sid, output: { case: 'file', value: new DirectFileOutput({ filepath: '{track_id}' }) } }))).egressId));
    const waitAll = async (status: EgressStatus, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (!ids.every((id) => (last.get(id)?.status ?? -1) >= status)) {
        if (Date.now() > deadline) {
          throw new Error(`not all ${EgressStatus[status]}: ${ids.map((id) => EgressStatus[last.get(id)?.status ?? 0]).join(', ')}`);
        }
        await sleep(100);
      }
    };
    await waitAll(EgressStatus.EGRESS_ACTIVE, 20_000);
    expect(svc.jobStats()).toHaveLength(20);
    const tActive = performance.now();
    await sleep(6000);
    expect(svc.jobStats().every((s) => s.packets > 100 && s.bytesWritten > 0 && s.queuedBytes < 1_000_000)).toBe(true);
    await Promise.all(ids.map((id) => svc.stopEgress(id)));
    const recordedSec = (performance.now() - tActive) / 1000;
    await waitAll(EgressStatus.EGRESS_COMPLETE, 20_000);
    console.log(`all ACTIVE → all COMPLETE in ${((performance.now() - tActive) / 1000).toFixed(1)} s`);
    const tCheck = performance.now();

    const infos = ids.map((id) => last.get(id)!);
    expect(infos.map((i) => EgressStatus[i.status])).toEqual(ids.map(() => 'EGRESS_COMPLETE'));
    const decoded: number[] = [];
    for (const [n, info] of infos.entries()) {
      const f = info.fileResults[0]!;
      expect(f.location.endsWith(`${tracks[n]!.sid}${tracks[n]!.ext}`)).toBe(true);
      expect(f.size).toBe(BigInt(statSync(f.location).size));
      expect(decoderErrors(f.location, { variableFrameRate: true }), f.location).toBe('');
      decoded.push(decodedSeconds(f.location));
    }
    console.log(`20 egresses: recorded ~${recordedSec.toFixed(1)} s each; decoded min ${Math.min(...decoded).toFixed(2)} s, max ${Math.max(...decoded).toFixed(2)} s`);
    console.log(`decode checks ${((performance.now() - tCheck) / 1000).toFixed(1)} s`);
    // Each file holds the recorded time (ACTIVE was reached at different moments before tActive).
    for (const d of decoded) expect(d).toBeGreaterThan(recordedSec - 1.5);
    expect(svc.jobStats()).toEqual([]);
    await svc.close();
  });
});
