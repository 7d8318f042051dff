import { Writable } from 'node:stream';

import { S3Upload } from '@livekit/protocol';
import { describe, expect, it } from 'vitest';

import { createLogger } from '../../../src/config/logger.js';

/** A destination that keeps the JSON lines pino writes. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}

const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
const ACCESS = 'AKIAIOSFODNN7EXAMPLE';

describe('createLogger', () => {
  it('writes pino JSON lines with the level name and drops lines below the level', () => {
    const { stream, lines } = capture();
    const log = createLogger('info', stream);
    log.debug('hidden');
    log.info({ egressId: 'EG_abc' }, 'egress started');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: 'info', msg: 'egress started', egressId: 'EG_abc', name: 'track-egress' });
    expect(typeof line.time).toBe('number');
  });

  it('redacts S3 keys (S3Upload message and YAML names), tokens and authorization headers', () => {
    const { stream, lines } = capture();
    const log = createLogger('debug', stream);
    const upload = new S3Upload({ accessKey: ACCESS, secret: SECRET, sessionToken: `tok-${SECRET}`, bucket: 'b', region: 'us-east-1' });
    log.info({ upload }, 'upload');
    log.warn({ config: { s3: { access_key: ACCESS, secret: SECRET } } }, 'config');
    log.error({ req: { headers: { authorization: `Bearer ${SECRET}` } }, token: SECRET, apiSecret: SECRET }, 'request');
    log.debug({ webhook: { url: 'http://x', signingKey: SECRET }, proxy: { password: SECRET } }, 'webhook');
    const text = lines.join('\n');
    expect(lines).toHaveLength(4);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(ACCESS);
    expect(JSON.parse(lines[0]!).upload).toMatchObject({ bucket: 'b', region: 'us-east-1', secret: '[redacted]', accessKey: '[redacted]' });
    expect(JSON.parse(lines[2]!).req.headers.authorization).toBe('[redacted]');
  });
});
