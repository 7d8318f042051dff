/**
 * The test receiver (test/support/pcm-receiver.ts) with a plain `ws` client: it records the upgrade
 * request, binary sizes and text in order with their PCM offsets, the Close code and reason; its
 * pause really stops reading (the sender's bufferedAmount grows), and nothing is lost after it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { startPcmReceiver, type PcmReceiver } from '../../support/pcm-receiver.js';

let rx: PcmReceiver | undefined;
afterEach(async () => rx?.close());

const open = (url: string, headers: Record<string, string> = {}) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });

describe('PCM test receiver', () => {
  it('records the upgrade request, messages with offsets, and the Close', async () => {
    rx = await startPcmReceiver();
    const ws = await open(`${rx.url}/stt?token=abc`, { 'Content-Type': 'audio/x-raw' });
    ws.send(Buffer.alloc(1920, 1));
    ws.send('{"muted":true}');
    ws.send(Buffer.alloc(1920, 2));
    ws.send(Buffer.alloc(1920, 3));
    ws.close(1000, 'participant left');
    const conn = await rx.connection();
    expect(await conn.closed).toMatchObject({ code: 1000, reason: 'participant left' });
    expect(conn.url).toBe('/stt?token=abc');
    expect(conn.headers['content-type']).toBe('audio/x-raw');
    expect(conn.messages.map(({ atMs: _a, ...m }) => m)).toEqual([
      { kind: 'binary', size: 1920, offset: 0 },
      { kind: 'text', text: '{"muted":true}', offset: 1920 },
      { kind: 'binary', size: 1920, offset: 1920 },
      { kind: 'binary', size: 1920, offset: 3840 },
    ]);
    expect(conn.pcm()).toEqual(Buffer.concat([Buffer.alloc(1920, 1), Buffer.alloc(1920, 2), Buffer.alloc(1920, 3)]));
    expect(conn.texts()).toEqual(['{"muted":true}']);
  });

  it('pause: the sender backs up while the receiver reads nothing, then everything arrives', async () => {
    rx = await startPcmReceiver({ pauseOnConnectMs: 1500 });
    const ws = await open(rx.url);
    const conn = await rx.connection();
    const chunk = Buffer.alloc(64 * 1024, 7);
    const total = 16 * 1024 * 1024;
    for (let sent = 0; sent < total; sent += chunk.byteLength) ws.send(chunk);
    await new Promise((r) => setTimeout(r, 700));
    // Kernel buffers on loopback take some (a few MB at most); the rest waits in the sender.
    console.log(`paused receiver: ${conn.pcmBytes} B read, sender bufferedAmount ${ws.bufferedAmount} B of ${total}`);
    expect(conn.pcmBytes).toBe(0);
    expect(ws.bufferedAmount).toBeGreaterThan(total / 2);
    await expect.poll(() => conn.pcmBytes, { timeout: 10_000 }).toBe(total);
    conn.close(1001, 'going away');
    await new Promise<void>((r) => ws.once('close', () => r()));
  });
});
