import { stat } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** Extensions LiveKit's egress replaces when it knows the right one (livekit/egress pkg/types). */
const KNOWN_EXTENSIONS = ['.raw', '.ogg', '.mp3', '.ivf', '.mp4', '.ts', '.webm', '.m3u8', '.jpeg'];

/**
 * The file a track egress writes, named as LiveKit's egress names it.
 *
 * - `output` is a directory (ends with "/" or exists as one): `<output>/<trackSid>-<YYYY-MM-DDTHHMMSS><ext>`,
 *   the time in UTC to the second.
 * - otherwise a file name: kept when it already ends in `ext`; a known media extension of another
 *   kind is replaced by `ext`; anything else gets `ext` appended (`x.wav` → `x.wav.ogg`).
 *
 * @param output File path or directory, as given by the user.
 * @param trackSid The track's SID (`TR_…`).
 * @param ext The container extension with its dot (`.mp4`, `.webm`, `.ogg`; see `CODECS[codec].extension`).
 * @param now The time in the generated name; default: now.
 * @returns The path to write (the directory is not created).
 * @example
 * await outputPath('rec/', 'TR_abc', '.webm', new Date('2026-11-24T02:19:05Z'));
 * // → 'rec/TR_abc-2026-11-24T021905.webm'
 */
export async function outputPath(output: string, trackSid: string, ext: string, now = new Date()): Promise<string> {
  if (output.endsWith('/') || (await isDirectory(output))) {
    const t = now.toISOString().replace(/[-:]/g, '').slice(0, 15); // 20261124T021900
    const stamp = `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 15)}`;
    return join(output, `${trackSid}-${stamp}${ext}`);
  }
  const cur = extname(output).toLowerCase();
  if (cur === ext) return output;
  return (KNOWN_EXTENSIONS.includes(cur) ? output.slice(0, -cur.length) : output) + ext;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
