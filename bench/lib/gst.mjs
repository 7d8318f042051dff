// GStreamer baseline: gst-launch-1.0 as a subprocess on a pcap of the same looped packets:
//   filesrc ! pcapparse ! application/x-rtp,... ! rtpjitterbuffer latency=0 ! rtp<codec>depay
//   [! h264parse | ! opusparse] ! mp4mux|webmmux|oggmux ! fakesink
// The jitter buffer is needed because pcapparse's buffers carry no PTS after depayloading
// without it; latency=0 because the input is in order and its default 200 ms EOS wait would be
// a fixed cost. Timed with and without fixed per-process cost, estimated on a ~1 s pcap.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function gstVersion() {
  const r = spawnSync('gst-launch-1.0', ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return r.stdout.split('\n')[0].replace(/^gst-launch-1\.0 version /, '');
}

const PIPELINES = {
  h264: { caps: 'media=video,encoding-name=H264,clock-rate=90000', tail: 'rtph264depay ! h264parse ! mp4mux fragment-duration=2000 streamable=true', ext: 'mp4' },
  vp8: { caps: 'media=video,encoding-name=VP8,clock-rate=90000', tail: 'rtpvp8depay ! webmmux streamable=true', ext: 'webm' },
  opus: { caps: 'media=audio,encoding-name=OPUS,clock-rate=48000', tail: 'rtpopusdepay ! opusparse ! oggmux', ext: 'ogg' },
};

/** Ethernet/IPv4/UDP pcap (µs, little-endian) of RTP packets, 127.0.0.1:40000 → 127.0.0.1:5004. */
export function writeRtpPcap(packets) {
  let size = 24;
  for (const p of packets) size += 16 + 42 + p.data.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 65535, true);
  dv.setUint32(20, 1, true); // LINKTYPE_ETHERNET
  let o = 24;
  const base = 1_700_000_000_000_000;
  let id = 0;
  for (const p of packets) {
    const t = base + p.timeUs;
    const len = 42 + p.data.length;
    dv.setUint32(o, Math.floor(t / 1e6), true);
    dv.setUint32(o + 4, t % 1e6, true);
    dv.setUint32(o + 8, len, true);
    dv.setUint32(o + 12, len, true);
    o += 16;
    out.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00], o); // MACs, EtherType IPv4
    const ip = o + 14;
    out.set([0x45, 0, (20 + 8 + p.data.length) >> 8, (20 + 8 + p.data.length) & 0xff, (id >> 8) & 0xff, id & 0xff, 0, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1], ip);
    id++;
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += (out[ip + i] << 8) | out[ip + i + 1];
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    dv.setUint16(ip + 10, ~sum & 0xffff);
    dv.setUint16(ip + 20, 40000);
    dv.setUint16(ip + 22, 5004);
    dv.setUint16(ip + 24, 8 + p.data.length);
    dv.setUint16(ip + 26, 0); // no UDP checksum (allowed for IPv4)
    out.set(p.data, ip + 28);
    o = ip + 28 + p.data.length;
  }
  return out;
}

function pipelineArgs(codec, payloadType, pcapPath, sink) {
  const p = PIPELINES[codec];
  const text = `filesrc location=${pcapPath} ! pcapparse dst-port=5004 ! application/x-rtp,${p.caps},payload=${payloadType} ! rtpjitterbuffer latency=0 ! ${p.tail} ! ${sink}`;
  return ['-q', ...text.split(' ')];
}

/**
 * Prepares a GStreamer case: writes the full and the tiny (~1 s) pcap, checks the pipeline once
 * into a real file (output size, peak RSS via /usr/bin/time when present). Returns run functions.
 */
export function prepareGst(codec, payloadType, looped, clockRate) {
  const dir = join(tmpdir(), `track-egress-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const full = join(dir, `${codec}.pcap`);
  const tiny = join(dir, `${codec}.tiny.pcap`);
  writeFileSync(full, writeRtpPcap(looped.packets));
  const firstTs = looped.packets[0].timeUs;
  const tinyPackets = looped.packets.filter((p) => p.timeUs - firstTs < 1e6);
  writeFileSync(tiny, writeRtpPcap(tinyPackets));
  const outFile = join(dir, `out.${PIPELINES[codec].ext}`);
  const args = pipelineArgs(codec, payloadType, full, `filesink location=${outFile}`);
  let check;
  const timeBin = '/usr/bin/time';
  const r = spawnSync(timeBin, ['-f', '%M', 'gst-launch-1.0', ...args], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const r2 = r.error ? spawnSync('gst-launch-1.0', args, { encoding: 'utf8' }) : r;
    check = { ok: r2.status === 0, outBytes: r2.status === 0 ? statSync(outFile).size : 0, error: (r2.stderr || '').trim().split('\n').slice(-2).join(' ') };
  } else {
    const kb = Number.parseInt(r.stderr.trim().split('\n').pop(), 10);
    check = { ok: true, outBytes: statSync(outFile).size, peakRssMb: Number.isFinite(kb) ? kb / 1024 : undefined };
  }
  rmSync(outFile, { force: true });
  const run = (path) => {
    const t0 = performance.now();
    const res = spawnSync('gst-launch-1.0', pipelineArgs(codec, payloadType, path, 'fakesink'), { stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = performance.now() - t0;
    if (res.status !== 0) throw new Error(`gst-launch-1.0 failed: ${String(res.stderr).trim().split('\n').pop()}`);
    return ms;
  };
  return {
    check,
    tinyPackets: tinyPackets.length,
    tinyBytes: tinyPackets.reduce((a, p) => a + p.data.length, 0),
    tinySeconds: (tinyPackets.length / looped.packets.length) * looped.mediaSeconds,
    runFull: () => run(full),
    runTiny: () => run(tiny),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
