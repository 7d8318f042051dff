/**
 * Every capture reader against the generated corpus (scripts/make-corpus.sh; built here when
 * test/fixtures/generated/corpus.json is missing): packet counts and bytes must match the RFC 4571
 * streams GStreamer/ffmpeg wrote, impaired variants must match their manifest counts, and every
 * SDP must describe its stream.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CapturedPacket } from '../../../src/capture/index.js';
import { listRtpStreams, parseSdp, readCapture, readCaptureDetailed, selectStream, sniffRtp } from '../../../src/capture/index.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const DIR = join(ROOT, 'test/fixtures/generated');
const MANIFEST = join(DIR, 'corpus.json');

type Stream = { name: string; codec: string; payloadType: number; ssrc: number; clockRate: number; channels: number; rtp: string; sdp: string; reference: string; rtpPackets: number; rtcpPackets: number };
type File = {
  name: string; path: string; format: string; stream: string; ssrc: number; payloadType: number; impairment: string;
  packetCount: number; rtpPacketCount: number; uniqueRtpPacketCount: number; identicalToStream: boolean; rtpStream: string;
  rtpTimestamps: string;
  extraStreams?: { stream: string; ssrc: number; rtpPacketCount: number }[];
  noise?: { nonIp: number; nonUdp: number; fragments: number; udpNonRtp: number };
};
type Manifest = { hash: string; streams: Stream[]; files: File[] };

let manifest: Manifest;
const load = (p: string) => new Uint8Array(readFileSync(join(DIR, p)));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

beforeAll(() => {
  if (!existsSync(MANIFEST)) execFileSync('bash', [join(ROOT, 'scripts/make-corpus.sh')], { stdio: 'inherit' });
  manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
});

describe('generated corpus', () => {
  it('lists every stream and covers each reader path', () => {
    expect(manifest.streams.map((s) => s.name).sort()).toEqual(
      ['h264-baseline', 'h264-ffmpeg', 'h264-high-bframes', 'h264-main', 'opus-dtx', 'opus-mono', 'opus-stereo', 'vp8', 'vp9'],
    );
    const formats = new Set(manifest.files.map((f) => f.format));
    expect([...formats].sort()).toEqual(['pcap', 'pcapng', 'rtpdump']);
    const m = manifest.files as (File & { linkType?: number; byteOrder?: string; timestampResolution?: string; ipVersion?: number })[];
    for (const lt of [0, 1, 101, 113, 276]) expect(m.some((f) => f.linkType === lt)).toBe(true);
    expect(m.some((f) => f.format === 'pcap' && f.byteOrder === 'be' && f.timestampResolution === 'ns')).toBe(true);
    expect(m.some((f) => f.ipVersion === 6)).toBe(true);
    for (const imp of ['loss', 'burst-loss', 'reorder', 'duplicate', 'malformed']) expect(m.some((f) => f.impairment === imp)).toBe(true);
  });

  it('every reader returns exactly the RTP stream packets for unimpaired files', () => {
    const identical = manifest.files.filter((x) => x.identicalToStream);
    expect(identical.length).toBeGreaterThanOrEqual(18);
    for (const f of identical) {
      const want = readCapture(load(f.rtpStream), { format: 'rfc4571' }).map((p) => hex(p.data));
      const got = readCapture(load(f.path)).map((p) => hex(p.data));
      expect(got.length, f.path).toBe(f.packetCount);
      expect(got, f.path).toEqual(want);
    }
  });

  it('every reader returns the RTP timestamps the builder recorded for each capture (sidecars)', () => {
    expect(manifest.files.length).toBeGreaterThanOrEqual(32);
    for (const f of manifest.files) {
      const want = (JSON.parse(readFileSync(join(DIR, f.rtpTimestamps), 'utf8')) as { timestamps: number[] }).timestamps;
      const got = selectStream(readCapture(load(f.path)), { ssrc: f.ssrc }).map((p) => sniffRtp(p.data)!.timestamp);
      expect(got, f.path).toEqual(want);
    }
  });

  it('arrival times are monotonic except where packets were reordered', () => {
    const inOrder = manifest.files.filter((x) => x.impairment !== 'reorder');
    expect(inOrder.length).toBeGreaterThanOrEqual(29);
    for (const f of inOrder) {
      const pk = readCapture(load(f.path)).filter((p) => p.timeUs > 0);
      for (let i = 1; i < pk.length; i++) expect(pk[i]!.timeUs, f.path).toBeGreaterThanOrEqual(pk[i - 1]!.timeUs);
      const span = (pk.at(-1)?.timeUs ?? 0) - (pk[0]?.timeUs ?? 0);
      expect(span, f.path).toBeGreaterThan(2_000_000);
      expect(span, f.path).toBeLessThan(4_000_000);
    }
  });

  it('impaired files hold the manifest counts and only original packet bytes (plus injected garbage)', () => {
    const impaired = manifest.files.filter((x) => x.impairment !== 'none');
    expect(impaired.length).toBeGreaterThanOrEqual(13);
    for (const f of impaired) {
      const original = new Set(readCapture(load(f.rtpStream), { format: 'rfc4571' }).map((p) => hex(p.data)));
      const pk = readCapture(load(f.path));
      expect(pk.length, f.path).toBe(f.packetCount);
      const stream = selectStream(pk, { ssrc: f.ssrc });
      expect(stream.length, f.path).toBe(f.rtpPacketCount);
      expect(new Set(stream.map((p) => sniffRtp(p.data)?.sequenceNumber)).size, f.path).toBe(f.uniqueRtpPacketCount);
      const foreign = pk.filter((p) => !original.has(hex(p.data)));
      expect(foreign.length, f.path).toBe(f.impairment === 'malformed' ? 6 : 0);
      // Injected packets never pass as RTP of the stream.
      for (const p of foreign) expect(sniffRtp(p.data)?.ssrc, f.path).not.toBe(f.ssrc);
      if (f.impairment === 'loss' || f.impairment === 'burst-loss') expect(f.rtpPacketCount).toBeLessThan(original.size);
      if (f.impairment === 'duplicate') expect(f.rtpPacketCount).toBeGreaterThan(f.uniqueRtpPacketCount);
      if (f.impairment === 'reorder') {
        const seqs = stream.map((p) => sniffRtp(p.data)?.sequenceNumber ?? 0);
        const backwards = seqs.filter((s, i) => i > 0 && ((s - seqs[i - 1]!) & 0xffff) > 0x8000).length;
        expect(backwards, f.path).toBeGreaterThan(0);
      }
    }
  });

  it('mixed.pcapng: two interfaces, two streams, noise counted', () => {
    const f = manifest.files.find((x) => x.name === 'mixed');
    expect(f).toBeDefined();
    const r = readCaptureDetailed(load(f!.path));
    expect(r.packets.length).toBe(f!.packetCount);
    expect(r.stats).toMatchObject({ nonIp: 1, nonUdp: 1, fragments: 1 });
    expect(r.stats.skippedBlocks).toBeGreaterThanOrEqual(3);
    const streams = listRtpStreams(r.packets);
    expect(streams.map((s) => s.ssrc).sort()).toEqual([f!.ssrc, f!.extraStreams![0]!.ssrc].sort());
    expect(selectStream(r.packets, { ssrc: f!.ssrc })).toHaveLength(f!.rtpPacketCount);
    const opus = selectStream(r.packets, { payloadType: 111 });
    expect(opus).toHaveLength(f!.extraStreams![0]!.rtpPacketCount);
    expect(opus[0]!.dstPort).toBe(5006);
  });

  it('stream files: RTCP only in the ffmpeg capture, SDPs describe their streams, references exist', () => {
    expect(manifest.streams.length).toBeGreaterThanOrEqual(9);
    for (const s of manifest.streams) {
      const pk: CapturedPacket[] = readCapture(load(s.rtp), { format: 'rfc4571' });
      expect(pk.length, s.name).toBe(s.rtpPackets + s.rtcpPackets);
      const streams = listRtpStreams(pk);
      expect(streams.map((x) => [x.ssrc, x.payloadTypes]), s.name).toEqual([[s.ssrc, [s.payloadType]]]);
      const sdp = parseSdp(readFileSync(join(DIR, s.sdp), 'utf8'));
      const fmt = sdp.find((x) => x.payloadType === s.payloadType);
      expect(fmt, s.name).toMatchObject({ codec: s.codec, clockRate: s.clockRate });
      if (s.codec === 'opus') {
        expect(fmt!.channels).toBe(2);
        expect(fmt!.fmtp.stereo).toBe(s.channels === 2 ? '1' : '0');
      }
      if (s.codec === 'h264') expect(fmt!.fmtp['packetization-mode']).toBe('1');
      expect(existsSync(join(DIR, s.reference)), s.name).toBe(true);
    }
    expect(manifest.streams.find((s) => s.name === 'h264-ffmpeg')!.rtcpPackets).toBeGreaterThan(0);
  });

  it('opus-dtx has RTP timestamp jumps larger than one frame (DTX packets dropped)', () => {
    const s = manifest.streams.find((x) => x.name === 'opus-dtx')!;
    const ts = readCapture(load(s.rtp), { format: 'rfc4571' }).map((p) => sniffRtp(p.data)!.timestamp);
    const jumps = ts.filter((t, i) => i > 0 && ((t - ts[i - 1]!) >>> 0) > 960);
    expect(jumps.length).toBeGreaterThan(0);
  });
});

describe('readers on damaged corpus files', () => {
  it('truncated or byte-flipped captures never throw anything but CaptureFormatError', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const picks = manifest.files.filter((f) => /pcap$|pcapng$|rtpdump$/.test(f.path) && f.impairment === 'none').slice(0, 20);
    expect(picks.length).toBeGreaterThanOrEqual(19);
    let reads = 0;
    for (const f of picks) {
      const orig = load(f.path);
      for (let k = 0; k < 12; k++) {
        const b = orig.slice(0, k < 6 ? rand(orig.length + 1) : orig.length);
        for (let j = 0; j < 40 && b.length; j++) b[rand(b.length)] = rand(256);
        try {
          const r = readCaptureDetailed(b);
          for (const p of r.packets) expect(p.data.byteOffset + p.data.length).toBeLessThanOrEqual(b.byteOffset + b.length);
          reads++;
        } catch (e) {
          expect((e as { code?: string }).code, `${f.path} #${k}`).toBe('ERR_CAPTURE_FORMAT');
        }
      }
    }
    expect(reads).toBeGreaterThan(50);
  });
});
