import { stat } from 'node:fs/promises';

import { withExtension } from './filepath-template.js';

/**
 * The file `track-egress record` writes, named by LiveKit's rules (`withExtension` in
 * filepath-template.ts), for a local path given on the command line.
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
  const dir = !output.endsWith('/') && (await isDirectory(output));
  return withExtension(dir ? `${output}/` : output, trackSid, ext, now);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
