/**
 * Tiny UDP capture for the ffmpeg-made stream: binds 127.0.0.1 on a free port, writes the port
 * to `<ready-file>`, records every datagram (RTP and RTCP, which ffmpeg is told to send to the
 * same port — RFC 5761 style) until `idle-ms` pass without traffic after the first one, then
 * writes `<out.rtp>` (RFC 4571 framing) and `<out.arrivals.json>` (µs offsets from the first).
 *
 *   npx tsx scripts/corpus/udp-capture.ts <out.rtp> <ready-file> [idle-ms=1500] [max-ms=20000]
 */
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { writeRfc4571File } from './rfc4571.js';

const [outPath, readyPath, idleText, maxText] = process.argv.slice(2);
if (!outPath || !readyPath) {
  console.error('usage: udp-capture.ts <out.rtp> <ready-file> [idle-ms] [max-ms]');
  process.exit(2);
}
const idleMs = Number(idleText ?? 1500);
const maxMs = Number(maxText ?? 20_000);
const packets: Uint8Array[] = [];
const arrivals: number[] = [];
let t0: bigint | undefined;
let idle: NodeJS.Timeout | undefined;
const sock = createSocket('udp4');
sock.on('message', (msg) => {
  const now = process.hrtime.bigint();
  t0 ??= now;
  packets.push(new Uint8Array(msg));
  arrivals.push(Number((now - t0) / 1000n));
  if (idle) clearTimeout(idle);
  idle = setTimeout(finish, idleMs);
});
const hard = setTimeout(finish, maxMs);
function finish(): void {
  clearTimeout(hard);
  if (idle) clearTimeout(idle);
  sock.close();
  writeRfc4571File(outPath as string, packets);
  writeFileSync((outPath as string).replace(/\.rtp$/, '.arrivals.json'), JSON.stringify(arrivals));
  console.log(`udp-capture: ${packets.length} datagrams`);
  if (packets.length === 0) process.exitCode = 1;
}
sock.bind(0, '127.0.0.1', () => {
  sock.setRecvBufferSize(4 * 1024 * 1024);
  writeFileSync(readyPath, String(sock.address().port));
});
