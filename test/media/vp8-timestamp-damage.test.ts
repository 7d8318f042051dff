/**
 * Field case vp8-one-packet-bad-timestamp (issue 6 item 7): one packet in the middle of a VP8
 * frame carries a wrong RTP timestamp. Before, that frame was written without its tail (ffmpeg:
 * "Header size larger than data provided"). Its RTP time disagrees with its arrival time, so the
 * RTP input drops it as a lost packet (timestampOutliers): the frame it belonged to is dropped and
 * decoding resumes at the next key frame (docs/known-limitations.md). What must hold: no decoder
 * message, and every frame we write equals, at the same time, GStreamer's own depayloading
 * (rtpvp8depay) of the same capture with that one timestamp put right — an independent reference.
 * (The VP8 depacketizer's repair of such a packet, when it does reach it, is unit-tested in C++:
 * test/native/vp8/vp8_timestamp_damage_test.cc.)
 *
 * test/fixtures/field-cases/vp8-one-packet-bad-timestamp.pcap is a copy of the shared field case
 * (../shared/field-cases/, made by the reporter from a GStreamer vp8enc stream).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { convert } from '../../src/convert/convert.js';
import { BACKEND } from '../support/backend.js';
import { decoderErrors, frameHashes, run } from '../support/ffmpeg.js';

const CAPTURE = fileURLToPath(new URL('../fixtures/field-cases/vp8-one-packet-bad-timestamp.pcap', import.meta.url));
const out = mkdtempSync(join(tmpdir(), `te-vp8-ts-${BACKEND}-`));

/** Offsets of the RTP timestamps in a little-endian µs pcap of Ethernet/IPv4/UDP/RTP. */
function rtpTimestampOffsets(b: Buffer): number[] {
  expect(b.readUInt32LE(0)).toBe(0xa1b2c3d4);
  expect(b.readUInt32LE(20)).toBe(1); // LINKTYPE_ETHERNET
  const offs: number[] = [];
  for (let o = 24; o + 16 <= b.length; o += 16 + b.readUInt32LE(o + 8)) {
    const ip = o + 16 + 14;
    const ihl = (b[ip]! & 0x0f) * 4;
    offs.push(ip + ihl + 8 + 4);
  }
  return offs;
}

describe('VP8: one packet with a wrong timestamp inside a frame', () => {
  it('never yields a broken frame: every frame written equals GStreamer depayloading the corrected capture', async () => {
    const bytes = readFileSync(CAPTURE);
    const offs = rtpTimestampOffsets(bytes);
    const ts = offs.map((o) => bytes.readUInt32BE(o));
    // The damaged packet: its neighbours share a timestamp it does not have.
    const bad = ts.findIndex((t, i) => i > 0 && i + 1 < ts.length && ts[i - 1] === ts[i + 1] && t !== ts[i - 1]);
    expect(bad).toBeGreaterThan(0);
    expect(ts.filter((t, i) => i > 0 && i + 1 < ts.length && ts[i - 1] === ts[i + 1] && t !== ts[i - 1])).toHaveLength(1);
    const fixed = Buffer.from(bytes);
    fixed.writeUInt32BE(ts[bad - 1]!, offs[bad]!);
    writeFileSync(join(out, 'fixed.pcap'), fixed);

    const ref = join(out, 'gst-ref.webm');
    const g = run('gst-launch-1.0', [
      '-q', 'filesrc', `location=${join(out, 'fixed.pcap')}`, '!', 'pcapparse', '!',
      'application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000', '!', 'rtpjitterbuffer', '!',
      'rtpvp8depay', '!', 'webmmux', '!', 'filesink', `location=${ref}`,
    ]);
    expect(g.status, g.stderr).toBe(0);
    const want = frameHashes(ref);
    expect(want.length).toBe(new Set(ts.filter((_, i) => i !== bad)).size);

    const webm = join(out, 'ours.webm');
    const summary = await convert({ input: CAPTURE, output: webm, codec: 'vp8' });
    expect(decoderErrors(webm)).toBe('');
    expect(summary.outliers).toBe(1);
    const got = frameHashes(webm);
    // Frames up to the damaged one, and from the next key frame on: a strict subset.
    expect(got.length).toBeGreaterThan(want.length / 3);
    expect(got.length).toBeLessThan(want.length);
    // In order: each frame we wrote is the next matching reference frame (a subsequence).
    let j = 0;
    for (const [i, f] of got.entries()) {
      while (j < want.length && want[j]!.hash !== f.hash) j++;
      expect(j, `frame ${i} (${f.hash}) is a reference frame, in order`).toBeLessThan(want.length);
      j++;
    }
  });
});
