/**
 * Opus RTP whose timestamp steps are a few ticks off the frame grid — livekit-server 1.13.5
 * forwards steps of 961, 965, 974, 1921 … around a mute (it stamps blank frames from its wall
 * clock) — is recorded and decoded as the packets say, not concealed: the Ogg file reads without a
 * message in ffprobe/ffmpeg and opusinfo, and both the file (decoded by ffmpeg's libopus) and the
 * PcmDecoder's PCM equal GStreamer's decode straight from the RTP (pcapparse → rtpopusdepay →
 * opusdec: every packet, back to back; see test/support/gst-opus.ts), on the backend under test.
 * The input is the field case whose packets switch 20/60/10/40/2.5 ms, re-stamped with jitter
 * (< 2.5 ms, so it is not a gap) by a minimal pcap walker here, not by src/capture.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

import { Recorder } from '../../src/core/recorder.js';
import { BACKEND, backendUnderTest } from '../support/backend.js';
import { decodeCapture } from '../support/core-run.js';
import { decoderErrors, run } from '../support/ffmpeg.js';
import { gstreamerOpusPackets, maxAbsDiff } from '../support/gst-opus.js';
import { readCapture, selectStream } from '../../src/capture/index.js';

const FIELD = fileURLToPath(new URL('../fixtures/field-cases/opus-framesize-switch.pcap', import.meta.url));
const out = mkdtempSync(join(tmpdir(), `te-opus-jitter-${BACKEND}-`));
// Ticks added to each packet's RTP timestamp, cycling: steps of +1, +5, +14, 0, −14, −5, −1, +13,
// −13 around each packet's duration (the first packet keeps its time).
const JITTER = [0, 1, 6, 20, 20, 6, 1, 0, 13];

/**
 * A copy of an Ethernet/IPv4/UDP classic pcap (RTP at byte 42 of each record, as in the field
 * case) with every RTP timestamp moved by JITTER; the UDP checksum is already 0 (none, RFC 768).
 * Returns the file's path and the number of packets.
 */
function jittered(src: string): { path: string; packets: number } {
  const b = Buffer.from(readFileSync(src));
  if (b.readUInt32LE(0) !== 0xa1b2c3d4 || b.readUInt32LE(20) !== 1) throw new Error('expected a little-endian Ethernet pcap');
  let i = 0;
  for (let o = 24; o + 16 <= b.length; o += 16 + b.readUInt32LE(o + 8), i++) {
    const rec = o + 16;
    if (b.readUInt16BE(rec + 12) !== 0x0800 || (b[rec + 14]! & 0x0f) !== 5 || b[rec + 23] !== 17) throw new Error('expected IPv4/UDP without options');
    if (b.readUInt16BE(rec + 40) !== 0) throw new Error('expected UDP without checksum');
    const ts = rec + 42 + 4;
    b.writeUInt32BE((b.readUInt32BE(ts) + JITTER[i % JITTER.length]!) >>> 0, ts);
  }
  const path = join(out, 'jittered.pcap');
  writeFileSync(path, b);
  return { path, packets: i };
}

let pcap: { path: string; packets: number };
let ref: Int16Array;
beforeAll(() => {
  pcap = jittered(FIELD);
  // 533 Opus packets (the 534th is not Opus) decoded one after the other: 231 960 samples.
  const packets = gstreamerOpusPackets(pcap.path, { payloadType: 111, channels: 2 });
  expect(packets.length).toBe(533);
  ref = new Int16Array(packets.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of packets) {
    ref.set(p, at);
    at += p.length;
  }
  expect(ref.length).toBe(231960 * 2);
});

describe(`Opus timestamp jitter (${BACKEND})`, () => {
  it('the Ogg file reads without a message and decodes to GStreamer\'s decode of the RTP', async () => {
    const rec = Recorder.withBackend(await backendUnderTest(), { codec: 'opus', channels: 2 });
    const file = join(out, 'jittered.ogg');
    const parts: Buffer[] = [];
    const write = (chunks: { offset: number; data: Uint8Array[] }[]) => {
      for (const c of chunks) {
        expect(c.offset).toBe(parts.reduce((n, p) => n + p.length, 0)); // Ogg only appends
        parts.push(Buffer.concat(c.data));
      }
    };
    try {
      for (const p of selectStream(readCapture(readFileSync(pcap.path)))) {
        rec.push(p.data, p.timeUs);
        write(rec.read());
      }
      write(rec.finish());
      const s = rec.stats();
      expect(s.timingInvalid).toBe(0);
      expect(s.timingSnapped).toBeGreaterThan(400); // 8 of every 9 steps are off the grid
      expect(s.frames).toBe(533);
    } finally {
      rec.close();
    }
    writeFileSync(file, Buffer.concat(parts));

    expect(decoderErrors(file)).toBe('');
    const info = run('opusinfo', [file]);
    // The one warning every file of ours gets: pre-skip 0 is deliberate (ogg_opus_muxer.h: the
    // RTP timeline already holds the encoder delay; file time = RTP time).
    const PRESKIP = 'WARNING: Implausibly low preskip in Opus stream (1)';
    const messages = (info.stdout + info.stderr).split('\n').filter((l) => /warning|error/i.test(l) && l !== PRESKIP);
    expect(messages).toEqual([]);
    expect(info.stdout).toMatch(/Logical stream 1 ended/);
    expect(info.stdout).toMatch(/Playback length: 0m:04\.83\ds/); // 231 960 samples

    const dec = run('ffmpeg', ['-nostdin', '-v', 'error', '-c:a', 'libopus', '-i', file, '-f', 's16le', '-ac', '2', '-ar', '48000', '-']);
    expect(dec.stderr).toBe('');
    const pcm = new Int16Array(new Uint8Array(Buffer.from(dec.stdout, 'latin1')).buffer);
    expect(pcm.length).toBe(ref.length);
    expect(maxAbsDiff(pcm, ref)).toBe(0);
  });

  it('the PcmDecoder conceals nothing and gives GStreamer\'s decode of the RTP', async () => {
    const { pcm, stats } = decodeCapture(await backendUnderTest(), pcap.path, { channels: 2, outputChannels: 2, sampleRate: 48000 });
    expect(stats.timingInvalid).toBe(0);
    expect(stats.timingSnapped).toBeGreaterThan(400);
    expect(stats.samplesConcealed).toBe(0);
    expect(pcm.length).toBe(ref.length);
    expect(maxAbsDiff(pcm, ref)).toBe(0);
  });
});
