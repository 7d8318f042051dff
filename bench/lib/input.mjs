// In-memory bench inputs: a corpus capture looped N times with continuous RTP sequence numbers,
// RTP timestamps and arrival times, so every implementation sees the same long, gap-free stream.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads `captures/<name>.pcap` of the corpus and returns its RTP packets plus the manifest entry. */
export function loadCorpusStream(te, corpusDir, name) {
  const manifest = JSON.parse(readFileSync(join(corpusDir, 'corpus.json'), 'utf8'));
  const entry = manifest.streams.find((s) => s.name === name);
  if (!entry) throw new Error(`corpus has no stream "${name}" (run: bash scripts/make-corpus.sh)`);
  const bytes = new Uint8Array(readFileSync(join(corpusDir, 'captures', `${name}.pcap`)));
  const packets = te.selectStream(te.readCapture(bytes), { ssrc: entry.ssrc, payloadType: entry.payloadType });
  if (packets.length === 0) throw new Error(`no RTP packets for ${name}`);
  return { entry, packets };
}

const seqOf = (p) => (p[2] << 8) | p[3];
const tsOf = (p) => ((p[4] << 24) | (p[5] << 16) | (p[6] << 8) | p[7]) >>> 0;

/**
 * Loops `packets` until at least `minSeconds` of media: copy k gets seq += k*seqSpan,
 * ts += k*tsSpan, arrival += k*spanUs. Every packet is a separate Uint8Array (like datagrams).
 */
export function loopStream(packets, clockRate, minSeconds) {
  const first = packets[0].data;
  const seq0 = seqOf(first);
  const ts0 = tsOf(first);
  let maxSeqOff = 0;
  let maxTsOff = 0;
  const tsOffs = [];
  for (const p of packets) {
    maxSeqOff = Math.max(maxSeqOff, (seqOf(p.data) - seq0) & 0xffff);
    const off = (tsOf(p.data) - ts0) >>> 0;
    // B-frame streams can step back a little; treat huge offsets as negative.
    const signed = off > 0x80000000 ? off - 0x100000000 : off;
    tsOffs.push(signed);
    maxTsOff = Math.max(maxTsOff, signed);
  }
  // One frame/packet duration past the last timestamp: the median step between distinct timestamps
  // (not the minimum: opusenc's first step is 648, and video steps alternate 2999/3000/3001).
  const distinct = [...new Set(tsOffs)].sort((a, b) => a - b);
  const steps = [];
  for (let i = 1; i < distinct.length; i++) steps.push(distinct[i] - distinct[i - 1]);
  steps.sort((a, b) => a - b);
  const step = steps.length ? steps[steps.length >> 1] : clockRate / 50;
  const seqSpan = maxSeqOff + 1;
  const tsSpan = maxTsOff - Math.min(0, ...tsOffs) + step;
  const spanUs = (tsSpan / clockRate) * 1e6;
  const loops = Math.max(1, Math.ceil((minSeconds * clockRate) / tsSpan));
  const t0 = packets[0].timeUs;
  const out = [];
  let bytes = 0;
  for (let k = 0; k < loops; k++) {
    for (const p of packets) {
      const d = new Uint8Array(p.data); // copy
      const seq = (seqOf(d) + k * seqSpan) & 0xffff;
      const ts = (tsOf(d) + k * tsSpan) >>> 0;
      d[2] = seq >> 8; d[3] = seq & 0xff;
      d[4] = ts >>> 24; d[5] = (ts >>> 16) & 0xff; d[6] = (ts >>> 8) & 0xff; d[7] = ts & 0xff;
      out.push({ data: d, timeUs: Math.round(p.timeUs - t0 + k * spanUs) });
      bytes += d.length;
    }
  }
  return { packets: out, bytes, mediaSeconds: (loops * tsSpan) / clockRate, loops };
}

/** Parsed view of a looped stream that the JS peers share (header fields only; no payload copies). */
export function rtpFields(d) {
  const cc = d[0] & 0x0f;
  let off = 12 + 4 * cc;
  if (d[0] & 0x10) off += 4 + (((d[off + 2] << 8) | d[off + 3]) << 2);
  let end = d.length;
  if (d[0] & 0x20) end -= d[end - 1];
  return { marker: (d[1] & 0x80) !== 0, seq: seqOf(d), ts: tsOf(d), payloadOffset: off, payloadEnd: end };
}
