/**
 * The WebSocket path of {@link record} (`output` = `ws://…` / `wss://…`): the subscribed Opus
 * track's audio streamed as PCM ({@link TrackPcmStream} on a {@link PcmWebSocket}), as one
 * WebSocket track egress of the service does (websocket-job-output.ts), without the EgressInfo.
 */
import type { TrackSource } from '../livekit/track-source.js';
import { EgressError } from './egress-error.js';
import type { RecordOptions, RecordSummary } from './record.js';
import { type RecordEndReason, logSourceEvents, watchRecordEnd } from './record-end.js';
import { redactUrl, scrubError, scrubSecrets, urlSecrets } from './redact.js';
import { checkStreamable, connectPcmSocket, websocketCloseReason } from './websocket-job-output.js';
import type { ResolvedPcmStreamOptions } from './websocket/pcm-stream-options.js';
import type { PcmWebSocket } from './websocket/pcm-websocket.js';
import { TrackPcmStream, type TrackPcmStreamStats } from './websocket/track-pcm-stream.js';

/** The Close reason of a `record` run that ended for `why`. */
function closeReason(why: RecordEndReason): string {
  return why === 'duration' || why === 'aborted' ? websocketCloseReason({ kind: 'stop', details: '' }) : websocketCloseReason({ kind: 'source', reason: why });
}

/**
 * Streams `source` to `opts.output` until the track ends, `durationSec` passes, `signal` is
 * aborted or the socket fails; closes the socket (1000 + reason) and the source.
 * @throws EgressError `invalid_argument` (video track; dial failure), `unavailable` (the receiver
 *   closed, the connection died). The source is closed in every case.
 */
export async function streamToWebSocket(
  source: TrackSource,
  opts: RecordOptions & { pcm: ResolvedPcmStreamOptions },
  log: (line: string) => void,
): Promise<RecordSummary> {
  const { pcm } = opts;
  const mime = source.info.codec.mimeType;
  const end = watchRecordEnd(source, opts);
  let socket: PcmWebSocket | undefined;
  let stream: TrackPcmStream | undefined;
  try {
    checkStreamable(source);
    socket = await connectPcmSocket(opts.output, pcm);
    socket.once('failed', (e) => end.fail(e));
    log(`streaming ${mime} track ${opts.track} of ${source.info.publisherIdentity} → ${socket.redactedUrl || redactUrl(opts.output)} ` +
      `(s16le ${pcm.sampleRate} Hz, ${pcm.channels} ch, ${pcm.frameDurationMs} ms messages)`);
    stream = await TrackPcmStream.create(source, socket, pcm);
    stream.once('failed', (e) => end.fail(e));
  } catch (e) {
    end.stop();
    socket?.terminate();
    await source.close();
    throw asSafeError(e, opts.output);
  }
  logSourceEvents(source, log);

  const endReason = await end.ended;
  let stats: TrackPcmStreamStats;
  try {
    if (end.failure) {
      stream.abort();
      stats = stream.stats();
    } else stats = await stream.stop(closeReason(endReason));
  } finally {
    await source.close();
  }
  if (end.failure) throw end.failure;
  return {
    codec: 'opus',
    output: socket.redactedUrl || redactUrl(opts.output),
    packets: stats.packets,
    lost: stats.lost,
    frames: stats.framesSent,
    durationSec: stats.durationUs / 1e6,
    bytes: stats.bytesSent,
    framesDropped: stats.framesDropped,
    endReason,
  };
}

/** `e` with no secret of `url` in its message (a dial error may quote it). */
function asSafeError(e: unknown, url: string): unknown {
  const secrets = urlSecrets(url);
  if (e instanceof EgressError || (e instanceof Error && scrubSecrets(e.message, secrets) !== e.message)) {
    return scrubError(e, secrets, (m) => new EgressError('internal', m));
  }
  return e;
}
