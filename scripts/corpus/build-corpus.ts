/**
 * Builds the test corpus into test/fixtures/generated (run through scripts/make-corpus.sh):
 *
 *   1. streams/<name>.rtp      RTP made by GStreamer payloaders (rtpstreampay, RFC 4571 framing)
 *                              or captured from ffmpeg's RTP muxer (udp-capture.ts)
 *      streams/<name>.sdp      the SDP a WebRTC peer would announce (ffmpeg's own for ffmpeg)
 *      streams/<name>.ref.mkv  reference made by GStreamer's depayloader from the same RTP
 *   2. captures/*.pcap|pcapng|rtpdump  the same packets with paced arrival times in every capture
 *                              flavour the readers support, plus seeded impaired variants
 *      captures/*.rtp.json   sidecar: the RTP timestamps of each capture's media packets
 *   3. corpus.json             the manifest (see docs/corpus.md)
 *
 *   npx tsx scripts/corpus/build-corpus.ts <out-dir> <hash>
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writePcap, writePcapng, writeRtpdump } from './capture-writers.js';
import type { FrameRecord, PcapngRecord } from './capture-writers.js';
import { impair } from './impair.js';
import type { Impairment, ImpairReport } from './impair.js';
import { ethernet, etherTypeOf, linuxSll, linuxSll2, nullLoopback, udpIpv4, udpIpv6 } from './net-frame.js';
import type { Endpoint } from './net-frame.js';
import { paceAudio, paceRecorded, paceVideo } from './pacing.js';
import type { TimedPacket } from './pacing.js';
import { readRfc4571File } from './rfc4571.js';
import { rtpFields, unwrapTimestamps } from './rtp-info.js';
import { h264Fmtp, writeSdp } from './sdp-writer.js';
import { STREAMS } from './streams.js';
import type { StreamDef } from './streams.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const [outArg, hash = 'unhashed'] = process.argv.slice(2);
const OUT = outArg ?? join(ROOT, 'test/fixtures/generated');
const SDIR = join(OUT, 'streams');
const CDIR = join(OUT, 'captures');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}${r.error ?? ''}`);
  return r.stdout;
}

function gst(pipeline: string): void {
  run('gst-launch-1.0', ['-q', ...pipeline.split(/\s+/)]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function makeFfmpegStream(s: StreamDef, rtpPath: string, sdpPath: string): Promise<void> {
  const ready = join(SDIR, '.udp-ready');
  rmSync(ready, { force: true });
  const listener = spawn(TSX, [join(ROOT, 'scripts/corpus/udp-capture.ts'), rtpPath, ready, '1500', '20000'], { stdio: 'inherit' });
  const done = new Promise<number>((r) => listener.on('exit', (c) => r(c ?? 1)));
  for (let i = 0; i < 100 && !existsSync(ready); i++) await sleep(100);
  if (!existsSync(ready)) throw new Error('udp-capture did not start');
  const port = readFileSync(ready, 'utf8').trim();
  // -re: real-time pacing so arrival times are genuine. RTCP goes to the RTP port (rtcpport).
  run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-re',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-t', '3',
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-bf', '0', '-g', '30', '-pix_fmt', 'yuv420p',
    '-an', '-f', 'rtp', '-payload_type', String(s.payloadType), '-ssrc', String(s.ssrc),
    '-sdp_file', sdpPath, `rtp://127.0.0.1:${port}?rtcpport=${port}&pkt_size=1200`,
  ]);
  const code = await done;
  rmSync(ready, { force: true });
  if (code !== 0) throw new Error('udp-capture failed');
}

/**
 * Reference file from GStreamer's own depayloader. rtpstreamdepay output carries no timestamps
 * (matroskamux drops such buffers), so the reference is made from a temporary RTP-only pcap of the
 * same paced packets: pcapparse (GStreamer's independent pcap reader) stamps arrival times and
 * rtpjitterbuffer turns them plus the RTP timestamps into PTS.
 */
