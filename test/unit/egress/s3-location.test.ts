import { S3Upload } from '@livekit/protocol';
import { describe, expect, it } from 'vitest';

import { encodeKey, s3Endpoint, s3Location, s3Region } from '../../../src/egress/outputs/s3-location.js';

const up = (fields: Partial<S3Upload>) => new S3Upload({ bucket: 'my-bucket', ...fields });

describe('s3Location', () => {
  it.each([
    ['AWS, virtual-hosted, no region', {}, 'https://my-bucket.s3.amazonaws.com/livekit-demo/track-test.mp4'],
    ['AWS, virtual-hosted, region', { region: 'eu-west-3' }, 'https://my-bucket.s3.eu-west-3.amazonaws.com/livekit-demo/track-test.mp4'],
    ['AWS, path-style, no region', { forcePathStyle: true }, 'https://s3.amazonaws.com/my-bucket/livekit-demo/track-test.mp4'],
    ['AWS, path-style, region', { forcePathStyle: true, region: 'us-west-2' }, 'https://s3.us-west-2.amazonaws.com/my-bucket/livekit-demo/track-test.mp4'],
    ['custom, path-style', { endpoint: 'http://127.0.0.1:9000', forcePathStyle: true }, 'http://127.0.0.1:9000/my-bucket/livekit-demo/track-test.mp4'],
    ['custom, path-style, trailing slash', { endpoint: 'https://minio.example.com/', forcePathStyle: true }, 'https://minio.example.com/my-bucket/livekit-demo/track-test.mp4'],
    ['custom without scheme, path-style', { endpoint: 'minio.example.com:9000', forcePathStyle: true }, 'https://minio.example.com:9000/my-bucket/livekit-demo/track-test.mp4'],
    // LiveKit gives https://my-bucket.https://nyc3.digitaloceanspaces.com/... here.
    ['custom with scheme, virtual-hosted', { endpoint: 'https://nyc3.digitaloceanspaces.com' }, 'https://my-bucket.nyc3.digitaloceanspaces.com/livekit-demo/track-test.mp4'],
    ['custom http with port, virtual-hosted', { endpoint: 'http://storage.local:9000' }, 'http://my-bucket.storage.local:9000/livekit-demo/track-test.mp4'],
    ['custom without scheme, virtual-hosted', { endpoint: 'oss-cn-hangzhou.aliyuncs.com' }, 'https://my-bucket.oss-cn-hangzhou.aliyuncs.com/livekit-demo/track-test.mp4'],
  ])('%s', (_name, fields, expected) => {
    expect(s3Location(up(fields), 'livekit-demo/track-test.mp4')).toBe(expected);
  });

  it('a bucket with a dot is path-style (TLS wildcard)', () => {
    expect(s3Location(new S3Upload({ bucket: 'rec.example.com' }), 'a.ogg')).toBe('https://s3.amazonaws.com/rec.example.com/a.ogg');
  });

  it('encodes each key segment, keeps the slashes', () => {
    expect(s3Location(up({ endpoint: 'http://127.0.0.1:9000', forcePathStyle: true }), 'room #1/Ünïcode track?.webm')).toBe(
      'http://127.0.0.1:9000/my-bucket/room%20%231/%C3%9Cn%C3%AFcode%20track%3F.webm',
    );
    expect(encodeKey('a+b/c&d=e')).toBe('a%2Bb/c%26d%3De');
  });
});

describe('s3Region / s3Endpoint', () => {
  it('empty region → us-east-1', () => {
    expect(s3Region(up({}))).toBe('us-east-1');
    expect(s3Region(up({ region: 'eu-central-1' }))).toBe('eu-central-1');
  });
  it('endpoint gets https:// when it has no scheme; none for AWS', () => {
    expect(s3Endpoint(up({}))).toBeUndefined();
    expect(s3Endpoint(up({ endpoint: 'minio:9000/' }))).toBe('https://minio:9000');
    expect(s3Endpoint(up({ endpoint: 'http://127.0.0.1:9000' }))).toBe('http://127.0.0.1:9000');
  });
});
