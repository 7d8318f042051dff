/**
 * `track-egress record` against a real livekit-server: a published VP8 track is written to a
 * seekable WebM that ffprobe/ffmpeg read without a message, and the summary line says so.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
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

describe('track-egress record (real LiveKit server)', () => {
  it('records a VP8 track into a directory as <track>-<time>.webm', async () => {
    const publisher = await bed.publisher('record-cli', 'alice');
    const video = await publisher.publishVideo('vp8');
    const dir = bed.dir;
    const r = await runCli(['record', '--url', bed.server.url, '--api-key', bed.server.apiKey, '--api-secret', bed.server.apiSecret,
      '--room', 'record-cli', '--track', video.sid, '--duration', '4', '-o', `${dir}/`]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^vp8: packets \d+, lost \d+, frames \d+, duration \d+\.\d+ s, bytes \d+, ended: duration → /);
    const [file] = readdirSync(dir);
    expect(file).toMatch(new RegExp(`^${video.sid}-\\d{4}-\\d\\d-\\d\\dT\\d{6}\\.webm$`));
    expect(decoderErrors(join(dir, file!), { variableFrameRate: true })).toBe('');
    expect(Number(/duration (\d+\.\d+)/.exec(r.out)![1])).toBeGreaterThan(2.5);
  });

  it('fails with ERR_LIVEKIT_TRACK_NOT_FOUND-style exit 2 for an unknown track', async () => {
    const r = await runCli(['record', '--url', bed.server.url, '--api-key', bed.server.apiKey, '--api-secret', bed.server.apiSecret,
      '--room', 'record-cli', '--track', 'TR_doesnotexist', '--track-timeout', '1', '-o', join(tmpdir(), 'never/')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/TR_doesnotexist/);
  });

  it('SIGINT while recording stops cleanly: exit 0, ended: aborted, the file is complete', async () => {
    const publisher = await bed.publisher('record-cli-int', 'bob');
    const audio = await publisher.publishAudio();
    const out = join(bed.dir, 'interrupted.ogg');
    const r = await runCli(['record', '--url', bed.server.url, '--api-key', bed.server.apiKey, '--api-secret', bed.server.apiSecret,
      '--room', 'record-cli-int', '--track', audio.sid, '-o', out], /receiving RTP/);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^opus: packets [1-9]\d*, .*ended: aborted → /);
    expect(decoderErrors(out)).toBe('');
  });

  it('SIGINT while waiting for the track ends at once with exit 130 and writes nothing', async () => {
    const dir = join(bed.dir, 'never');
    const r = await runCli(['record', '--url', bed.server.url, '--api-key', bed.server.apiKey, '--api-secret', bed.server.apiSecret,
      '--room', 'record-cli', '--track', 'TR_notyet', '--track-timeout', '60', '-o', `${dir}/`], /waiting for track TR_notyet/);
    expect(r.code, r.err).toBe(130);
    expect(r.err).toMatch(/interrupted \(SIGINT\); no output written/);
    expect(r.ms).toBeLessThan(5000); // not the 60 s track timeout
    expect(existsSync(dir)).toBe(false);
  });
});
