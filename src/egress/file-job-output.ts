/**
 * The file output of an egress job (`TrackEgressRequest.file`): a {@link TrackRecording} (RTP →
 * media core → container, no transcoding) into an OutputSink (local file under the recordings
 * root, or S3 uploaded while recording), the FileInfo of `file_results` and the manifest
 * (reference livekit-track-egress.md §2, §5.1, §6).
 */
import { realpath, rm } from 'node:fs/promises';
import { join, sep } from 'node:path';

import { type DirectFileOutput, FileInfo } from '@livekit/protocol';

import { CODECS, codecFromEncodingName } from '../core/codec.js';
import type { Recorder } from '../core/recorder.js';
import type { TrackSource } from '../livekit/track-source.js';
import { EgressError } from './egress-error.js';
import { nsOfUs, setFileResult } from './egress-info.js';
import { notYetSupported } from './end-reasons.js';
import { cleanFilepath, expandRequestPlaceholders, expandTrackPlaceholders, withExtension } from './filepath-template.js';
import type { EndCause, JobContext, JobOutput, OutputStats } from './job-output.js';
import { resolveUnderRoot } from './local-root.js';
import { manifestFilename, manifestJson } from './manifest.js';
import { type OpenedOutput, type OutputTarget, openSink } from './outputs/open-sink.js';
import { createTrackRecorder } from './record.js';
import { TrackRecording } from './track-recording.js';

/** The file output; see the top of this file. */
export class FileJobOutput implements JobOutput {
  private output: OpenedOutput | undefined;
  private target: OutputTarget | undefined;
  private recorder: Recorder | undefined;
  private recording: TrackRecording | undefined;
  /** FileInfo of the output, in info.fileResults once the file is known; started_at at ACTIVE. */
  private file: FileInfo | undefined;

  constructor(private readonly ctx: JobContext) {}

  private get request(): DirectFileOutput {
    return this.ctx.request.output.value as DirectFileOutput;
  }

  async open(source: TrackSource): Promise<void> {
    const codec = codecFromEncodingName(source.info.codec.mimeType);
    if (!codec) throw new EgressError('invalid_argument', notYetSupported(source.info.codec.mimeType));
    const target = await this.resolveTarget(source, CODECS[codec].extension);
    this.target = target;
    this.output = await openSink(target, CODECS[codec].mimeType, { onFailure: (error) => this.ctx.fail(error), logger: this.ctx.log });
    this.file = new FileInfo({ filename: this.output.sink.filename });
    setFileResult(this.ctx.info, this.file);
    this.ctx.journalOutput(target.kind === 'local'
      ? { kind: 'local', filename: target.filename, path: target.path }
      : { kind: 's3', filename: target.key, spoolPath: target.spoolPath });
    this.recorder = await createTrackRecorder(codec, source.info.codec);
    const sink = this.output.sink;
    this.recording = new TrackRecording(source, this.recorder, { write: (chunks) => sink.write(chunks) });
  }

  started(arrivalUs: number): void {
    if (this.file) this.file.startedAt = nsOfUs(arrivalUs);
  }

  /** LiveKit's `file_output_max_duration` / `file_output_max_size`. */
  limitReached(activeSinceMs: number): boolean {
    const { fileOutputMaxDuration = 0, fileOutputMaxSize = 0 } = this.ctx.config.sessionLimits ?? {};
    const overTime = fileOutputMaxDuration > 0 && Date.now() - activeSinceMs >= fileOutputMaxDuration * 1000;
    const overSize = fileOutputMaxSize > 0 && (this.output?.sink.stats().bytesWritten ?? 0) >= fileOutputMaxSize;
    return overTime || overSize;
  }

  /** Finishes the container (its trailer goes to the sink). @throws the recorder's error. */
  async stopMedia(): Promise<void> {
    try {
      this.recording?.stop();
    } finally {
      this.recorder?.close();
      this.recorder = undefined;
    }
  }

  async discard(): Promise<void> {
    // No packet was written: no file (LiveKit's pipeline never started).
    await this.output?.sink.abort().catch(() => {});
    if (this.target?.kind === 'local') await rm(this.target.path, { force: true }).catch(() => {});
    this.ctx.info.fileResults = [];
    this.ctx.info.result = { case: undefined };
  }

  async finish(cause: EndCause, source: TrackSource, endedAt: bigint): Promise<void> {
    const result = await this.output!.sink.finish();
    const stats = this.recording!.stats();
    const file = this.file!;
    file.duration = nsOfUs(stats.durationUs);
    file.endedAt = stats.lastArrivalUs ? nsOfUs(stats.lastArrivalUs) : file.startedAt + file.duration;
    file.size = BigInt(result.size);
    file.location = result.location;
    if (cause.kind !== 'failure') await this.writeManifest(source, endedAt);
  }

  async abort(): Promise<void> {
    await this.stopMedia().catch(() => {}); // the recorder may have failed or be closed already
    await this.output?.sink.abort().catch(() => {});
  }

  stats(): OutputStats {
    const r = this.recording?.stats();
    const sink = this.output?.sink.stats() ?? { bytesWritten: 0, bytesUploaded: 0, uploadRetries: 0, uploadState: 'local' as const, queuedBytes: 0 };
    return { ...sink, packets: r?.packets ?? 0, lost: r?.lost ?? 0, durationUs: r?.durationUs ?? 0, framesDropped: 0 };
  }

  detailsSuffix(): string {
    return '';
  }

  /** The request's filepath templated (LiveKit's rules, reference §2.3) and where it goes. */
  private async resolveTarget(source: TrackSource, ext: string): Promise<OutputTarget> {
    const { config, request, info, startTime, egressId } = this.ctx;
    const out = this.request;
    let p = expandRequestPlaceholders(cleanFilepath(out.filepath), { roomName: request.roomName, roomId: info.roomId, now: startTime });
    p = expandTrackPlaceholders(p, { trackId: source.info.trackSid, trackKind: source.info.kind, trackSource: source.info.source,
      publisherIdentity: source.info.publisherIdentity });
    p = withExtension(p, source.info.trackSid, ext, startTime);
    const upload = out.output.case === 's3' ? out.output.value : config.s3;
    if (upload) {
      const key = p.replace(/^\/+/, '');
      return { kind: 's3', upload, key, spoolPath: join(config.spoolDir, `${egressId}${ext}`), policy: config.upload };
    }
    const path = await resolveUnderRoot(config.recordingsDir, p);
    const spool = await realpath(config.spoolDir).catch(() => config.spoolDir);
    if (path.startsWith(spool + sep)) {
      throw new EgressError('invalid_argument', 'request has missing or invalid field: filepath (names the spool directory)');
    }
    return { kind: 'local', filename: p, path };
  }

  private async writeManifest(source: TrackSource, endedAt: bigint): Promise<void> {
    if (this.request.disableManifest || !this.output) return;
    const snapshot = this.ctx.info.clone();
    snapshot.endedAt = endedAt;
    const json = manifestJson(snapshot, { publisherIdentity: source.info.publisherIdentity, trackKind: source.info.kind, trackSource: source.info.source });
    try {
      this.ctx.info.manifestLocation = await this.output.writeManifest(manifestFilename(this.output.sink.filename, this.ctx.egressId), json);
    } catch (e) {
      this.ctx.log.warn({ err: e }, 'manifest not written'); // LiveKit: only logged
    }
  }
}
