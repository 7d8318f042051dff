/**
 * The `<egress_id>.json` manifest LiveKit's egress writes next to the file (livekit/egress
 * `pkg/config/manifest.go`; reference livekit-track-egress.md §6.2), with the track fields that
 * LiveKit leaves empty for track egress filled in. Not a protobuf message: LiveKit encodes a Go
 * struct with `encoding/json`, so int64 times are JSON numbers and empty fields are omitted.
 */
import { posix } from 'node:path';

import type { EgressInfo } from '@livekit/protocol';

/** What the manifest says about the recorded track. */
export type ManifestTrack = { publisherIdentity: string; trackKind: 'audio' | 'video'; trackSource: string };

/**
 * The manifest JSON of a track egress, fields in LiveKit's order: `egress_id`, `room_id`,
 * `room_name`, `started_at` (EgressInfo.started_at, ns), `ended_at` (EgressInfo.ended_at, ns),
 * `publisher_identity`, `track_id`, `track_kind`, `track_source` (lower-cased), `files`
 * (`[{filename, location}]` from `file_results`). Empty strings and zero times are omitted;
 * ends with a newline like Go's `json.Encoder`. Times are exact (ns values exceed 2^53, so they
 * are written from the bigint, never through a JS number).
 */
export function manifestJson(info: EgressInfo, track: ManifestTrack): string {
  const trackId = info.request.case === 'track' ? info.request.value.trackId : '';
  const fields: [string, string | bigint][] = [
    ['egress_id', info.egressId],
    ['room_id', info.roomId],
    ['room_name', info.roomName],
    ['started_at', info.startedAt],
    ['ended_at', info.endedAt],
    ['publisher_identity', track.publisherIdentity],
    ['track_id', trackId],
    ['track_kind', track.trackKind],
    ['track_source', track.trackSource.toLowerCase()],
  ];
  const parts = fields
    .filter(([, v]) => v !== '' && v !== 0n)
    .map(([k, v]) => `${JSON.stringify(k)}:${typeof v === 'bigint' ? v.toString() : JSON.stringify(v)}`);
  const files = info.fileResults.map((f) => {
    const entries = Object.entries({ filename: f.filename, location: f.location }).filter(([, v]) => v !== '');
    return JSON.stringify(Object.fromEntries(entries));
  });
  if (files.length > 0) parts.push(`"files":[${files.join(',')}]`);
  return `{${parts.join(',')}}\n`;
}

/**
 * Where the manifest goes: `<directory of mediaFilename>/<egressId>.json` (storage path, `/`
 * separators), or `<egressId>.json` when the media file has no directory.
 * @example manifestFilename('rec/a/track.ogg', 'EG_x') // → 'rec/a/EG_x.json'
 */
export function manifestFilename(mediaFilename: string, egressId: string): string {
  const dir = posix.dirname(mediaFilename);
  return dir === '.' ? `${egressId}.json` : posix.join(dir, `${egressId}.json`);
}
