/**
 * The external validators (ffmpeg, ffprobe, GStreamer, opusdec) are oracles: when one is missing
 * the test that needs it must fail with a message naming the tool, never pass on empty output.
 * PATH is emptied for each call, as on a machine without the tools.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { decoderErrors, frameHashes, run } from '../../support/ffmpeg.js';

const savedPath = process.env.PATH;
beforeEach(() => {
  process.env.PATH = '';
});
afterEach(() => {
  process.env.PATH = savedPath;
});

describe('a missing media tool fails loudly', () => {
  it.each(['ffmpeg', 'ffprobe', 'gst-launch-1.0', 'opusdec'])('run(%s) throws naming the tool', (tool) => {
    expect(() => run(tool, ['-version'])).toThrow(`cannot run ${tool} (ENOENT): install it (scripts/install-system-deps.sh)`);
  });

  it('decoderErrors and frameHashes throw instead of returning "no errors" / no frames', () => {
    expect(() => decoderErrors('any.mp4')).toThrow(/cannot run ffprobe \(ENOENT\)/);
    expect(() => frameHashes('any.mp4')).toThrow(/cannot run ffmpeg \(ENOENT\)/);
  });
});
