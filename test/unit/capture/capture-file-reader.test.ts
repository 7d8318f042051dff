/**
 * The streaming reader (CaptureFileReader) against the one-call readers: wherever the file is cut
 * into chunks, the packets, times, addresses and counters are identical; a truncated or corrupt
 * record stops reading with its byte offset; the file is read with async fs in bounded chunks.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { CaptureFileReader, CaptureFormatError, readCaptureDetailed } from '../../../src/capture/index.js';
import type { ByteSource, CapturedPacket } from '../../../src/capture/index.js';
import { corpusPath, loadCorpus } from '../../support/corpus.js';
import { block, cat, epb, eth, idb, ipv4, pcap, rtp, rtpdump, shb, u16, udp } from './capture-bytes.js';

const A = rtp(97, 10, 0, 0x11);
const B = rtp(111, 20, 960, 0x22, [9, 8, 7, 6, 5, 4, 3, 2, 1]);
const sll2 = (ip: Uint8Array) => cat(u16(0x0800), [0, 0, 0, 0, 0, 1], u16(772), [0, 6], Array<number>(8).fill(0), ip);
const dir = mkdtempSync(join(tmpdir(), 'te-capture-stream-'));

/** Serves `bytes` in reads that end at each of `cuts` (then in pieces of at most `step`). */
function source(bytes: Uint8Array, cuts: number[], step = Infinity): ByteSource {
  let pos = 0;
  return async (into, offset, length) => {
    const cut = cuts.find((c) => c > pos) ?? bytes.length;
    const n = Math.min(length, cut - pos, step, bytes.length - pos);
    into.set(bytes.subarray(pos, pos + n), offset);
    pos += n;
    return n;
  };
}

async function readAll(bytes: Uint8Array, cuts: number[], options: { chunkSize?: number; step?: number } = {}) {
  const r = await CaptureFileReader.fromSource('mem.cap', source(bytes, cuts, options.step), async () => {}, {
    chunkSize: options.chunkSize ?? 7,
  });
  const packets: CapturedPacket[] = [];
  for await (const p of r) packets.push(p);
  return { packets, stats: r.stats, warnings: [...r.warnings], stopped: r.stopped, format: r.format };
}

const shape = (pk: readonly CapturedPacket[]) =>
  pk.map((p) => ({ data: [...p.data], timeUs: p.timeUs, src: p.src, dst: p.dst, srcPort: p.srcPort, dstPort: p.dstPort }));

const pcapFile = pcap(1, [
  { sec: 1, frac: 5, data: eth(ipv4(udp(40000, 5004, A))) },
  { sec: 1, frac: 20_005, data: eth(Uint8Array.of(1, 2, 3), 0x0806) }, // ARP-ish: not IP
  { sec: 1, frac: 40_005, data: eth(ipv4(udp(40000, 5004, B)), 0x0800, 7) },
]);
const pcapngFile = cat(
  shb(),
  idb(1),
  idb(276, { tsresol: 9 }),
  block(4, [0, 0, 0, 0]),
  epb(0, 1_700_000_000_000_001n, eth(ipv4(udp(1, 5004, A)))),
  epb(1, 1_700_000_000_000_002_999n, sll2(ipv4(udp(2, 5006, B)))),
  // A second section (big-endian) with its own interface list.
  shb(false),
  idb(101, { le: false }),
  epb(0, 3n, ipv4(udp(3, 5008, A)), false),
);
const rtpdumpFile = rtpdump('127.0.0.1/5004', 1000, [
  { ms: 0, data: A },
  { ms: 20, data: B },
  { ms: 40, data: A },
]);

