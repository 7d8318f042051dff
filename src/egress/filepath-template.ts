/**
 * LiveKit's track egress file naming (livekit/egress `pkg/config/output_file.go`,
 * `pkg/pipeline/source/sdk.go`; reference livekit-track-egress.md §2.3), in LiveKit's order:
 * {@link cleanFilepath} → {@link expandRequestPlaceholders} (at request time) →
 * {@link expandTrackPlaceholders} (once the track is known) → {@link withExtension}.
 * Pure string functions: no file system access (see local-root.ts for where a local file goes).
 */
import { posix } from 'node:path';

/** Extensions LiveKit's egress knows, and so replaces when the codec needs another (`pkg/types`). */
export const KNOWN_EXTENSIONS: readonly string[] = ['.raw', '.ogg', '.mp3', '.ivf', '.mp4', '.ts', '.webm', '.m3u8', '.jpeg'];

/**
 * LiveKit's `clean`: `path.Clean`, then every leading `../` stripped; `""`, `.` and `..` become
 * `""`; a trailing `/` is kept. Absolute paths stay absolute (local outputs make them relative to
 * the recordings root: see `resolveUnderRoot`). One deliberate difference: `/` stays `/` (LiveKit
 * makes it `//`).
 * @example cleanFilepath('../../a//b/./c/') // → 'a/b/c/'
 */
export function cleanFilepath(filepath: string): string {
  const trailingSlash = filepath.endsWith('/');
  let p = filepath === '' ? '.' : posix.normalize(filepath);
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1); // path.Clean drops it; normalize keeps it
  while (p.startsWith('../')) p = p.slice(3);
  if (p === '' || p === '.' || p === '..') return '';
  return trailingSlash && p !== '/' ? `${p}/` : p;
}

/** Go layout `2006-01-02T150405` of `now` in UTC (LiveKit uses the process clock, UTC in its image). */
export function formatTime(now: Date): string {
  const iso = now.toISOString(); // 2026-08-21T13:45:01.123Z
  return `${iso.slice(0, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/** `20060102150405` + 3-digit milliseconds of `now` in UTC (LiveKit's `{utc}`). */
export function formatUtc(now: Date): string {
  const iso = now.toISOString();
  return iso.slice(0, 19).replace(/[-T:]/g, '') + iso.slice(20, 23);
}

/** Replaces `{name}` placeholders found in `values` in one pass (a value is never expanded again); unknown ones stay. */
function replacePlaceholders(p: string, values: Readonly<Record<string, string>>): string {
  return p.replace(/\{([a-z_]+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * Request-time placeholders: `{room_name}`, `{room_id}` (only when `roomName` is non-empty, as in
 * LiveKit), `{time}` (`2026-08-21T134501`) and `{utc}` (`20260821134501123`), both from `now` in UTC.
 * Unknown placeholders are left as written.
 * @example expandRequestPlaceholders('{room_name}/{time}.ogg', { roomName: 'r', roomId: 'RM_x', now })
 */
export function expandRequestPlaceholders(p: string, ctx: { roomName: string; roomId?: string; now: Date }): string {
  const values: Record<string, string> = { time: formatTime(ctx.now), utc: formatUtc(ctx.now) };
  if (ctx.roomName !== '') Object.assign(values, { room_name: ctx.roomName, room_id: ctx.roomId ?? '' });
  return replacePlaceholders(p, values);
}

/**
 * Track placeholders, filled once the track is subscribed: `{track_id}`, `{track_type}` and its
 * alias `{track_kind}` (`audio` | `video`; LiveKit's code knows only `{track_type}`, the issue and
 * LiveKit's manifest say "track_kind": both work), `{track_source}` (lower-cased source:
 * `camera`, `microphone`, `screen_share`, `screen_share_audio`, `unknown`) and `{publisher_identity}`.
 * Values are inserted as they are (like LiveKit, no re-cleaning: an identity with `/` makes
 * directories; local outputs still cannot leave their root, see `resolveUnderRoot`).
 */
export function expandTrackPlaceholders(
  p: string,
  track: { trackId: string; trackKind: 'audio' | 'video'; trackSource: string; publisherIdentity: string },
): string {
  return replacePlaceholders(p, {
    track_id: track.trackId,
    track_type: track.trackKind,
    track_kind: track.trackKind,
    track_source: track.trackSource.toLowerCase(),
    publisher_identity: track.publisherIdentity,
  });
}

/**
 * LiveKit's extension rules, applied after all placeholders:
 * - `p` empty or ending in `/`: `<p><trackId>-<YYYY-MM-DDTHHMMSS><ext>` (time of `now`, UTC);
 * - `p` already ends with `ext`: kept;
 * - otherwise, the text from the last `.` is dropped when it is one of {@link KNOWN_EXTENSIONS}
 *   (exact case, as LiveKit), and `ext` is appended: `x.mp4` for VP8 → `x.webm`, `x.wav` → `x.wav.ogg`,
 *   `x` → `x.ogg`.
 * @param ext The container's extension with its dot: `.mp4`, `.webm`, `.ogg`.
 * @example withExtension('rec/', 'TR_abc', '.webm', new Date('2026-11-24T02:19:05Z')) // → 'rec/TR_abc-2026-11-24T021905.webm'
 */
export function withExtension(p: string, trackId: string, ext: string, now: Date): string {
  if (p === '' || p.endsWith('/')) return `${p}${trackId}-${formatTime(now)}${ext}`;
  if (p.endsWith(ext)) return p;
  const dot = p.lastIndexOf('.');
  const base = dot >= 0 && KNOWN_EXTENSIONS.includes(p.slice(dot)) ? p.slice(0, dot) : p;
  return base + ext;
}
