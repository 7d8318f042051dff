/**
 * `track-egress serve` as users run it: config from EGRESS_CONFIG_BODY (LiveKit key names), the
 * official EgressClient against its API, JSON logs with the warnings of unknown keys, and a
 * SIGTERM that ends the running egress COMPLETE (the file decodes) before the process exits 0.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { EgressStatus } from '@livekit/protocol';
import { DirectFileOutput, EgressClient } from 'livekit-server-sdk';
import { describe, expect, it } from 'vitest';

import { decoderErrors } from '../support/ffmpeg.js';
import { useLiveKitTestBed } from '../support/livekit-testbed.js';

const bed = useLiveKitTestBed('livekit-serve-cli');

const until = async <T>(timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> => {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('track-egress serve (real LiveKit server, official EgressClient)', () => {
  it('serves the Egress API; SIGTERM ends the running egress COMPLETE and exits 0', async () => {
    const recordings = join(bed.dir, 'recordings');
    const config = [
      `api_key: ${bed.server.apiKey}`,
      `api_secret: ${bed.server.apiSecret}`,
      `ws_url: ${bed.server.url}`,
      'api_port: 0',
      `recordings_dir: ${recordings}`,
      'template_base: "http://localhost:7980/"', // a LiveKit egress key it ignores (redis: would mean worker mode)
      'colour: blue',
    ].join('\n');
    const serve = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--log-level', 'info'], {
      env: { ...process.env, EGRESS_CONFIG_BODY: config },
    });
    let out = '';
    let err = '';
    serve.stdout.on('data', (d) => (out += d));
    serve.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => serve.on('close', r));
    try {
      const port = await until(20_000, async () => {
        const m = /"port":(\d+),[^\n]*serving LiveKit's Egress API/.exec(out);
        return m ? Number(m[1]) : undefined;
      });
      const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string });
      expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
        expect.stringMatching(/^template_base: a LiveKit egress key track-egress does not use/),
        expect.stringMatching(/^colour: unknown key/),
      ]);
      expect(out).not.toContain(bed.server.apiSecret);

      const publisher = await bed.publisher('serve-cli', 'alice');
      const audio = await publisher.publishAudio();
      const egress = new EgressClient(`http://127.0.0.1:${port}`, bed.server.apiKey, bed.server.apiSecret);
      const started = await egress.startTrackEgress('serve-cli', new DirectFileOutput({ filepath: '{room_name}/{track_id}.ogg' }), audio.sid);
      expect(started.status).toBe(EgressStatus.EGRESS_STARTING);
      await until(15_000, async () => {
        const [i] = await egress.listEgress({ egressId: started.egressId });
        return i?.status === EgressStatus.EGRESS_ACTIVE ? i : undefined;
      });
      await new Promise((r) => setTimeout(r, 2000));
      serve.kill('SIGTERM');
      expect(await exited, err).toBe(0);
      const ended = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { msg: string; level: string })
        .map((l) => l.msg);
      expect(ended).toContain('stopped');
      expect(decoderErrors(join(recordings, 'serve-cli', `${audio.sid}.ogg`))).toBe('');
    } finally {
      serve.kill('SIGKILL');
    }
  });
});
