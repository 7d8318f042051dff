/**
 * The WebSocket output's job side that needs no socket: the request check (LiveKit's
 * `invalid url …: invalid scheme`, redacted), EgressService refusing a bad URL synchronously,
 * StreamInfo in stream_results / result.stream, the details text of drops, the Close reasons,
 * and a video track refused before any dial.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { EgressInfo, EgressStatus, StreamInfo, StreamInfo_Status, TrackEgressRequest } from '@livekit/protocol';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';

import type { TrackSource, TrackSourceEvents } from '../../../src/livekit/track-source.js';
import { EgressError } from '../../../src/egress/egress-error.js';
import { markActive, markComplete, newEgressInfo, setStreamResult } from '../../../src/egress/egress-info.js';
import { EgressService } from '../../../src/egress/egress-service.js';
import { END_REASON_SHUTDOWN, pcmFramesDropped } from '../../../src/egress/end-reasons.js';
import { JobJournal } from '../../../src/egress/job-journal.js';
import type { JobContext } from '../../../src/egress/job-output.js';
import { WebSocketJobOutput, websocketCloseReason } from '../../../src/egress/websocket-job-output.js';
import { checkWebSocketUrl, isWebSocketUrl } from '../../../src/egress/websocket-url.js';
import { PCM_STREAM_DEFAULTS } from '../../../src/egress/websocket/pcm-stream-options.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.secret-token-value';
const wsRequest = (url: string) => new TrackEgressRequest({ roomName: 'room', trackId: 'TR_x', output: { case: 'websocketUrl', value: url } });

describe('checkWebSocketUrl (LiveKit pkg/config/urls.go)', () => {
  it.each([
    [`http://h:8080/stt?token=${TOKEN}`, 'invalid url http://h:8080/stt?token={...}: invalid scheme'],
    [`https://u:${TOKEN}@h/x`, 'invalid url https://{...}@h/x: invalid scheme'],
    ['h:8080/x', 'invalid url h:8080/x: invalid scheme'],
    ['//h/x', 'invalid url //h/x: invalid scheme'],
    ['', 'invalid url : invalid scheme'],
    [`ws://?k=${TOKEN}`, 'invalid url ws://?k={...}: missing host'],
  ])('%j → invalid_argument %j, no query value in it', (url, message) => {
    const err = (() => {
      try {
        checkWebSocketUrl(url);
      } catch (e) {
        return e;
      }
      throw new Error('accepted');
    })();
    expect(err).toBeInstanceOf(EgressError);
    expect(err).toMatchObject({ twirpCode: 'invalid_argument', httpStatus: 400, message });
    expect((err as Error).message).not.toContain('secret-token');
  });

  it.each(['ws://127.0.0.1:9000/pcm', `wss://stt.example.com/v1?token=${TOKEN}`, 'WS://H/x', 'wss://[::1]:443'])('accepts %j', (url) => {
    expect(() => checkWebSocketUrl(url)).not.toThrow();
    expect(isWebSocketUrl(url)).toBe(true);
  });

  it('isWebSocketUrl tells a URL from a file path', () => {
    for (const p of ['out.ogg', 'dir/', 'http://h/x', 'wsfile.ogg', '/tmp/ws://x']) expect(isWebSocketUrl(p)).toBe(false);
  });
});

describe('EgressService.startTrackEgress with websocket_url', () => {
  const svc = () => new EgressService({ apiKey: 'k', apiSecret: 's', wsUrl: 'ws://127.0.0.1:1', recordingsDir: '/tmp/te-unit-never' });

  it('refuses http:// synchronously: invalid_argument, LiveKit\'s text, the URL redacted; no job, no update', async () => {
    const s = svc();
    const updates: EgressInfo[] = [];
    s.on('update', (i) => updates.push(i));
    const err = await s.startTrackEgress(wsRequest(`http://stt.example.com/in?token=${TOKEN}&lang=en`)).then(
      () => new Error('accepted'),
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ twirpCode: 'invalid_argument', code: 'ERR_EGRESS_INVALID_ARGUMENT',
      message: 'invalid url http://stt.example.com/in?token={...}&lang={...}: invalid scheme' });
    expect(updates).toEqual([]);
    expect(await s.listEgress()).toEqual([]);
  });

  it('is no longer "unimplemented": a ws:// request starts a job (STARTING)', async () => {
    const s = svc();
    const info = await s.startTrackEgress(wsRequest(`ws://127.0.0.1:9/pcm?token=${TOKEN}`));
    expect(info.status).toBe(EgressStatus.EGRESS_STARTING);
    // The copy of the request in the info is redacted (LiveKit's {...}).
    expect((info.request.value as TrackEgressRequest).output).toEqual({ case: 'websocketUrl', value: 'ws://127.0.0.1:9/pcm?token={...}' });
    expect(info.toJsonString()).not.toContain('secret-token');
    await s.stopEgress(info.egressId); // ABORTED at once; the job leaves the (unreachable) room in the background
    await s.close({ deadlineMs: 5000 });
  });

  it('bad websocket options fail at construction, naming the option', () => {
    expect(() => new EgressService({ apiKey: 'k', apiSecret: 's', wsUrl: 'ws://h', websocket: { channels: 3 as 2 } })).toThrow(/channels/);
    expect(() => new EgressService({ apiKey: 'k', apiSecret: 's', wsUrl: 'ws://h', websocket: { sampleRate: 44100 as 48000 } })).toThrow(
      expect.objectContaining({ code: 'ERR_TE_INVALID_ARG' }),
    );
  });
});

describe('EgressService.start() after a kill -9 during a WebSocket egress', () => {
  it('reports it FAILED with its stream_results entry FAILED (URL redacted as journaled)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'te-ws-journal-'));
    try {
      const request = wsRequest('wss://h/in?token={...}');
      await new JobJournal(join(dir, '.track-egress')).write({ egressId: 'EG_wsKilled0001', roomName: 'room', roomId: '', request: request.toJson(),
        webhooks: [], startedAt: '1000', output: { kind: 'websocket', url: 'wss://h/in?token={...}' }, mediaStartedAt: '2000' });
      const s = new EgressService({ apiKey: 'k', apiSecret: 's', wsUrl: 'ws://h', recordingsDir: dir });
      const [info] = await s.start();
      expect(info).toMatchObject({ egressId: 'EG_wsKilled0001', status: EgressStatus.EGRESS_FAILED, error: 'egress process ended while recording',
        details: 'End reason: Process killed', fileResults: [] });
      expect(info!.streamResults[0]).toMatchObject({ url: 'wss://h/in?token={...}', startedAt: 2000n, status: StreamInfo_Status.FAILED,
        error: 'egress process ended while recording' });
      expect(info!.result.case).toBe('stream');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('setStreamResult', () => {
  it('stream_results and the deprecated result.stream hold the same StreamInfo (LiveKit §4)', () => {
    const info = newEgressInfo({ egressId: 'EG_x', roomName: 'r', request: wsRequest('wss://h/x?t=1') });
    const s = new StreamInfo({ url: 'wss://h/x?t={...}', status: StreamInfo_Status.ACTIVE });
    setStreamResult(info, s);
    s.startedAt = 5n; // later changes show in both
    expect(info.streamResults).toEqual([s]);
    expect(info.result.case).toBe('stream');
    expect(info.result.case === 'stream' && info.result.value.info[0]).toBe(s);
    markComplete(markActive(info), 'End reason: Source closed');
    const json = JSON.parse(info.toJsonString()) as { streamResults: unknown[]; stream: { info: unknown[] } };
    expect(json.streamResults).toEqual([{ url: 'wss://h/x?t={...}', startedAt: '5' }]);
    expect(json.stream.info).toEqual(json.streamResults);
  });
});

describe('details and Close reasons', () => {
  it('drop report: `<n> PCM messages (<s> s) dropped: receiver too slow`', () => {
    expect(pcmFramesDropped(150, 10)).toBe('150 PCM messages (1.5 s) dropped: receiver too slow');
    expect(pcmFramesDropped(1, 20)).toBe('1 PCM messages (0.02 s) dropped: receiver too slow');
    expect(pcmFramesDropped(3, 60)).toBe('3 PCM messages (0.18 s) dropped: receiver too slow');
  });

  it('every end has its short Close reason', () => {
    expect(websocketCloseReason({ kind: 'source', reason: 'unpublished' })).toBe('track unpublished');
    expect(websocketCloseReason({ kind: 'source', reason: 'participant-left' })).toBe('participant left');
    expect(websocketCloseReason({ kind: 'source', reason: 'room-closed' })).toBe('room closed');
    expect(websocketCloseReason({ kind: 'stop', details: 'End reason: StopEgress API' })).toBe('egress stopped');
    expect(websocketCloseReason({ kind: 'stop', details: END_REASON_SHUTDOWN })).toBe('service shutting down');
    expect(websocketCloseReason({ kind: 'limit' })).toBe('session limit reached');
  });
});

/** A TrackSource with a given track kind and codec; it never sends a packet. */
function idleSource(kind: 'audio' | 'video', mimeType: string): TrackSource {
  const e = new EventEmitter<TrackSourceEvents>();
  return Object.assign(e, {
    info: { trackSid: 'TR_x', kind, source: 'camera', publisherIdentity: 'alice', publisherSid: 'PA_x', ssrc: 1, muted: false,
      codec: { mimeType, payloadType: 96, clockRate: 90000, fmtp: {} } },
    requestKeyframe() {},
    requestRetransmission() {},
    async close() {},
  }) as unknown as TrackSource;
}

