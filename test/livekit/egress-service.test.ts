/**
 * EgressService against a real livekit-server with @livekit/rtc-node publishers: local file
 * outputs (H.264 → .mp4, Opus → .ogg, VP8 → .webm), the status flow seen through `update`
 * events, file_results checked against the file on disk and ffprobe, the manifest, LiveKit's
 * error cases, the recordings root, and a kill -9 of a process running the service.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { DirectFileOutput, EgressInfo, EgressStatus, TrackEgressRequest } from '@livekit/protocol';
import { describe, expect, it, type TestContext } from 'vitest';

import { EgressError } from '../../src/egress/egress-error.js';
import { EgressService } from '../../src/egress/egress-service.js';
import type { EgressServiceConfig } from '../../src/egress/service-types.js';
import { decodedSecondsAsync, expectKilledWithinBound, probedDurationAsync, recordAndSignal } from '../support/crash-check.js';
import { decoderErrorsAsync, run } from '../support/ffmpeg.js';
import { watchUpdates } from '../support/egress-updates.js';
import { useLiveKitTestBed } from '../support/livekit-testbed.js';

const bed = useLiveKitTestBed('egress-service');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const S = EgressStatus;

/** A service on the test bed's server, recording under a fresh root; collects its updates. */
function service(name: string, extra: Partial<EgressServiceConfig> = {}) {
  const recordingsDir = join(bed.dir, name);
  const svc = new EgressService({ apiKey: bed.server.apiKey, apiSecret: bed.server.apiSecret, wsUrl: bed.server.url, recordingsDir, ...extra });
  const { updates, statuses, until } = watchUpdates(svc);
  return { svc, recordingsDir, updates, statuses, until };
}

function request(roomName: string, trackId: string, filepath: string, disableManifest = false): TrackEgressRequest {
  return new TrackEgressRequest({ roomName, trackId, output: { case: 'file', value: new DirectFileOutput({ filepath, disableManifest }) } });
}

/** A room with one publisher of `codec`, disconnected when the test ends (its encoder stops costing CPU). */
async function publish(codec: 'opus' | 'h264' | 'vp8' | 'av1', { onTestFinished }: TestContext) {
  const room = bed.room();
  const pub = await bed.publisher(room, 'alice');
  onTestFinished(() => pub.disconnect());
  const track = codec === 'opus' ? await pub.publishAudio() : await pub.publishVideo(codec);
  return { room, pub, track };
}