function makeReference(s: StreamDef, paced: readonly TimedPacket[], refPath: string): void {
  const tmp = refPath.replace(/\.ref\.mkv$/, '.ref-input.tmp.pcap');
  const dst: Endpoint = { ip: '127.0.0.1', port: 5004 };
  const records = paced
    .filter((p) => rtpFields(p.data))
    .map((p, i) => ({ timeUs: p.timeUs, frame: ethernet(udpIpv4(SRC4, dst, p.data, i), 0x0800) }));
  writeFileSync(tmp, writePcap(records, { linkType: 1 }));
  const caps = [
    'application/x-rtp', `media=${s.media}`, `encoding-name=${s.encodingName.toUpperCase()}`,
    `clock-rate=${s.clockRate}`, `payload=${s.payloadType}`, ...(s.extraCaps ? [s.extraCaps] : []),
  ].join(',');
  gst(`filesrc location=${tmp} ! pcapparse dst-port=5004 ! ${caps} ! rtpjitterbuffer ! ${s.depay} ! matroskamux ! filesink location=${refPath}`);
  rmSync(tmp);
}

function countRefPackets(refPath: string): number {
  const out = run('ffprobe', ['-v', 'error', '-select_streams', '0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', refPath]);
  return Number.parseInt(out.trim(), 10);
}

type StreamEntry = {
  name: string; codec: string; media: string; source: string; payloadType: number; ssrc: number;
  clockRate: number; channels: number; rtp: string; sdp: string; reference: string; referencePackets: number;
  rtpPackets: number; rtcpPackets: number; firstSequenceNumber: number; firstTimestamp: number;
  keyframeFrames?: number; durationMs: number; notes: string;
};

type FileEntry = {
  name: string; path: string; format: 'pcap' | 'pcapng' | 'rtpdump'; linkType?: number; linkTypeName?: string;
  timestampResolution?: 'us' | 'ns'; byteOrder?: 'le' | 'be'; ipVersion: 4 | 6;
  stream: string; codec: string; media: string; clockRate: number; channels: number; payloadType: number; ssrc: number;
  sdp: string; reference: string; rtpStream: string; rtpTimestamps: string; source: string; impairment: Impairment; seed?: number;
  packetCount: number; rtpPacketCount: number; uniqueRtpPacketCount: number; durationMs: number;
  impairReport?: ImpairReport;
  identicalToStream: boolean;
  extraStreams?: { stream: string; ssrc: number; payloadType: number; rtpPacketCount: number }[];
  noise?: { nonIp: number; nonUdp: number; fragments: number; udpNonRtp: number };
};

const rel = (p: string) => relative(OUT, p);

function durationMs(packets: readonly Uint8Array[], clockRate: number): number {
  const ts = unwrapTimestamps(packets.map(rtpFields).filter((f) => f !== undefined).map((f) => f.ts));
  if (!ts.length) return 0;
  return Math.round(((Math.max(...ts) - Math.min(...ts)) * 1000) / clockRate);
}

function rtpCounts(data: readonly Uint8Array[], ssrc: number): { rtp: number; unique: number } {
  const seqs = data.map(rtpFields).filter((f) => f !== undefined && f.ssrc === ssrc).map((f) => f?.seq);
  return { rtp: seqs.length, unique: new Set(seqs).size };
}

/**
 * Sidecar of a capture: `{ ssrc, timestamps }`, the RTP timestamps of the stream's media packets
 * in the order the capture holds them, read here with rtp-info.ts as the file is written (not by
 * src/capture, which the tests check against it). Packets an impairment inserted (malformed ones:
 * new byte arrays, not in `media`) are left out; duplicates appear twice, lost packets not at all.
 */
function writeRtpSidecar(capturePath: string, packets: readonly Uint8Array[], media: ReadonlySet<Uint8Array>, ssrc: number): string {
  const timestamps = packets.filter((p) => media.has(p)).map(rtpFields).filter((f) => f?.ssrc === ssrc).map((f) => f!.ts);
  const path = `${capturePath}.rtp.json`;
  writeFileSync(path, `${JSON.stringify({ ssrc, timestamps })}\n`);
  return rel(path);
}

