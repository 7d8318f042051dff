import { PcmDecoder } from '../../src/core/pcm-decoder.js';
import { Recorder, type RecorderStats } from '../../src/core/recorder.js';
import type { CodecName } from '../../src/core/codec.js';
import { backendUnderTest } from './backend.js';

/** Packets with their arrival times (µs), as the capture readers return them. */
export type TimedPackets = Iterable<{ data: Uint8Array; timeUs: number }>;

/** Pushes every packet through a Recorder on the backend under test; the stats after finish(). */
export async function recorderStats(codec: CodecName, channels: number, packets: TimedPackets): Promise<RecorderStats> {
  const rec = Recorder.withBackend(await backendUnderTest(), { codec, channels: channels === 1 ? 1 : 2 });
  try {
    for (const p of packets) {
      rec.push(p.data, p.timeUs);
      rec.read();
    }
    rec.finish();
    return rec.stats();
  } finally {
    rec.close();
  }
}

/**
 * Pushes every packet through a PcmDecoder on the backend under test, draining its PCM in bounded
 * pieces; the stats at the end, plus `samples` (interleaved samples decoded).
 */
export async function pcmStats(channels: number, packets: TimedPackets): Promise<Record<string, number> & { samples: number }> {
  const dec = PcmDecoder.withBackend(await backendUnderTest(), { channels: channels === 1 ? 1 : 2 });
  try {
    let samples = 0;
    for (const p of packets) {
      dec.push(p.data, p.timeUs);
      for (const piece of dec.drain()) samples += piece.length;
    }
    dec.end();
    for (const piece of dec.drain()) samples += piece.length;
    return { ...dec.stats(), samples };
  } finally {
    dec.close();
  }
}
