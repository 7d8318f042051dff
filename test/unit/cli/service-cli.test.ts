/** Argument parsing of `serve` and `record … -o s3://…`, the request `record` sends, its progress line. */
import { spawnSync } from 'node:child_process';

import { EgressStatus } from '@livekit/protocol';
import { describe, expect, it } from 'vitest';

import { parseRecordArgs } from '../../../src/cli/args.js';
import { progressLine } from '../../../src/cli/progress-line.js';
import { recordRequest } from '../../../src/cli/record-command.js';
import { parseServeArgs } from '../../../src/cli/service-args.js';

const base = ['--url', 'ws://127.0.0.1:7880', '--api-key', 'k', '--api-secret', 's', '--room', 'r', '--track', 'TR_abc'];

describe('parseServeArgs', () => {
  it('takes --config and the flags that override the YAML', () => {
    expect(parseServeArgs([])).toEqual({ config: undefined, flags: {} });
    expect(
      parseServeArgs(['--config', 'egress.yaml', '--port', '8000', '--host', '0.0.0.0', '--log-level', 'debug',
        '--health-port', '8080', '--prometheus-port', '9090', '--recordings-dir', 'rec']),
    ).toEqual({
      config: 'egress.yaml',
      flags: { apiPort: 8000, apiHost: '0.0.0.0', logLevel: 'debug', healthPort: 8080, prometheusPort: 9090, recordingsDir: 'rec' },
    });
  });

  it('takes the --pcm-* flags of WebSocket outputs', () => {
    expect(parseServeArgs(['--pcm-sample-rate', '16000', '--pcm-channels', '1', '--pcm-frame-ms', '20', '--pcm-reorder-wait-ms', '0',
      '--pcm-max-queue-ms', '500'])).toEqual({
      config: undefined,
      flags: { pcm: { sampleRate: 16000, channels: 1, frameDurationMs: 20, reorderWaitMs: 0, maxQueueMs: 500 } },
    });
  });

  it.each([
    [['--pcm-sample-rate', '44100'], /--pcm-sample-rate must be one of 8000, 12000, 16000, 24000, 48000, not "44100"/],
    [['--pcm-channels', 'mono'], /--pcm-channels must be one of 1, 2, not "mono"/],
    [['--pcm-frame-ms', '70'], /--pcm-frame-ms must be an integer between 10 and 60, not "70"/],
    [['--port', 'http'], /--port must be a port 0\.\.65535, not "http"/],
    [['--port', '65536'], /--port must be a port/],
    [['--prometheus-port=-1'], /--prometheus-port must be a port/],
    [['--colour'], /Unknown option '--colour'/],
  ])('%j → %s', (argv, message) => {
    expect(() => parseServeArgs(argv)).toThrow(message);
    expect(() => parseServeArgs(argv)).toThrow(expect.objectContaining({ code: 'ERR_TE_INVALID_ARG' }));
  });
});