type Link = 'ethernet' | 'ethernet-vlan' | 'sll' | 'sll2' | 'null' | 'raw';
const LINK_TYPE: Record<Link, [number, string]> = {
  ethernet: [1, 'EN10MB'], 'ethernet-vlan': [1, 'EN10MB'], sll: [113, 'LINUX_SLL'], sll2: [276, 'LINUX_SLL2'], null: [0, 'NULL'], raw: [101, 'RAW'],
};

function frame(link: Link, ip: Uint8Array, littleEndian = true): Uint8Array {
  switch (link) {
    case 'ethernet': return ethernet(ip, etherTypeOf(ip));
    case 'ethernet-vlan': return ethernet(ip, etherTypeOf(ip), 42);
    case 'sll': return linuxSll(ip, etherTypeOf(ip));
    case 'sll2': return linuxSll2(ip, etherTypeOf(ip));
    case 'null': return nullLoopback(ip, littleEndian);
    case 'raw': return ip;
  }
}

function toIp(p: TimedPacket, i: number, v6: boolean, src: Endpoint, dst: Endpoint): Uint8Array {
  return v6 ? udpIpv6(src, dst, p.data, true) : udpIpv4(src, dst, p.data, i);
}

const SRC4: Endpoint = { ip: '127.0.0.1', port: 40000 };
const SRC6: Endpoint = { ip: '::1', port: 40000 };

type CaptureSpec = {
  file: string; stream: string; format: 'pcap' | 'pcapng' | 'rtpdump'; link: Link;
  ns?: boolean; bigEndian?: boolean; v6?: boolean; impairment?: Impairment; seed?: number;
};

