/**
 * An Opus PCM reference that shares nothing with the code under test: GStreamer reads the RTP
 * straight from the pcap (`pcapparse`, its own reader), depayloads it (`rtpopusdepay`) and decodes
 * it with `opusdec` — the system libopus (Debian 1.3.1, float, as our build: see
 * native/third_party/opus.cmake) through its int16 API, with libopus' default phase inversion
 * (GStreamer turns it off by default; stereo CELT frames then differ by 1 LSB). No jitter buffer
 * and no `plc`: one output buffer per valid packet, in capture order, nothing concealed.
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { run } from './ffmpeg.js';

/**
 * GStreamer's decode of every Opus packet of an Ethernet pcap (UDP to `dstPort`), as s16le PCM
 * with `channels` interleaved channels (libopus up/down-mixes itself); one entry per packet.
 */
export function gstreamerOpusPackets(pcap: string, o: { payloadType: number; channels: 1 | 2; dstPort?: number }): Int16Array[] {
  const raw = join(tmpdir(), `te-gst-opus-${process.pid}-${Date.now()}.raw`);
  const caps = `application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=${o.payloadType}`;
  const r = run('gst-launch-1.0', [
    '-v', 'filesrc', `location=${pcap}`, '!', 'pcapparse', ...(o.dstPort ? [`dst-port=${o.dstPort}`] : []), '!', caps,
    '!', 'rtpopusdepay', '!', 'opusdec', 'phase-inversion=true', '!', `audio/x-raw,format=S16LE,rate=48000,channels=${o.channels}`,
    '!', 'identity', 'silent=false', '!', 'filesink', `location=${raw}`,
  ]);
  if (r.status !== 0) throw new Error(`gst-launch-1.0 (${pcap}): ${r.stderr}`);
  // identity prints one "chain" line per buffer with its size: that splits the file per packet.
  const sizes = [...r.stdout.matchAll(/chain +\*+ \(identity0:sink\) \((\d+) bytes/g)].map((m) => Number(m[1]) >> 1);
  const bytes = readFileSync(raw);
  rmSync(raw);
  const all = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1);
  if (sizes.reduce((a, b) => a + b, 0) !== all.length) throw new Error(`gst-launch-1.0 (${pcap}): buffer sizes do not add up`);
  let at = 0;
  return sizes.map((n) => all.subarray(at, (at += n)));
}

/**
 * Lays decoded packets on the RTP time line: packet i starts `timestamps[i] − timestamps[0]`
 * samples in (signed 32-bit distance: unwraps). The first packet keeps only the samples before
 * the second packet's time (an encoder stamps its first packet one lookahead early, RFC 7845
 * §4.2 pre-skip). Returns the PCM and, per sample frame, whether a packet covered it (the rest
 * is where a decoder must conceal: losses and DTX gaps).
 */
export function onRtpTimeline(packets: readonly Int16Array[], timestamps: readonly number[], channels: number, frames: number): { pcm: Int16Array; covered: Uint8Array } {
  if (packets.length !== timestamps.length) throw new Error(`${packets.length} decoded packets for ${timestamps.length} RTP timestamps`);
  const pcm = new Int16Array(frames * channels);
  const covered = new Uint8Array(frames);
  packets.forEach((p, i) => {
    const start = (timestamps[i]! - timestamps[0]!) | 0;
    let data = p;
    if (i === 0 && timestamps.length > 1) {
      const keep = Math.min(p.length / channels, (timestamps[1]! - timestamps[0]!) | 0);
      data = p.subarray(p.length - keep * channels);
    }
    const end = start + data.length / channels;
    if (start < 0 || end > frames) throw new Error(`packet ${i} lies outside the time line`);
    pcm.set(data, start * channels);
    covered.fill(1, start, end);
  });
  return { pcm, covered };
}

/** Largest |a[i] − b[i]| over the sample frames `covered` marks (all when omitted). */
export function maxAbsDiff(a: Int16Array, b: Int16Array, channels = 1, covered?: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (!covered || covered[Math.floor(i / channels)]) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