// Concurrent (up to vitest's maxConcurrency, 5): every test has its own room, publisher, service and
// recordings root, and most of their time is real time (recording, timeouts). Measurements use the
// asynchronous ffprobe/ffmpeg helpers so no test's clock is stopped by another's tools, and hooks
// come from the test's own context.
describe.concurrent('EgressService to a local directory (real livekit-server)', () => {
  const cases = [
    { codec: 'h264', ext: '.mp4', kind: 'video' },
    { codec: 'opus', ext: '.ogg', kind: 'audio' },
    { codec: 'vp8', ext: '.webm', kind: 'video' },
  ] as const;
  for (const c of cases) {
    it(`${c.codec} → ${c.ext}: STARTING → ACTIVE → ENDING → COMPLETE, file_results match the file, manifest written`, async (ctx) => {
      const { room, track } = await publish(c.codec, ctx);
      const { svc, recordingsDir, statuses, until } = service(`local-${c.codec}`);
      // `.mp4` is replaced by the codec's extension (LiveKit's rule) except for H.264.
      const started = await svc.startTrackEgress(request(room, track.sid, '{room_name}/{publisher_identity}-{track_id}.mp4'));
      expect(started.status).toBe(S.EGRESS_STARTING);
      expect(started.egressId).toMatch(/^EG_[2-9A-HJ-NP-Za-km-z]{12}$/);
      const active = await until(started.egressId, S.EGRESS_ACTIVE);
      const tActive = performance.now();
      await sleep(4000);
      const ending = await svc.stopEgress(started.egressId);
      const tStop = performance.now();
      expect(ending.status).toBe(S.EGRESS_ENDING);
      const done = await until(started.egressId, S.EGRESS_COMPLETE);
      expect(statuses(started.egressId)).toEqual(['EGRESS_STARTING', 'EGRESS_ACTIVE', 'EGRESS_ENDING', 'EGRESS_COMPLETE']);
      expect(done.details).toBe('End reason: StopEgress API');
      expect(done.error).toBe('');

      const f = done.fileResults[0]!;
      const filename = `${room}/alice-${track.sid}${c.ext}`;
      expect(f.filename).toBe(filename);
      expect(f.location).toBe(join(recordingsDir, filename));
      expect(f.size).toBe(BigInt(statSync(f.location).size));
      expect(f.size).toBeGreaterThan(1000n);
      expect(await decoderErrorsAsync(f.location, { variableFrameRate: true })).toBe('');
      const probed = await probedDurationAsync(f.location);
      const recordedSec = (tStop - tActive) / 1000;
      console.log(`${c.codec}: ${f.size} bytes, ffprobe ${probed} s, FileInfo.duration ${Number(f.duration) / 1e9} s, ACTIVE→stop ${recordedSec.toFixed(2)} s`);
      expect(Math.abs(probed - Number(f.duration) / 1e9)).toBeLessThan(0.3);
      expect(Math.abs(await decodedSecondsAsync(f.location) - recordedSec)).toBeLessThan(1.2);
      expect(active.fileResults[0]).toMatchObject({ filename, startedAt: f.startedAt, size: 0n });
      expect(f.startedAt).toBeGreaterThan(started.startedAt);
      expect(f.endedAt).toBeGreaterThan(f.startedAt);
      expect(done.endedAt).toBeGreaterThanOrEqual(f.endedAt);

      const manifestPath = join(dirname(f.location), `${started.egressId}.json`);
      expect(done.manifestLocation).toBe(manifestPath);
      const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
      expect(m).toMatchObject({ egress_id: started.egressId, room_name: room, track_id: track.sid, publisher_identity: 'alice',
        track_kind: c.kind, files: [{ filename, location: f.location }] });

      expect(readdirSync(join(recordingsDir, '.track-egress'))).toEqual([]); // journal record removed at the end
      const listed = await svc.listEgress({ egressId: started.egressId });
      expect(listed.map((i) => i.status)).toEqual([S.EGRESS_COMPLETE]);
      expect(await svc.listEgress({ active: true })).toEqual([]);
      await expect(svc.stopEgress(started.egressId)).rejects.toMatchObject({ twirpCode: 'failed_precondition',
        message: 'egress with status EGRESS_COMPLETE cannot be stopped' });
    });
  }

  it('the publisher leaving ends the egress COMPLETE with "End reason: Source closed"; disable_manifest writes none', async (ctx) => {
    const { room, pub, track } = await publish('opus', ctx);
    const { svc, statuses, until } = service('leave');
    const { egressId } = await svc.startTrackEgress(request(room, track.sid, 'leave/', true));
    await until(egressId, S.EGRESS_ACTIVE);
    await sleep(2000);
    await pub.disconnect();
    const done = await until(egressId, S.EGRESS_COMPLETE);
    expect(statuses(egressId)).toEqual(['EGRESS_STARTING', 'EGRESS_ACTIVE', 'EGRESS_ENDING', 'EGRESS_COMPLETE']);
    expect(done.details).toBe('End reason: Source closed');
    const f = done.fileResults[0]!;
    expect(f.filename).toMatch(new RegExp(`^leave/${track.sid}-\\d{4}-\\d\\d-\\d\\dT\\d{6}\\.ogg$`));
    expect(await decoderErrorsAsync(f.location)).toBe('');
    expect(done.manifestLocation).toBe('');
    expect(existsSync(join(dirname(f.location), `${egressId}.json`))).toBe(false);
  });

  // A 16 KiB tmpfs mounted inside the root (needs CAP_SYS_ADMIN; skipped otherwise): writes fail with ENOSPC.
  it('a full disk fails only its own job (FAILED with the sink\'s error); close() ends the others COMPLETE', async (ctx) => {
    const { room, track } = await publish('opus', ctx);
    const { svc, recordingsDir, statuses, until } = service('full');
    const full = join(recordingsDir, 'full');
    mkdirSync(full, { recursive: true });
    const mounted = run('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', full]);
    if (mounted.status !== 0) ctx.skip(`cannot mount a tmpfs: ${mounted.stderr.trim()}`);
    ctx.onTestFinished(() => void run('umount', [full]));
    const bad = (await svc.startTrackEgress(request(room, track.sid, 'full/x.ogg'))).egressId;
    const good = (await svc.startTrackEgress(request(room, track.sid, 'ok/x.ogg'))).egressId;
    const failed = await until(bad, S.EGRESS_FAILED);
    expect(statuses(bad)).toEqual(['EGRESS_STARTING', 'EGRESS_ACTIVE', 'EGRESS_FAILED']);
    expect(failed.errorCode).toBe(429);
    expect(failed.error).toMatch(/^local file .*full\/x\.ogg: ENOSPC/);
    expect(failed.fileResults[0]?.filename).toBe('full/x.ogg');
    await until(good, S.EGRESS_ACTIVE);
    await sleep(1500);
    expect(svc.jobStats().map((j) => [j.egressId, S[j.status]])).toEqual([[good, 'EGRESS_ACTIVE']]);
    await svc.close();
    const done = (await svc.listEgress({ egressId: good }))[0]!;
    expect(done.status).toBe(S.EGRESS_COMPLETE);
    expect(done.details).toBe('End reason: Process killed');
    expect(await decoderErrorsAsync(done.fileResults[0]!.location)).toBe('');
    await expect(svc.startTrackEgress(request(room, track.sid, 'late'))).rejects.toMatchObject({ twirpCode: 'unavailable' });
  });

  it('a filepath naming the spool directory ends FAILED 400', async (ctx) => {
    const { room, track } = await publish('opus', ctx);
    const { svc, until } = service('spool');
    const { egressId } = await svc.startTrackEgress(request(room, track.sid, '.track-egress/x'));
    const failed = await until(egressId, S.EGRESS_FAILED);
    expect(failed.errorCode).toBe(400);
    expect(failed.error).toBe('request has missing or invalid field: filepath (names the spool directory)');
  });

  it('session limit file_output_max_duration → LIMIT_REACHED 413 "Session limit reached"; the file is finalized', async (ctx) => {
    const { room, track } = await publish('vp8', ctx);
    const { svc, statuses, until } = service('limit', { sessionLimits: { fileOutputMaxDuration: 2 } });
    const { egressId } = await svc.startTrackEgress(request(room, track.sid, 'limit/x'));
    const done = await until(egressId, S.EGRESS_LIMIT_REACHED);
    expect(statuses(egressId)).toEqual(['EGRESS_STARTING', 'EGRESS_ACTIVE', 'EGRESS_LIMIT_REACHED']);
    expect(done).toMatchObject({ error: 'Session limit reached', errorCode: 413 });
    const f = done.fileResults[0]!;
    expect(await decoderErrorsAsync(f.location, { variableFrameRate: true })).toBe('');
    expect(Number(f.duration) / 1e9).toBeGreaterThan(1.5);
    expect(Number(f.duration) / 1e9).toBeLessThan(3);
    expect(done.manifestLocation).not.toBe('');
  });

  it('an unknown track ends FAILED 404 "track <id> not found" after the track timeout', async () => {
    const room = bed.room();
    await bed.publisher(room, 'alice');
    const { svc, statuses, until } = service('unknown', { trackTimeoutMs: 1500 });
    const { egressId } = await svc.startTrackEgress(request(room, 'TR_nosuchtrack', 'x.ogg'));
    const failed = await until(egressId, S.EGRESS_FAILED);
    expect(statuses(egressId)).toEqual(['EGRESS_STARTING', 'EGRESS_FAILED']);
    expect(failed.error).toBe('track TR_nosuchtrack not found');
    expect(failed.errorCode).toBe(404);
    expect(failed.fileResults).toEqual([]);
  });

  it('AV1 ends FAILED 400 "<mime> is not yet supported"', async (ctx) => {
    const { room, track } = await publish('av1', ctx);
    const { svc, until } = service('av1');
    const { egressId } = await svc.startTrackEgress(request(room, track.sid, 'x'));
    const failed = await until(egressId, S.EGRESS_FAILED);
    expect(failed.error).toMatch(/^video\/av1 is not yet supported$/i);
    expect(failed.errorCode).toBe(400);
  });

  it('a stop before the first packet ends ABORTED 412 "Stop called before pipeline could start"; no file', async (ctx) => {
    const { room, track } = await publish('opus', ctx);
    const { svc, recordingsDir, statuses, until } = service('abort');
    const { egressId } = await svc.startTrackEgress(request(room, track.sid, 'abort/x.ogg'));
    const aborted = await svc.stopEgress(egressId);
    expect(aborted.status).toBe(S.EGRESS_ABORTED);
    expect(aborted.error).toBe('Stop called before pipeline could start');
    expect(aborted.errorCode).toBe(412);
    await until(egressId, S.EGRESS_ABORTED);
    await sleep(1500); // the join finishing late must not record
    expect(statuses(egressId)).toEqual(['EGRESS_STARTING', 'EGRESS_ABORTED']);
    expect(existsSync(join(recordingsDir, 'abort', 'x.ogg'))).toBe(false);
  });

  it('synchronous validation: missing track_id / output → invalid_argument with LiveKit\'s text; unknown egress → not_found', async () => {
    const { svc } = service('invalid');
    const err = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
    const noTrack = await err(svc.startTrackEgress(request('r', '', 'x')));
    expect(noTrack).toBeInstanceOf(EgressError);
    expect(noTrack).toMatchObject({ twirpCode: 'invalid_argument', httpStatus: 400, message: 'request has missing or invalid field: track_id' });
    expect(await err(svc.startTrackEgress(new TrackEgressRequest({ roomName: 'r', trackId: 'TR_x' }))))
      .toMatchObject({ twirpCode: 'invalid_argument', message: 'request has missing or invalid field: output' });
    expect(await err(svc.stopEgress('EG_nope'))).toMatchObject({ twirpCode: 'not_found' });
    expect(await svc.listEgress()).toEqual([]);
  });

  it('"../../etc/x" and "/etc/x" stay under the recordings root', async (ctx) => {
    const { room, track } = await publish('opus', ctx);
    const { svc, recordingsDir, until } = service('root');
    const ids = [];
    for (const p of ['../../etc/x', '/etc/x2']) ids.push((await svc.startTrackEgress(request(room, track.sid, p))).egressId);
    for (const id of ids) await until(id, S.EGRESS_ACTIVE);
    await sleep(1000);
    for (const id of ids) await svc.stopEgress(id);
    const files = await Promise.all(ids.map(async (id) => (await until(id, S.EGRESS_COMPLETE)).fileResults[0]!));
    expect(files.map((f) => f.location)).toEqual([join(recordingsDir, 'etc', 'x.ogg'), join(recordingsDir, 'etc', 'x2.ogg')]);
    for (const f of files) expect(await decoderErrorsAsync(f.location)).toBe('');
    expect(existsSync('/etc/x.ogg')).toBe(false);
  });

  it('kill -9 of a process running the service: the file decodes up to ≤ ~1 s before the kill; a new service reports it', async (ctx) => {
    const { room, track } = await publish('opus', ctx);
    const recordingsDir = join(bed.dir, 'killed');
    const child = join(import.meta.dirname, '..', 'support', 'egress-service-child.ts');
    const args = ['--import', 'tsx', child, JSON.stringify({ url: bed.server.url, apiKey: bed.server.apiKey,
      apiSecret: bed.server.apiSecret, recordingsDir, roomName: room, trackId: track.sid, filepath: 'k/{track_id}' })];
    const file = join(recordingsDir, 'k', `${track.sid}.ogg`);
    const r = await recordAndSignal(args, file, 'SIGKILL');
    console.log(`service kill -9: receiving ${r.receivingSec.toFixed(2)} s, decoded ${r.decodedSec.toFixed(2)} s, lost ${r.lostSec.toFixed(2)} s`);
    expectKilledWithinBound(r, file, '.ogg');

    const { svc, updates } = service('killed');
    const leftovers = await svc.start();
    expect(leftovers).toHaveLength(1);
    const info = leftovers[0]!;
    expect(info).toMatchObject({ status: S.EGRESS_FAILED, error: 'egress process ended while recording', errorCode: 500,
      details: 'End reason: Process killed', roomName: room });
    expect(info.request.case === 'track' && info.request.value.trackId).toBe(track.sid);
    expect(info.fileResults[0]).toMatchObject({ filename: `k/${track.sid}.ogg`, location: file, size: BigInt(statSync(file).size) });
    expect(info.fileResults[0]!.startedAt).toBeGreaterThan(0n);
    expect(updates.map((u) => u.egressId)).toEqual([info.egressId]);
    expect(await svc.listEgress({ egressId: info.egressId })).toHaveLength(1);
    expect(await new EgressService({ apiKey: 'k', apiSecret: 's', wsUrl: bed.server.url, recordingsDir }).start()).toEqual([]);
  });
});