const CAPTURES: CaptureSpec[] = [
  ...STREAMS.map((s): CaptureSpec => ({ file: `${s.name}.pcap`, stream: s.name, format: 'pcap', link: 'ethernet' })),
  { file: 'h264-baseline.pcapng', stream: 'h264-baseline', format: 'pcapng', link: 'ethernet', ns: true },
  { file: 'h264-main.raw-ipv6.pcap', stream: 'h264-main', format: 'pcap', link: 'raw', v6: true },
  { file: 'h264-high-bframes.rtpdump', stream: 'h264-high-bframes', format: 'rtpdump', link: 'raw' },
  { file: 'h264-ffmpeg.vlan-be.pcapng', stream: 'h264-ffmpeg', format: 'pcapng', link: 'ethernet-vlan', bigEndian: true },
  { file: 'vp8.sll.pcap', stream: 'vp8', format: 'pcap', link: 'sll' },
  { file: 'vp9.be-ns.pcap', stream: 'vp9', format: 'pcap', link: 'ethernet', bigEndian: true, ns: true },
  { file: 'opus-mono.null.pcap', stream: 'opus-mono', format: 'pcap', link: 'null' },
  { file: 'opus-stereo.rtpdump', stream: 'opus-stereo', format: 'rtpdump', link: 'raw' },
  { file: 'opus-dtx.sll2.pcap', stream: 'opus-dtx', format: 'pcap', link: 'sll2' },
  // Impaired variants: Ethernet pcaps <stream>.<impairment>.pcap, each with its fixed seed.
  ...([
    ['h264-baseline', 'loss', 11],
    ['h264-baseline', 'burst-loss', 12],
    ['h264-baseline', 'malformed', 13],
    ['h264-high-bframes', 'reorder', 14],
    ['h264-main', 'duplicate', 15],
    ['vp8', 'loss', 16],
    ['vp8', 'malformed', 17],
    ['vp9', 'reorder', 18],
    ['opus-stereo', 'loss', 19],
    ['opus-mono', 'duplicate', 20],
    ['opus-mono', 'burst-loss', 21],
    ['opus-dtx', 'reorder', 22],
    ['opus-stereo', 'malformed', 23],
  ] as const).map(([stream, impairment, seed]): CaptureSpec => (
    { file: `${stream}.${impairment}.pcap`, stream, format: 'pcap', link: 'ethernet', impairment, seed })),
];

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(SDIR, { recursive: true });
  mkdirSync(CDIR, { recursive: true });
  const streams: StreamEntry[] = [];
  const timed = new Map<string, TimedPacket[]>();
  const defs = new Map<string, StreamDef>();
  for (const s of STREAMS) {
    const t0 = Date.now();
    const rtpPath = join(SDIR, `${s.name}.rtp`);
    const sdpPath = join(SDIR, `${s.name}.sdp`);
    const refPath = join(SDIR, `${s.name}.ref.mkv`);
    if (s.source === 'ffmpeg') {
      await makeFfmpegStream(s, rtpPath, sdpPath);
    } else {
      let pipeline = s.gst;
      if (pipeline.includes('@WAV@')) {
        const wav = join(SDIR, `${s.name}.source.tmp.wav`);
        run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=3',
          '-af', "volume=volume='if(lt(mod(t,1),0.5),1,0)':eval=frame", '-ac', '1', wav]);
        pipeline = pipeline.replace('@WAV@', wav);
      }
      gst(`${pipeline} ! rtpstreampay ! filesink location=${rtpPath}`);
      rmSync(join(SDIR, `${s.name}.source.tmp.wav`), { force: true });
    }
    const packets = readRfc4571File(rtpPath);
    if (s.source !== 'ffmpeg') {
      const fmtp = s.codec === 'h264' ? h264Fmtp(packets) : s.fmtp;
      writeFileSync(sdpPath, writeSdp({
        media: s.media, port: 5004, payloadType: s.payloadType, encodingName: s.encodingName, clockRate: s.clockRate,
        ...(s.codec === 'opus' ? { channels: 2 } : {}), fmtp, ssrc: s.ssrc,
      }));
    }
    const fields = packets.map(rtpFields);
    const firstRtp = fields.find((f) => f !== undefined);
    let paced: TimedPacket[];
    if (s.source === 'ffmpeg') {
      const arrivals = JSON.parse(readFileSync(rtpPath.replace(/\.rtp$/, '.arrivals.json'), 'utf8')) as number[];
      paced = paceRecorded(packets, arrivals);
    } else if (s.frameUs) paced = paceVideo(packets, s.frameUs, s.ssrc);
    else paced = paceAudio(packets, s.clockRate, s.ssrc);
    makeReference(s, paced, refPath);
    timed.set(s.name, paced);
    defs.set(s.name, s);
    streams.push({
      name: s.name, codec: s.codec, media: s.media, source: s.source, payloadType: s.payloadType, ssrc: s.ssrc,
      clockRate: s.clockRate, channels: s.channels, rtp: rel(rtpPath), sdp: rel(sdpPath), reference: rel(refPath),
      referencePackets: countRefPackets(refPath),
      rtpPackets: fields.filter((f) => f).length, rtcpPackets: fields.filter((f) => !f).length,
      firstSequenceNumber: firstRtp?.seq ?? 0, firstTimestamp: firstRtp?.ts ?? 0,
      durationMs: durationMs(packets, s.clockRate), notes: s.notes,
    });
    console.log(`corpus: ${s.name}: ${packets.length} packets (${Date.now() - t0} ms)`);
  }

  const files: FileEntry[] = [];
  for (const c of CAPTURES) {
    const s = defs.get(c.stream);
    const base = timed.get(c.stream);
    const entry = streams.find((e) => e.name === c.stream);
    if (!s || !base || !entry) throw new Error(`unknown stream ${c.stream}`);
    const imp = impair(base, c.impairment ?? 'none', c.seed ?? 0);
    const pk = imp.packets;
    const dst: Endpoint = { ip: c.v6 ? '::1' : '127.0.0.1', port: 5004 };
    const src = c.v6 ? SRC6 : SRC4;
    let bytes: Uint8Array;
    if (c.format === 'rtpdump') {
      bytes = writeRtpdump(pk.map((p) => ({ timeUs: p.timeUs, data: p.data, rtcp: !rtpFields(p.data) })), dst, src.ip);
    } else {
      const records: FrameRecord[] = pk.map((p, i) => ({ timeUs: p.timeUs, frame: frame(c.link, toIp(p, i, c.v6 ?? false, src, dst), !c.bigEndian) }));
      bytes = c.format === 'pcap'
        ? writePcap(records, { linkType: LINK_TYPE[c.link][0], nanoseconds: c.ns ?? false, bigEndian: c.bigEndian ?? false })
        : writePcapng([{ linkType: LINK_TYPE[c.link][0], tsresolDecimal: c.ns ? 9 : 6, name: 'lo' }],
          records.map((r) => ({ ...r, interfaceId: 0 })), { bigEndian: c.bigEndian ?? false, skippableBlocks: true });
    }
    const path = join(CDIR, c.file);
    writeFileSync(path, bytes);
    const rtpTimestamps = writeRtpSidecar(path, pk.map((p) => p.data), new Set(base.map((p) => p.data)), s.ssrc);
    const counts = rtpCounts(pk.map((p) => p.data), s.ssrc);
    const f: FileEntry = {
      name: c.file.replace(/\.(pcap|pcapng|rtpdump)$/, ''), path: rel(path), format: c.format,
      ...(c.format !== 'rtpdump' ? {
        linkType: LINK_TYPE[c.link][0], linkTypeName: LINK_TYPE[c.link][1], timestampResolution: c.ns ? 'ns' as const : 'us' as const,
        byteOrder: c.bigEndian ? 'be' as const : 'le' as const,
      } : {}),
      ipVersion: c.v6 ? 6 : 4,
      stream: s.name, codec: s.codec, media: s.media, clockRate: s.clockRate, channels: s.channels, payloadType: s.payloadType, ssrc: s.ssrc,
      sdp: entry.sdp, reference: entry.reference, rtpStream: entry.rtp, rtpTimestamps, source: s.source, impairment: c.impairment ?? 'none',
      ...(c.seed !== undefined ? { seed: c.seed } : {}),
      packetCount: pk.length, rtpPacketCount: counts.rtp, uniqueRtpPacketCount: counts.unique,
      durationMs: durationMs(pk.map((p) => p.data), s.clockRate),
      ...(c.impairment && c.impairment !== 'none' ? { impairReport: imp.report } : {}),
      identicalToStream: (c.impairment ?? 'none') === 'none',
    };
    files.push(f);
  }
  files.push(makeMixed(timed, defs, streams));

  const version = (cmd: string, args: string[]) => run(cmd, args).split('\n')[0]?.trim() ?? '';
  const manifest = {
    version: 1,
    hash,
    tools: { gstreamer: version('gst-launch-1.0', ['--version']), ffmpeg: version('ffmpeg', ['-version']) },
    streams,
    files,
  };
  writeFileSync(join(OUT, 'corpus.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`corpus: ${streams.length} streams, ${files.length} capture files → ${OUT}`);
}

/**
 * mixed.pcapng: two interfaces with different link types and resolutions — interface 0 Ethernet
 * (µs) carries vp8 plus noise (an ARP frame, a TCP segment, an IPv4 fragment, a DNS-like UDP
 * datagram as a Simple Packet Block); interface 1 Linux SLL2 (ns) carries opus-stereo.
 */
function makeMixed(timed: Map<string, TimedPacket[]>, defs: Map<string, StreamDef>, streams: StreamEntry[]): FileEntry {
  const vp8 = timed.get('vp8') ?? [];
  const opus = timed.get('opus-stereo') ?? [];
  const v = defs.get('vp8');
  const o = defs.get('opus-stereo');
  const ve = streams.find((e) => e.name === 'vp8');
  if (!v || !o || !ve) throw new Error('mixed needs vp8 and opus-stereo');
  const recs: (PcapngRecord & { order: number })[] = [];
  let order = 0;
  const dstV = { ip: '127.0.0.1', port: 5004 };
  const dstO = { ip: '127.0.0.1', port: 5006 };
  vp8.forEach((p, i) => recs.push({ timeUs: p.timeUs, frame: ethernet(udpIpv4(SRC4, dstV, p.data, i), 0x0800), interfaceId: 0, order: order++ }));
  opus.forEach((p, i) => recs.push({ timeUs: p.timeUs, frame: linuxSll2(udpIpv4({ ip: '127.0.0.1', port: 40002 }, dstO, p.data, i), 0x0800), interfaceId: 1, order: order++ }));
  const t = (vp8[0]?.timeUs ?? 0) + 500;
  const arp = ethernet(new Uint8Array(28), 0x0806);
  const tcpIp = udpIpv4(SRC4, { ip: '127.0.0.1', port: 443 }, new Uint8Array(20), 1);
  tcpIp[9] = 6; // protocol TCP (checksum left stale: readers do not verify it)
  const frag = udpIpv4(SRC4, dstV, vp8[0]?.data ?? new Uint8Array(12), 2);
  frag[6] = 0x20; // More Fragments
  const dns = udpIpv4({ ip: '127.0.0.1', port: 53 }, { ip: '127.0.0.1', port: 53000 }, Uint8Array.of(0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0), 3);
  recs.push({ timeUs: t, frame: arp, interfaceId: 0, order: -4 });
  recs.push({ timeUs: t, frame: ethernet(tcpIp, 0x0800), interfaceId: 0, order: -3 });
  recs.push({ timeUs: t, frame: ethernet(frag, 0x0800), interfaceId: 0, order: -2 });
  recs.sort((a, b) => a.timeUs - b.timeUs || a.order - b.order);
  // The SPB goes first so it inherits no earlier timestamp (readers report time 0 for it).
  recs.unshift({ timeUs: 0, frame: ethernet(dns, 0x0800), interfaceId: 0, simple: true, order: -1 });
  const bytes = writePcapng(
    [{ linkType: 1, tsresolDecimal: 6, name: 'eth0' }, { linkType: 276, tsresolDecimal: 9, name: 'any' }],
    recs, { skippableBlocks: true },
  );
  const path = join(CDIR, 'mixed.pcapng');
  writeFileSync(path, bytes);
  const rtpTimestamps = writeRtpSidecar(path, vp8.map((p) => p.data), new Set(vp8.map((p) => p.data)), v.ssrc);
  const vc = rtpCounts(vp8.map((p) => p.data), v.ssrc);
  const oc = rtpCounts(opus.map((p) => p.data), o.ssrc);
  return {
    name: 'mixed', path: rel(path), format: 'pcapng', linkType: 1, linkTypeName: 'EN10MB+LINUX_SLL2', timestampResolution: 'us', byteOrder: 'le', ipVersion: 4,
    stream: 'vp8', codec: v.codec, media: v.media, clockRate: v.clockRate, channels: v.channels, payloadType: v.payloadType, ssrc: v.ssrc,
    sdp: ve.sdp, reference: ve.reference, rtpStream: ve.rtp, rtpTimestamps, source: v.source, impairment: 'none',
    packetCount: vp8.length + opus.length + 1, rtpPacketCount: vc.rtp, uniqueRtpPacketCount: vc.unique,
    durationMs: durationMs(vp8.map((p) => p.data), v.clockRate), identicalToStream: false,
    extraStreams: [{ stream: 'opus-stereo', ssrc: o.ssrc, payloadType: o.payloadType, rtpPacketCount: oc.rtp }],
    noise: { nonIp: 1, nonUdp: 1, fragments: 1, udpNonRtp: 1 },
  };
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
