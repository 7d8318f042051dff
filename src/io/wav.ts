/**
 * The 44-byte canonical WAVE header (RIFF/WAVE, "fmt " PCM format 1, "data") for s16le PCM.
 * Write it with dataBytes = 0 first when streaming and rewrite it at the end with the real size.
 * RIFF sizes are 32-bit: beyond 4 GiB of data both sizes say 0xFFFFFFFF ("to the end of the
 * file", as ffmpeg and sox read it) instead of wrapping around.
 * @param sampleRate Hz, e.g. 48000 ({@link PcmDecoder.sampleRate}).
 * @param channels Interleaved channels ({@link PcmDecoder.channels}).
 * @param dataBytes Bytes of PCM after the header (samples × channels × 2).
 * @returns 44 bytes.
 * @example
 * await fh.write(wavHeader(16000, 1, 0), 0, 44, 0);          // placeholder first
 * await fh.write(wavHeader(16000, 1, pcmBytes), 0, 44, 0);   // real sizes at the end
 */
export function wavHeader(sampleRate: number, channels: number, dataBytes: number): Uint8Array {
  const h = new DataView(new ArrayBuffer(44));
  const ascii = (off: number, s: string) => [...s].forEach((ch, i) => h.setUint8(off + i, ch.charCodeAt(0)));
  ascii(0, 'RIFF');
  const clamp = (n: number) => Math.min(n, 0xffffffff);
  h.setUint32(4, clamp(36 + dataBytes), true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  h.setUint32(16, 16, true); // fmt chunk size
  h.setUint16(20, 1, true); // PCM
  h.setUint16(22, channels, true);
  h.setUint32(24, sampleRate, true);
  h.setUint32(28, sampleRate * channels * 2, true); // byte rate
  h.setUint16(32, channels * 2, true); // block align
  h.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  h.setUint32(40, clamp(dataBytes), true);
  return new Uint8Array(h.buffer);
}
