#!/usr/bin/env node
// A WebSocket receiver for track-egress's PCM stream (and LiveKit's): writes the audio of each
// connection to a WAV file and prints the mute events and the close code. See docs/websocket-output.md.
//
//   node examples/ws-pcm-receiver.mjs --port 8765 --out call.wav
//   track-egress record --url … --room … --track TR_… -o ws://127.0.0.1:8765/      # in another shell
//
// Options (the stream's format is not announced on the wire: these must match the sender's):
//   --host 127.0.0.1     address to listen on (0.0.0.0 to accept other machines; a container's egress
//                        cannot reach the host's 127.0.0.1)
//   --port 8765          port to listen on (0: any free port, printed at start)
//   --out  out.wav       WAV file of the first connection; later ones get -2, -3 … before the extension
//   --rate 48000         sample rate, Hz (track-egress: --pcm-sample-rate / websocket.sample_rate)
//   --channels 2         1 or 2, interleaved (track-egress: --pcm-channels / websocket.channels)
//   --format s16le       the only sample format either sender uses
//   --once               exit after the first connection has closed (exit code 0 on a 1000 close)
//
// The WAV header is written first with the length unknown and patched with the real length when
// the connection closes, so a file cut short by a crash still plays in most tools. RIFF sizes are
// 32-bit: a recording past 4 GiB (≈ 6.2 h at 48 kHz stereo) keeps streaming to the file but its
// header says 4 GiB.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';

import { WebSocketServer } from 'ws';

const { values: opts } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8765' },
    out: { type: 'string', default: 'out.wav' },
    rate: { type: 'string', default: '48000' },
    channels: { type: 'string', default: '2' },
    format: { type: 'string', default: 's16le' },
    once: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  console.log('usage: node examples/ws-pcm-receiver.mjs [--host H] [--port P] [--out F.wav] [--rate Hz] [--channels 1|2] [--format s16le] [--once]');
  process.exit(0);
}
const rate = Number(opts.rate);
const channels = Number(opts.channels);
if (!Number.isInteger(rate) || rate < 1000 || rate > 384000) fail(`--rate ${opts.rate}: expected a sample rate in Hz`);
if (channels !== 1 && channels !== 2) fail(`--channels ${opts.channels}: expected 1 or 2`);
if (opts.format !== 's16le') fail(`--format ${opts.format}: only s16le (signed 16-bit little-endian) is sent`);
const blockAlign = channels * 2;
const MAX_RIFF_DATA = 0xffffffff - 36;

function fail(msg) {
  console.error(`ws-pcm-receiver: ${msg}`);
  process.exit(2);
}

/** 44-byte canonical WAV header (RIFF/WAVE, fmt PCM 16-bit, data) for `dataBytes` of audio. */
function wavHeader(dataBytes) {
  const h = Buffer.alloc(44);
  const data = Math.min(dataBytes, MAX_RIFF_DATA);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16); // fmt chunk size
  h.writeUInt16LE(1, 20); // WAVE_FORMAT_PCM
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * blockAlign, 28); // byte rate
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(16, 34); // bits per sample
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data, 40);
  return h;
}

/** out.wav, out-2.wav, out-3.wav … */
function outputPath(n) {
  if (n === 1) return opts.out;
  const ext = extname(opts.out);
  return `${opts.out.slice(0, opts.out.length - ext.length)}-${n}${ext || '.wav'}`;
}

const seconds = (bytes) => (bytes / blockAlign / rate).toFixed(3);
let connections = 0;
/** One promise per open connection, settled once its file is finished (header patched). */
const finishing = new Set();

const wss = new WebSocketServer({ host: opts.host, port: Number(opts.port) });
wss.on('listening', () => {
  const { address, port } = wss.address();
  console.log(`listening on ws://${address}:${port}/ — ${opts.format} ${rate} Hz ${channels} ch → ${opts.out}`);
});
wss.on('error', (err) => fail(err.message));

wss.on('connection', (ws, req) => {
  const n = ++connections;
  const path = outputPath(n);
  const tag = `[#${n}]`;
  // The sender names its format only loosely (LiveKit and track-egress: `Content-Type: audio/x-raw`).
  console.log(`${tag} connected from ${req.socket.remoteAddress}, Content-Type: ${req.headers['content-type'] ?? '(none)'} → ${path}`);
  const file = createWriteStream(path);
  file.write(wavHeader(0));
  let bytes = 0;
  let messages = 0;
  let odd = 0;
  let fileError;
  file.on('error', (err) => {
    fileError = err;
    console.error(`${tag} ${path}: ${err.message}`);
    ws.close(1011, 'receiver cannot write');
  });

  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      // track-egress and LiveKit send exactly {"muted":true} / {"muted":false}; print anything else too.
      const text = data.toString('utf8');
      let what = text;
      try {
        const m = JSON.parse(text);
        if (typeof m.muted === 'boolean') what = m.muted ? 'MUTED' : 'UNMUTED';
      } catch {
        /* not JSON: print as is */
      }
      console.log(`${tag} ${what} at ${seconds(bytes)} s of audio (${new Date().toISOString()})  ${text}`);
      return;
    }
    messages++;
    if (data.length % blockAlign !== 0) odd++;
    bytes += data.length;
    if (!fileError) file.write(data);
  });

  let settle;
  const done = new Promise((resolve) => (settle = resolve));
  finishing.add(done);
  ws.on('close', (code, reasonBuf) => {
    finish(code, reasonBuf)
      .catch((err) => console.error(`${tag} ${path}: ${err.message}`))
      .finally(() => {
        finishing.delete(done);
        settle();
      });
  });
  async function finish(code, reasonBuf) {
    const reason = reasonBuf.toString('utf8');
    // 1005: the sender closed without a status (LiveKit always does); 1006: no Close frame at all.
    console.log(`${tag} closed: code ${code}${reason ? ` reason "${reason}"` : ''}${code === 1005 ? ' (no status: LiveKit\'s close)' : code === 1006 ? ' (connection dropped without a Close frame)' : ''}`);
    file.end();
    await once(file, 'close').catch(() => {});
    if (!fileError) {
      const fh = await open(path, 'r+');
      await fh.write(wavHeader(bytes), 0, 44, 0);
      await fh.close();
    }
    console.log(`${tag} wrote ${path}: ${bytes} bytes in ${messages} binary messages = ${seconds(bytes)} s${bytes > MAX_RIFF_DATA ? ' (header capped at 4 GiB)' : ''}`);
    if (odd) console.log(`${tag} warning: ${odd} messages were not a whole number of ${blockAlign}-byte sample frames — are --rate/--channels right?`);
    if (opts.once) {
      wss.close();
      process.exitCode = code === 1000 || code === 1005 ? 0 : 1;
    }
  }
  ws.on('error', (err) => console.error(`${tag} socket error: ${err.message}`));
});

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, async () => {
    // Close every connection with 1001 (the sender's egress then ends FAILED: its receiver went
    // away) and finish their files; a sender that does not answer the Close within 2 s is cut off.
    wss.close();
    for (const c of wss.clients) c.close(1001, 'receiver shutting down');
    setTimeout(() => { for (const c of wss.clients) c.terminate(); }, 2000).unref();
    await Promise.all(finishing);
    process.exit(process.exitCode ?? 0);
  });
}
