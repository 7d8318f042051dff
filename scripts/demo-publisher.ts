/**
 * Demo publisher for scripts/demo.sh: joins a room with @livekit/rtc-node (the same publisher the
 * end-to-end tests use, test/support/livekit-publisher.ts) and publishes an Opus tone plus VP8 and
 * H.264 camera tracks with moving pictures, writes their SIDs as JSON to SIDS_FILE (rtc-node logs
 * to stdout, so not there), and keeps publishing until SIGTERM or SECONDS.
 *   node --import tsx scripts/demo-publisher.ts URL API_KEY API_SECRET ROOM SECONDS SIDS_FILE
 */
import { renameSync, writeFileSync } from 'node:fs';

import { connectPublisher, disposeRtc } from '../test/support/livekit-publisher.js';

const [url, apiKey, apiSecret, room, seconds, sidsFile] = process.argv.slice(2);
if (!url || !apiKey || !apiSecret || !room || !sidsFile) {
  console.error('usage: demo-publisher.ts URL API_KEY API_SECRET ROOM SECONDS SIDS_FILE');
  process.exit(2);
}
const httpUrl = url.replace(/^ws/, 'http');
const pub = await connectPublisher({ url, httpUrl, apiKey, apiSecret }, room, 'demo-publisher');
const audio = await pub.publishAudio({ frequency: 440, channels: 2 });
const vp8 = await pub.publishVideo('vp8');
const h264 = await pub.publishVideo('h264');
// Written whole, then renamed: the reader never sees a partial file.
writeFileSync(`${sidsFile}.tmp`, JSON.stringify({ audio: audio.sid, vp8: vp8.sid, h264: h264.sid }));
renameSync(`${sidsFile}.tmp`, sidsFile);

const stop = async () => {
  await pub.disconnect();
  await disposeRtc();
  process.exit(0);
};
process.once('SIGTERM', stop).once('SIGINT', stop);
setTimeout(stop, Number(seconds ?? 30) * 1000);
