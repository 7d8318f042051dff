/**
 * `track-egress record` against a real livekit-server: a published VP8 track is written to a
 * seekable WebM that ffprobe/ffmpeg read without a message, and the summary line says so.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { decoderErrors } from '../support/ffmpeg.js';
import { useLiveKitTestBed } from '../support/livekit-testbed.js';

const bed = useLiveKitTestBed('livekit-record-cli');

function runCli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args]);
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code, out: out.trim(), err }));
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
});
