/**
 * Nominal arrival times for packets that GStreamer wrote without any (rtpstreampay output has no
 * clock). Video: the sender emits frames in decode order at the frame rate, so frame k (a new RTP
 * timestamp) arrives at k × frame duration and its packets 120 µs apart (a paced burst); using
 * RTP timestamps directly would run backwards for B-frames. Audio: arrival follows the RTP
 * timestamp (so DTX gaps stay gaps). A seeded jitter of up to 2 ms is added, keeping order.
 * RTCP packets get the time of the packet before them.
 */
import { createPrng } from './prng.js';
import { rtpFields, unwrapTimestamps } from './rtp-info.js';

/** A packet with an arrival time. */
export type TimedPacket = { timeUs: number; data: Uint8Array };

/** Fixed epoch of the corpus (2024-01-01T00:00:00Z) so regenerated files are byte-identical. */
export const CORPUS_EPOCH_US = 1_704_067_200_000_000;

/** Paces a video stream by frame index. */
export function paceVideo(packets: readonly Uint8Array[], frameUs: number, seed: number, baseUs = CORPUS_EPOCH_US): TimedPacket[] {
  const rng = createPrng(seed);
  const out: TimedPacket[] = [];
  let frame = -1;
  let lastTs: number | undefined;
  let inFrame = 0;
  let jitter = 0;
  let prev = baseUs;
  for (const data of packets) {
    const f = rtpFields(data);
    if (f && f.ts !== lastTs) {
      frame++;
      lastTs = f.ts;
      inFrame = 0;
      jitter = rng.int(0, 2000);
    }
    const t = f ? baseUs + Math.max(0, frame) * frameUs + jitter + inFrame++ * 120 : prev;
    prev = Math.max(prev, Math.round(t));
    out.push({ timeUs: prev, data });
  }
  return out;
}

/** Paces an audio stream by RTP timestamp. */
export function paceAudio(packets: readonly Uint8Array[], clockRate: number, seed: number, baseUs = CORPUS_EPOCH_US): TimedPacket[] {
  const rng = createPrng(seed);
  const rtp = packets.map(rtpFields);
  const unwrapped = unwrapTimestamps(rtp.filter((f) => f !== undefined).map((f) => f.ts));
  const first = unwrapped[0] ?? 0;
  let k = 0;
  let prev = baseUs;
  return packets.map((data, i) => {
    if (rtp[i]) {
      const ts = unwrapped[k++] ?? first;
      prev = Math.max(prev, Math.round(baseUs + ((ts - first) * 1e6) / clockRate + rng.int(0, 2000)));
    }
    return { timeUs: prev, data };
  });
}

/** Uses recorded arrival offsets (µs from the first packet), e.g. from udp-capture.ts. */
export function paceRecorded(packets: readonly Uint8Array[], offsetsUs: readonly number[], baseUs = CORPUS_EPOCH_US): TimedPacket[] {
  let prev = baseUs;
  return packets.map((data, i) => {
    prev = Math.max(prev, baseUs + Math.round(offsetsUs[i] ?? 0));
    return { timeUs: prev, data };
  });
}