describe('CaptureFileReader (streaming)', () => {
  for (const [name, file, count] of [
    ['pcap', pcapFile, 2],
    ['pcapng (two sections, three interfaces, skipped blocks)', pcapngFile, 3],
    ['rtpdump', rtpdumpFile, 3],
  ] as const) {
    it(`${name}: a chunk boundary at every offset gives the same packets as the whole file`, async () => {
      const whole = readCaptureDetailed(file);
      expect(whole.packets).toHaveLength(count);
      for (let cut = 1; cut < file.length; cut++) {
        const r = await readAll(file, [cut]);
        expect(shape(r.packets), `cut at ${cut}`).toEqual(shape(whole.packets));
        expect(r.stats, `cut at ${cut}`).toEqual(whole.stats);
        expect(r.format).toBe(whole.format);
      }
      // One byte per read, and one-byte chunks.
      expect(shape((await readAll(file, [], { step: 1, chunkSize: 1 })).packets)).toEqual(shape(whole.packets));
    });

    it(`${name}: a file cut anywhere stops at the cut record with its byte offset, keeping the packets before it`, async () => {
      for (let len = 30; len < file.length; len++) {
        const part = file.subarray(0, len);
        let sync;
        try {
          sync = readCaptureDetailed(part);
        } catch (err) {
          // Cut inside the file header: the streaming reader throws the same error.
          expect(err).toBeInstanceOf(CaptureFormatError);
          await expect(readAll(part, [len >> 1])).rejects.toThrow((err as Error).message);
          continue;
        }
        const r = await readAll(part, [len >> 1]);
        expect(shape(r.packets)).toEqual(shape(sync.packets));
        expect(r.warnings).toEqual(sync.warnings);
        if (r.stopped) {
          expect(r.stopped.message).toMatch(new RegExp(`at byte ${r.stopped.offset}\\b.*truncated`));
          expect(r.stopped.offset).toBeLessThan(len);
        }
      }
    });
  }

  it('names the record that runs past the end of the file: offset, announced and remaining bytes', async () => {
    const cut = pcapFile.subarray(0, pcapFile.length - 10);
    const r = await readAll(cut, []);
    const lastRecord = 24 + (16 + eth(ipv4(udp(40000, 5004, A))).length) + (16 + 17);
    expect(r.stopped).toEqual({
      offset: lastRecord,
      message: `pcap record at byte ${lastRecord} truncated (${cut.length - lastRecord - 16 + 10} bytes announced, ${cut.length - lastRecord - 16} left)`,
    });
    expect(r.packets).toHaveLength(1);
  });

  it('refuses a corrupt record length instead of buffering the rest of the file', async () => {
    const bad = Uint8Array.from(pcapFile);
    new DataView(bad.buffer).setUint32(24 + 8, 0xfffffff0, true);
    const r = await readAll(bad, []);
    expect(r.packets).toHaveLength(0);
    expect(r.stopped?.message).toMatch(/pcap record at byte 24 announces 4294967280 bytes.*corrupt/);
  });

  it('reads a real file with async fs in bounded chunks and names it in format errors', async () => {
    const corpus = loadCorpus();
    const f = corpus.files.find((x) => x.name === 'h264-ffmpeg.vlan-be')!;
    const whole = readCaptureDetailed((await import('node:fs')).readFileSync(corpusPath(f.path)));
    const reader = await CaptureFileReader.open(corpusPath(f.path), { chunkSize: 4096 });
    const got: CapturedPacket[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for await (const p of reader) {
      got.push(p);
      buffers.add(p.data.buffer);
    }
    expect(shape(got)).toEqual(shape(whole.packets));
    for (const b of buffers) expect(b.byteLength).toBeLessThanOrEqual(4096);
    expect(buffers.size).toBeGreaterThan(10);

    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, 'hello world, not a capture');
    await expect(CaptureFileReader.open(junk)).rejects.toThrow(`${junk}: unknown capture format (first bytes: 68 65 6c 6c)`);
    const short = join(dir, 'short.pcap');
    writeFileSync(short, pcapFile.subarray(0, 20));
    const r = await CaptureFileReader.open(short);
    await expect(async () => {
      for await (const _ of r) void _;
    }).rejects.toThrow(`${short}: pcap file header truncated (20 of 24 bytes)`);
  });

  it('is iterated once', async () => {
    const r = await CaptureFileReader.fromSource('x', source(pcapFile, []), async () => {});
    for await (const _ of r) void _;
    await expect(async () => {
      for await (const _ of r) void _;
    }).rejects.toThrow(/iterated once/);
  });
});
