/**
 * `convert` streams: its peak memory does not grow with the length of the capture. Long captures
 * are made at test time (test/support/long-capture.ts) by repeating a corpus stream, and the CLI's
 * peak RSS (getrusage, measured in the child) for a 1-minute and a 20/30-minute input are compared.
 * Holding the input or the output in memory would add far more than the 64 MB margin: 230 MB of PCM for
 * 20 minutes of 48 kHz stereo, ~110 MB of packets for 30 minutes of H.264; what streaming adds is
 * V8's lazy collection of read buffers and the allocator (it levels off: ~30 MB after 30 min, ~45 MB after 3 h of H.264).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { BACKEND } from '../support/backend.js';
import { corpusPath, loadCorpus } from '../support/corpus.js';
import { writeCapture } from '../support/long-capture.js';

const MARGIN_KIB = 64 * 1024;
const corpus = loadCorpus();
const dir = mkdtempSync(join(tmpdir(), `te-memory-${BACKEND}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const source = (name: string) => corpusPath(corpus.files.find((f) => f.name === name && f.format === 'pcap')!.path);

/** Runs `track-egress convert` in a child; returns its summary line and peak RSS (KiB). */
function convertIn(child: string[]): { out: string; maxRssKib: number; seconds: number } {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', './test/support/report-max-rss.ts', 'src/cli/main.ts', 'convert', ...child],
    { encoding: 'utf8', env: { ...process.env, TRACK_EGRESS_BACKEND: BACKEND } },
  );
  const m = /maxRSS (\d+)\s*$/.exec(r.stderr);
  expect(r.status, r.stderr).toBe(0);
  expect(m, r.stderr).not.toBeNull();
  return { out: r.stdout.trim(), maxRssKib: Number(m![1]), seconds: (performance.now() - t0) / 1000 };
}

describe(`convert runs in flat memory whatever the capture's length (${BACKEND})`, () => {
  it('Opus → .pcm: 1 minute vs 20 minutes', () => {
    const short = join(dir, 'opus-1m.pcap');
    const long = join(dir, 'opus-20m.pcap');
    writeCapture(short, [{ source: source('opus-stereo'), seconds: 60 }], 48000);
    expect(writeCapture(long, [{ source: source('opus-stereo'), seconds: 1200 }], 48000)).toBe(60000);
    const a = convertIn([short, '-o', join(dir, 'a.pcm')]);
    const b = convertIn([long, '-o', join(dir, 'b.pcm')]);
    expect(b.out).toMatch(/^opus: packets 60000, lost 0, malformed 0/);
    expect(statSync(join(dir, 'b.pcm')).size).toBe(1200 * 48000 * 2 * 2);
    console.log(`Opus → .pcm peak RSS: 1 min ${a.maxRssKib >> 10} MiB (${a.seconds.toFixed(1)} s), 20 min ${b.maxRssKib >> 10} MiB (${b.seconds.toFixed(1)} s)`);
    expect(b.maxRssKib).toBeLessThan(a.maxRssKib + MARGIN_KIB);
  }, 300_000);

  it('H.264 → .mp4: 1 minute vs 30 minutes', () => {
    const short = join(dir, 'h264-1m.pcap');
    const long = join(dir, 'h264-30m.pcap');
    writeCapture(short, [{ source: source('h264-baseline'), seconds: 60 }], 90000);
    const packets = writeCapture(long, [{ source: source('h264-baseline'), seconds: 1800 }], 90000);
    const reps = packets / 127; // h264-baseline: 127 packets, 90 frames, 3 s
    const a = convertIn([short, '-o', join(dir, 'a.mp4')]);
    const b = convertIn([long, '-o', join(dir, 'b.mp4')]);
    expect(reps).toBeGreaterThanOrEqual(600);
    expect(b.out).toMatch(new RegExp(`^h264: packets ${packets}, lost 0, malformed 0.*frames ${reps * 90}, duration `));
    expect(Number(/duration ([\d.]+) s/.exec(b.out)![1])).toBeCloseTo(reps * 3, 1);
    console.log(`H.264 → .mp4 peak RSS: 1 min ${a.maxRssKib >> 10} MiB (${a.seconds.toFixed(1)} s), 30 min ${b.maxRssKib >> 10} MiB (${b.seconds.toFixed(1)} s)`);
    expect(b.maxRssKib).toBeLessThan(a.maxRssKib + MARGIN_KIB);
  }, 300_000);
});
