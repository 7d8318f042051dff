/**
 * `track-egress record` against a real livekit-server: one job of the EgressService in the CLI
 * process. A published VP8 track is written to a seekable WebM that ffprobe/ffmpeg read without a
 * message, and the EgressInfo printed on stdout (LiveKit's JSON) says COMPLETE with its file.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { decoderErrors } from '../support/ffmpeg.js';
import { useLiveKitTestBed } from '../support/livekit-testbed.js';

const bed = useLiveKitTestBed('livekit-record-cli');

/** Runs the CLI; with `interruptOn`, sends SIGINT once stderr matches it. */
function runCli(args: string[], interruptOn?: RegExp): Promise<{ code: number | null; out: string; err: string; ms: number }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args]);
    let out = '';
    let err = '';
    let at = 0;
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => {
      err += d;
      if (interruptOn && !at && interruptOn.test(err)) {
        at = Date.now();
        p.kill('SIGINT');
      }
    });
    p.on('close', (code) => resolve({ code, out: out.trim(), err, ms: at ? Date.now() - at : 0 }));
  });
}

/** The EgressInfo JSON `record` prints on stdout. */
type InfoJson = {
  egressId: string;
  status?: string;
  error?: string;
  errorCode?: number;
  details?: string;
  fileResults?: { filename: string; location: string; size: string; duration: string }[];
};
const info = (out: string) => JSON.parse(out) as InfoJson;

describe('track-egress record (real LiveKit server)', () => {
  it('records a VP8 track into a directory as <track>-<time>.webm', async () => {
    const publisher = await bed.publisher('record-cli', 'alice');
    const video = await publisher.publishVideo('vp8');
    const dir = bed.dir;
    const r = await runCli(['record', '--url', bed.server.url, '--api-key', bed.server.apiKey, '--api-secret', bed.server.apiSecret,
      '--room', 'record-cli', '--track', video.sid, '--duration', '4', '-o', `${dir}/`]);
    expect(r.code, r.err).toBe(0);
    const i = info(r.out);
    expect(i).toMatchObject({ status: 'EGRESS_COMPLETE', details: 'End reason: StopEgress API', roomName: 'record-cli' });
    expect(i.egressId).toMatch(/^EG_[A-Za-z0-9]{12}$/);
    const [file] = readdirSync(dir);
    expect(file).toMatch(new RegExp(`^${video.sid}-\\d{4}-\\d\\d-\\d\\dT\\d{6}\\.webm$`));
    expect(i.fileResults![0]).toMatchObject({ location: join(dir, file!), size: String(statSync(join(dir, file!)).size) });
    expect(decoderErrors(join(dir, file!), { variableFrameRate: true })).toBe('');
    expect(Number(i.fileResults![0]!.duration) / 1e9).toBeGreaterThan(2.5);
    expect(r.err).toMatch(/ACTIVE: receiving RTP/);
  });

  it('an unknown track ends FAILED 404 after --track-timeout: exit 2', async () => {
    const r = await runCli(['record', '--url', bed.server.url, '--api-key', bed.server.apiKey, '--api-secret', bed.server.apiSecret,
      '--room', 'record-cli', '--track', 'TR_doesnotexist', '--track-timeout', '1', '-o', join(tmpdir(), 'never/')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/TR_doesnotexist/);
    expect(info(r.out)).toMatchObject({ status: 'EGRESS_FAILED', errorCode: 404 });
  });

  it('SIGINT while recording stops cleanly (StopEgress): exit 0, COMPLETE, the file is complete', async () => {
    const publisher = await bed.publisher('record-cli-int', 'bob');
    const audio = await publisher.publishAudio();
    const out = join(bed.dir, 'interrupted.ogg');
    const r = await runCli(['record', '--url', bed.server.url, '--api-key', bed.server.apiKey, '--api-secret', bed.server.apiSecret,
      '--room', 'record-cli-int', '--track', audio.sid, '-o', out], /receiving RTP/);
    expect(r.code, r.err).toBe(0);
    expect(info(r.out)).toMatchObject({ status: 'EGRESS_COMPLETE', details: 'End reason: StopEgress API' });
    expect(decoderErrors(out)).toBe('');
  });

  it('SIGINT while waiting for the track ends at once with exit 130 and writes nothing', async () => {
    const dir = join(bed.dir, 'never');
    const r = await runCli(['record', '--url', bed.server.url, '--api-key', bed.server.apiKey, '--api-secret', bed.server.apiSecret,
      '--room', 'record-cli', '--track', 'TR_notyet', '--track-timeout', '60', '-o', `${dir}/`], /waiting for track TR_notyet/);
    expect(r.code, r.err).toBe(130);
    expect(r.err).toMatch(/interrupted \(SIGINT\); no output written/);
    expect(info(r.out)).toMatchObject({ status: 'EGRESS_ABORTED', errorCode: 412 });
    expect(r.ms).toBeLessThan(5000); // not the 60 s track timeout
    expect(existsSync(dir)).toBe(false);
  });
});
