// Error codes for what they mean (no server needed): a missing trackSid or missing credentials are
// invalid arguments (ERR_TE_INVALID_ARG), not ERR_LIVEKIT_TRACK_NOT_FOUND / _TOKEN_REJECTED, which
// only a server can say; both for subscribeTrack and for record on top of it.
import { describe, expect, it } from 'vitest';

import { InvalidArgumentError } from '../../../src/core/errors.js';
import { record } from '../../../src/egress/record.js';
import { LiveKitError, LiveKitErrorCode } from '../../../src/livekit/errors.js';
import { recorderToken } from '../../../src/livekit/recorder-token.js';
import { subscribeTrack } from '../../../src/livekit/subscribe-track.js';

const creds = { url: 'ws://127.0.0.1:1', apiKey: 'key', apiSecret: 'secret-secret-secret-secret-secret', roomName: 'r', identity: 'EG_test' };
const fail = (p: Promise<unknown>) => p.then(() => new Error('resolved'), (e: unknown) => e);
const invalid = (name: RegExp) => ({ constructor: InvalidArgumentError, code: 'ERR_TE_INVALID_ARG', message: expect.stringMatching(name) });

describe('subscribeTrack argument errors', () => {
  it('a missing or empty trackSid is ERR_TE_INVALID_ARG', async () => {
    expect(await fail(subscribeTrack({ ...creds, trackSid: '' }))).toMatchObject(invalid(/trackSid/));
    expect(await fail(subscribeTrack({ ...creds } as never))).toMatchObject(invalid(/trackSid/));
  });

  it('missing credentials are ERR_TE_INVALID_ARG naming what is missing, not ERR_LIVEKIT_TOKEN_REJECTED', async () => {
    const noSecret = await fail(subscribeTrack({ ...creds, apiSecret: undefined, trackSid: 'TR_x' }));
    expect(noSecret).toMatchObject(invalid(/missing apiSecret/));
    expect(noSecret).not.toBeInstanceOf(LiveKitError);
    const nothing = await fail(subscribeTrack({ url: creds.url, trackSid: 'TR_x' }));
    expect(nothing).toMatchObject(invalid(/missing apiKey, apiSecret, roomName, identity/));
  });

  it('a missing url is ERR_TE_INVALID_ARG; a URL of the wrong scheme is ERR_LIVEKIT_BAD_URL', async () => {
    expect(await fail(subscribeTrack({ ...creds, url: '', trackSid: 'TR_x' }))).toMatchObject(invalid(/url/));
    const ftp = await fail(subscribeTrack({ ...creds, url: 'ftp://127.0.0.1/', trackSid: 'TR_x' }));
    expect(ftp).toMatchObject({ constructor: LiveKitError, code: LiveKitErrorCode.BadUrl });
  });
});

describe('recorderToken argument errors', () => {
  it('a missing key, secret, room or identity is ERR_TE_INVALID_ARG naming it (not the SDK\'s plain Error)', async () => {
    const ok = { apiKey: 'key', apiSecret: creds.apiSecret, roomName: 'r', identity: 'EG_test' };
    expect(await recorderToken(ok)).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/); // a JWT
    for (const k of ['apiKey', 'apiSecret', 'roomName', 'identity'] as const) {
      expect(await fail(recorderToken({ ...ok, [k]: '' }))).toMatchObject(invalid(new RegExp(`for ${k} `)));
    }
  });
});

describe('record argument errors', () => {
  const base = { url: creds.url, apiKey: 'key', apiSecret: creds.apiSecret, room: 'r', track: 'TR_x', output: 'never/' };

  it.each([
    ['track', { track: '' }, /track/],
    ['room', { room: undefined }, /room/],
    ['output', { output: '' }, /output/],
    ['durationSec', { durationSec: 0 }, /durationSec/],
    ['credentials', { apiKey: undefined, apiSecret: undefined }, /token, or apiKey/],
    ['pcm (ws:// output)', { output: 'ws://127.0.0.1:9/pcm', pcm: { channels: 3 } }, /channels/],
    ['pcm (ws:// output)', { output: 'ws://127.0.0.1:9/pcm', pcm: { frameDurationMs: 5 } }, /frameDurationMs/],
  ])('a bad %s is ERR_TE_INVALID_ARG', async (_what, change, message) => {
    expect(await fail(record({ ...base, ...change } as never))).toMatchObject(invalid(message));
  });

  it('a ws:// output without a host is EgressError invalid_argument (LiveKit\'s text, the query redacted), before joining', async () => {
    expect(await fail(record({ ...base, output: 'ws://?token=abcdef123' }))).toMatchObject({ code: 'ERR_EGRESS_INVALID_ARGUMENT',
      message: 'invalid url ws://?token={...}: missing host' });
  });

  it('an aborted signal rejects with its reason before joining', async () => {
    const reason = new Error('stop');
    expect(await fail(record({ ...base, signal: AbortSignal.abort(reason) }))).toBe(reason);
  });
});