describe('parseRecordArgs with -o s3://bucket/key', () => {
  it('keeps today\'s local flags', () => {
    const a = parseRecordArgs([...base, '-o', 'out/', '--duration', '8', '--track-timeout', '5']);
    expect(a).toMatchObject({ url: 'ws://127.0.0.1:7880', apiKey: 'k', apiSecret: 's', room: 'r', track: 'TR_abc', output: 'out/', durationSec: 8, trackTimeoutMs: 5000 });
    expect(a.s3).toBeUndefined();
  });

  it('parses the bucket, the key and the S3 flags', () => {
    const a = parseRecordArgs([...base, '-o', 's3://my-bucket/live/{room_name}/a.mp4', '--s3-endpoint', 'http://127.0.0.1:9000',
      '--s3-region', 'eu-west-1', '--s3-force-path-style']);
    expect(a.s3).toEqual({ bucket: 'my-bucket', key: 'live/{room_name}/a.mp4', endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', forcePathStyle: true });
    expect(parseRecordArgs([...base, '-o', 's3://my-bucket']).s3).toMatchObject({ bucket: 'my-bucket', key: '', forcePathStyle: false });
  });

  it.each([
    [['-o', 's3://Bad_Bucket/x'], /"Bad_Bucket" is not a valid bucket name/],
    [['-o', 's3:///x'], /"" is not a valid bucket name/],
    [['-o', 's3://b-1/x', '--s3-endpoint', 'minio:9000'], /--s3-endpoint must be an http:\/\/ or https:\/\/ URL/],
    [['-o', 'out/', '--s3-force-path-style'], /need -o s3:\/\/BUCKET\/KEY/],
    // Found by a fresh-user trial: http://…?token=… became a directory named after the URL.
    [['-o', 'http://127.0.0.1:8766/in?token=SECRET'], /-o http:\/\/… is not an output: give a file path, s3:\/\/BUCKET\/KEY, ws:\/\/… or wss:\/\/…/],
    [['-o', 'RTMP://h/live'], /-o rtmp:\/\/… is not an output/],
  ])('%j → %s', (argv, message) => {
    expect(() => parseRecordArgs([...base, ...argv])).toThrow(message);
  });

  it('refuses s3 with --token (the service needs the API secret)', () => {
    const argv = ['--url', 'ws://h', '--token', 't', '--room', 'r', '--track', 'TR_x', '-o', 's3://bucket/k'];
    expect(() => parseRecordArgs(argv)).toThrow(/needs --api-key and --api-secret/);
  });
});

describe('parseRecordArgs with -o ws://… (PCM to a WebSocket)', () => {
  it('takes the URL as the output and the --pcm-* flags', () => {
    const a = parseRecordArgs([...base, '-o', 'wss://stt.example.com/in?token=abc', '--pcm-sample-rate', '16000', '--pcm-channels', '1']);
    expect(a).toMatchObject({ output: 'wss://stt.example.com/in?token=abc', pcm: { sampleRate: 16000, channels: 1 } });
    expect(a.s3).toBeUndefined();
    expect(parseRecordArgs([...base, '-o', 'ws://h/x']).pcm).toBeUndefined();
    // --token works too (the library's record())
    expect(parseRecordArgs(['--url', 'ws://h', '--token', 't', '--room', 'r', '--track', 'TR_x', '-o', 'ws://h/x']).token).toBe('t');
  });

  it.each([
    [['-o', 'out/', '--pcm-channels', '1'], /--pcm-\* options need -o ws:\/\/… or wss:\/\/…/],
    [['-o', 'ws://h/x', '--pcm-reorder-wait-ms=-1'], /--pcm-reorder-wait-ms must be an integer between 0 and 1000, not "-1"/],
    [['-o', 'ws://h/x', '--s3-region', 'x'], /need -o s3:\/\/BUCKET\/KEY/],
  ])('%j → %s', (argv, message) => {
    expect(() => parseRecordArgs([...base, ...argv])).toThrow(message);
  });
});

describe('recordRequest (what record asks of the EgressService)', () => {
  it('ws:// → websocket_url (the PCM options are the service\'s)', () => {
    const req = recordRequest(parseRecordArgs([...base, '-o', 'ws://127.0.0.1:9000/pcm?k=v', '--pcm-channels', '1']), false);
    expect(req).toMatchObject({ roomName: 'r', trackId: 'TR_abc', output: { case: 'websocketUrl', value: 'ws://127.0.0.1:9000/pcm?k=v' } });
  });

  it('a local file: the absolute path under the root /, no manifest', () => {
    const req = recordRequest(parseRecordArgs([...base, '-o', '/tmp/rec/x.ogg']), false);
    expect(req).toMatchObject({ roomName: 'r', trackId: 'TR_abc' });
    expect(req.output.case).toBe('file');
    const file = req.output.value as { filepath: string; disableManifest: boolean; output: { case: unknown } };
    expect(file).toMatchObject({ filepath: 'tmp/rec/x.ogg', disableManifest: true });
    expect(file.output.case).toBeUndefined();
    const dir = recordRequest(parseRecordArgs([...base, '-o', '/tmp/rec']), true).output.value as { filepath: string };
    expect(dir.filepath).toBe('tmp/rec/');
  });

  it('s3: an S3Upload with the AWS environment credentials (never flags)', () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 'sec', AWS_REGION: 'us-west-2', AWS_ENDPOINT_URL: 'http://e:9000' };
    const req = recordRequest(parseRecordArgs([...base, '-o', 's3://bkt/a/b.mp4', '--s3-force-path-style']), false, env);
    const file = req.output.value as { filepath: string; output: { case: string; value: object } };
    expect(file.filepath).toBe('a/b.mp4');
    expect(file.output.case).toBe('s3');
    expect(file.output.value).toMatchObject({ bucket: 'bkt', accessKey: 'AKIA1', secret: 'sec', region: 'us-west-2', endpoint: 'http://e:9000', forcePathStyle: true });
    const flagged = recordRequest(parseRecordArgs([...base, '-o', 's3://bkt/k', '--s3-endpoint', 'https://s3.x', '--s3-region', 'r1']), false, env);
    expect((flagged.output.value as { output: { value: object } }).output.value).toMatchObject({ endpoint: 'https://s3.x', region: 'r1' });
  });
});

describe('progressLine', () => {
  const stats = {
    egressId: 'EG_x', roomName: 'r', status: EgressStatus.EGRESS_ACTIVE, packets: 610, lost: 2, durationUs: 11_900_000,
    bytesWritten: 1_234_567, bytesUploaded: 0, uploadRetries: 0, uploadState: 'local' as const, queuedBytes: 0, framesDropped: 0,
  };
  it('shows status, elapsed, media, bytes, packets, lost', () => {
    expect(progressLine(stats, 12_500)).toBe('ACTIVE 0:12  media 11.9 s  1.2 MB  packets 610  lost 2');
    expect(progressLine(undefined, 3_000)).toBe('STARTING 0:03  waiting for the track');
  });
  it('and the PCM messages a WebSocket receiver was too slow for', () => {
    expect(progressLine({ ...stats, framesDropped: 42 }, 12_500)).toBe('ACTIVE 0:12  media 11.9 s  1.2 MB  packets 610  lost 2  dropped 42 PCM messages');
  });
  it('and the upload state for S3', () => {
    expect(progressLine({ ...stats, uploadState: 'retrying', bytesUploaded: 5_242_880, uploadRetries: 3 }, 3_723_000)).toBe(
      'ACTIVE 1:02:03  media 11.9 s  1.2 MB  packets 610  lost 2  upload retrying 5.2 MB (3 retries)',
    );
  });
});

describe('track-egress serve / record: bad usage exits 2 with a clear message', () => {
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
  it.each([
    [['serve', '--port', 'x'], {}, /--port must be a port/],
    [['serve'], { EGRESS_CONFIG_BODY: 'api_key: k\napi_secret: s\n' }, /config: ws_url must be set/],
    [['serve'], { EGRESS_CONFIG_BODY: 'api_key: k\napi_secret: s\nws_url: ws://h\napi_port: x' }, /config: api_port must be an integer/],
    [['record', ...base, '-o', 's3://B/x'], {}, /not a valid bucket name/],
  ])('%j', (args, env, message) => {
    const r = cli(args, env);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
