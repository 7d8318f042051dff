import { spawnSync } from 'node:child_process';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** Loads an entry point in a fresh process and reports which native libraries got mapped. */
function nativeLibsAfterImport(entry: string): string[] {
  const script = `await import('${entry}');
    const maps = (await import('node:fs')).readFileSync('/proc/self/maps', 'utf8');
    console.log(JSON.stringify([...new Set(maps.match(/[^\\s/]+\\.node$/gm) ?? [])]));
    process.exit(0);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, TRACK_EGRESS_BACKEND: '' },
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as string[];
}

const ENTRIES = ['src/index.ts', 'src/livekit/index.ts', 'src/egress/index.ts'];
let program: ts.Program | undefined;

/** Every name an entry point exports, values and types, as the TypeScript compiler sees it. */
function exportedNames(entry: string): { values: string[]; types: string[] } {
  program ??= ts.createProgram(ENTRIES, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  const values: string[] = [];
  const types: string[] = [];
  for (const s of checker.getExportsOfModule(symbol)) {
    const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
    (target.flags & ts.SymbolFlags.Value ? values : types).push(s.name);
  }
  return { values: values.sort(), types: types.sort() };
}

/**
 * The public surface. Adding or removing an export changes this list on purpose: document the new
 * export (units, defaults, @throws with codes, an example) and update it here.
 */
const CORE = {
  values: [
    'BACKEND_ENV', 'BackendLoadError', 'CODECS', 'CaptureFileReader', 'CaptureFormatError', 'ChunkFileWriter',
    'CodecError', 'ConvertInputError', 'ConvertOutputError', 'InternalError', 'InvalidArgumentError', 'InvalidStateError',
    'OutOfMemoryError', 'PcmDecoder', 'Recorder', 'StreamNotFoundError', 'TrackEgressError', 'UnsupportedError',
    'codecFromEncodingName', 'convert', 'detectCaptureFormat', 'getBackend', 'listRtpStreams', 'loadBackend',
    'readCapture', 'readCaptureDetailed', 'selectStream', 'wavHeader',
  ],
  types: [
    'BackendKind', 'ByteSource', 'CaptureFileReaderOptions', 'CaptureFormat', 'CaptureReadResult', 'CaptureStats',
    'CaptureStop', 'CapturedPacket', 'CodecName', 'ConvertOptions', 'ConvertSummary', 'CoreBackend', 'OutputChunk',
    'PcmDecoderOptions', 'PcmStats', 'ReadCaptureOptions', 'RecorderOptions', 'RecorderStats', 'RtpStreamInfo',
    'SelectStreamOptions',
  ],
};
const LIVEKIT = {
  values: ['LiveKitError', 'LiveKitErrorCode', 'RECORD_FRAGMENT_MS', 'TrackRecording', 'outputPath', 'record', 'recorderToken', 'subscribeTrack'],
  types: [
    'RecordOptions', 'RecordSummary', 'RecorderTokenOptions', 'SubscribeTrackOptions', 'TrackCodec', 'TrackEndReason',
    'TrackInfoSummary', 'TrackRecordingOptions', 'TrackRecordingStats', 'TrackSource', 'TrackSourceEvents',
  ],
};

const EGRESS = {
  values: ['ConfigError', 'EgressError', 'EgressService', 'TWIRP_HTTP_STATUS', 'WebhookNotifier', 'createLogger', 'egressMetrics', 'loadConfig', 'startApiServer'],
  types: [
    'ApiServer', 'ApiServerOptions', 'EgressJobStats', 'EgressServiceConfig', 'EgressServiceEvents', 'EgressServiceLike',
    'ListEgressFilter', 'LoadConfigOptions', 'PcmStreamOptions', 'ServeConfig', 'SessionLimits', 'SinkStats', 'TwirpCode', 'UploadPolicy',
    'UploadState', 'WebhookNotifierOptions',
  ],
};

describe('package entry points', () => {
  it('the core entry does not load the WebRTC stack (wasm-only environments stay importable)', () => {
    const libs = nativeLibsAfterImport('./src/index.ts');
    expect(libs.some((l) => l.includes('datachannel'))).toBe(false);
  });

  it('track-egress/livekit does load it', () => {
    const libs = nativeLibsAfterImport('./src/livekit/index.ts');
    expect(libs.some((l) => l.includes('datachannel'))).toBe(true);
  });

  it.each([
    ['track-egress', ENTRIES[0]!, CORE, () => import('../../src/index.js')],
    ['track-egress/livekit', ENTRIES[1]!, LIVEKIT, () => import('../../src/livekit/index.js')],
    ['track-egress/egress', ENTRIES[2]!, EGRESS, () => import('../../src/egress/index.js')],
  ])('%s exports exactly the curated surface (values and types)', async (_name, entry, want, load) => {
    const got = exportedNames(entry);
    expect(got.values).toEqual([...want.values].sort());
    expect(got.types).toEqual([...want.types].sort());
    // What a running program sees is the same list of values.
    expect(Object.keys(await load()).sort()).toEqual([...want.values].sort());
  });
});
