import { readFileSync } from 'node:fs';

import { readCapture, selectStream } from '../../src/capture/index.js';
import type { CoreBackend } from '../../src/core/backend.js';
import { PcmDecoder, type PcmDecoderOptions, type PcmStats } from '../../src/core/pcm-decoder.js';
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

/**
 * Decodes a capture's Opus stream (the one SSRC given, else the capture's only stream) with a
 * PcmDecoder on `backend`, reading after every packet: all the PCM and the stats after finish().
 */
export function decodeCapture(backend: CoreBackend, file: string, o: PcmDecoderOptions & { ssrc?: number } = {}): { pcm: Int16Array; stats: PcmStats } {
  const { ssrc, ...options } = o;
  const dec = PcmDecoder.withBackend(backend, options);
  try {
    const parts: Int16Array[] = [];
    for (const p of selectStream(readCapture(readFileSync(file)), ssrc === undefined ? {} : { ssrc })) {
      dec.push(p.data, p.timeUs);
      parts.push(dec.read());
    }
    parts.push(dec.finish());
    const pcm = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      pcm.set(p, at);
      at += p.length;
    }
    return { pcm, stats: dec.stats() };
  } finally {
    dec.close();
  }
}