describe('WebSocketJobOutput.open', () => {
  it.each([
    ['video', 'video/VP8'],
    ['video', 'video/H264'],
    ['audio', 'audio/red'],
  ] as const)('a %s %s track → invalid_argument `format websocket incompatible with codec …`, before any dial', async (kind, mime) => {
    const request = wsRequest('ws://127.0.0.1:9/never');
    const info = newEgressInfo({ egressId: 'EG_x', roomName: 'room', request });
    const failures: EgressError[] = [];
    const ctx: JobContext = {
      egressId: 'EG_x', request, info, startTime: new Date(), log: pino({ level: 'silent' }),
      config: { apiKey: 'k', apiSecret: 's', wsUrl: 'ws://h', recordingsDir: '/tmp', spoolDir: '/tmp', trackTimeoutMs: 1, logger: pino({ level: 'silent' }),
        websocket: { ...PCM_STREAM_DEFAULTS } },
      fail: (e) => failures.push(e),
      journalOutput: () => {},
    };
    const out = new WebSocketJobOutput(ctx);
    await expect(out.open(idleSource(kind, mime))).rejects.toMatchObject({ twirpCode: 'invalid_argument', httpStatus: 400,
      message: `format websocket incompatible with codec ${mime}` });
    expect(info.streamResults).toEqual([]); // never dialled
    expect(out.stats()).toMatchObject({ bytesWritten: 0, framesDropped: 0, packets: 0 });
    expect(out.detailsSuffix()).toBe('');
    expect(failures).toEqual([]);
  });
});
