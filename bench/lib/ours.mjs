// track-egress rows: the public Recorder / PcmDecoder API over a given backend.
// Output chunks are views (headers + packet payloads); sizes are summed, never joined.

/** RTP → container. Reads after every 64 pushes, like a live loop draining to a sink. */
export function recordWithOurs(te, backend, codec, channels, packets) {
  const rec = te.Recorder.withBackend(backend, { codec, channels });
  let outBytes = 0;
  let chunks = 0;
  try {
    for (let i = 0; i < packets.length; i++) {
      const p = packets[i];
      rec.push(p.data, p.timeUs);
      if ((i & 63) === 63) for (const c of rec.read()) { outBytes += c.size; chunks++; }
    }
    for (const c of rec.finish()) { outBytes += c.size; chunks++; }
    const s = rec.stats();
    return { outBytes, detail: `${s.frames} frames, ${chunks} chunks` };
  } finally {
    rec.close();
  }
}

/** Opus RTP → s16le 48 kHz stereo. */
export function pcmWithOurs(te, backend, channels, packets) {
  const dec = te.PcmDecoder.withBackend(backend, { channels, sampleRate: 48000, outputChannels: 2 });
  let samples = 0;
  try {
    for (let i = 0; i < packets.length; i++) {
      const p = packets[i];
      dec.push(p.data, p.timeUs);
      if ((i & 15) === 15) samples += dec.read().length;
    }
    samples += dec.finish().length;
    return { outBytes: samples * 2, detail: `${samples / 2} frames/ch` };
  } finally {
    dec.close();
  }
}
