/**
 * The 44-byte canonical WAVE header (RIFF/WAVE, "fmt " PCM format 1, "data") for s16le PCM.
 * Write it with dataBytes = 0 first when streaming and rewrite it at the end with the real size.
 */
export function wavHeader(sampleRate: number, channels: number, dataBytes: number): Uint8Array {
  const h = new DataView(new ArrayBuffer(44));
  const ascii = (off: number, s: string) => [...s].forEach((ch, i) => h.setUint8(off + i, ch.charCodeAt(0)));
  ascii(0, 'RIFF');
  h.setUint32(4, 36 + dataBytes, true);
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
  h.setUint32(40, dataBytes, true);
  return new Uint8Array(h.buffer);
}
