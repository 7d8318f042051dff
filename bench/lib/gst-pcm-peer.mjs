// The peer of the websocket latency scenario: LiveKit egress's audio path (reference
// livekit-track-egress.md §0 fact 1, §4) rebuilt with gst-launch-1.0 —
//   udpsrc (RTP) ! rtpjitterbuffer ! rtpopusdepay ! opusdec ! audiorate ! audioconvert ! audioresample
//     ! S16LE 48 kHz stereo ! audiomixer (+ a silent live audiotestsrc, as LiveKit mixes one in) ! fdsink
// fed the same RTP packets our egress receives (forwarded over UDP from a second subscription), its
// output read from stdout. Two settings:
//   'fast'    rtpjitterbuffer latency 50 ms (our reorderWaitMs), mixer latency 0, sink not synced:
//             the least latency these elements give.
//   'livekit' LiveKit's settings: jitter wait 2 s (latency.jitter_buffer_latency), mixer latency
//             2.75 s (audio_mixer_latency), sink synced to the clock as LiveKit's appsink is.
//             (LiveKit's own jitter buffer is Go code that reports no latency to GStreamer, and it
//             sets the pipeline latency to 3 s, so LiveKit itself lands near 3 s; this model's
//             latency is the sum GStreamer reports, see docs/benchmarks.md.)
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';

const CAPS_OUT = 'audio/x-raw,format=S16LE,rate=48000,channels=2,layout=interleaved';

export const PEER_SETTINGS = {
  fast: { label: 'GStreamer, LiveKit\'s elements, low-latency settings (jitter 50 ms, mixer latency 0, no sync)', jitterMs: 50, mixerNs: 0, sync: false },
  livekit: { label: 'GStreamer, LiveKit\'s elements and latency settings (jitter 2 s, mixer 2.75 s, synced sink)', jitterMs: 2000, mixerNs: 2_750_000_000, sync: true },
};

/** A free UDP port on 127.0.0.1 (bound, read, closed). */
export async function freeUdpPort() {
  const s = createSocket('udp4');
  await new Promise((resolve, reject) => s.bind(0, '127.0.0.1', resolve).once('error', reject));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** gst-launch-1.0 arguments of one peer (one token per argument; gst-launch joins them). */
export function peerArgs(setting, port, payloadType) {
  const s = PEER_SETTINGS[setting];
  return [
    '-q',
    'udpsrc', 'address=127.0.0.1', `port=${port}`, 'buffer-size=1048576',
    `caps=application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=${payloadType}`,
    '!', 'rtpjitterbuffer', `latency=${s.jitterMs}`,
    '!', 'rtpopusdepay', '!', 'opusdec', 'plc=true', '!', 'audiorate',
    '!', 'audioconvert', '!', 'audioresample', '!', CAPS_OUT, '!', 'mix.',
    'audiotestsrc', 'is-live=true', 'wave=silence', '!', CAPS_OUT, '!', 'mix.',
    'audiomixer', 'name=mix', `latency=${s.mixerNs}`, '!', CAPS_OUT,
    '!', 'fdsink', 'fd=1', `sync=${s.sync}`,
  ];
}

/** Starts one peer; `onData(chunk)` gets its PCM. Returns { port, pid, cpuSeconds(), rssMiB(), stderr(), stop() }. */
export async function startPeer(setting, payloadType, onData) {
  const port = await freeUdpPort();
  const child = spawn('gst-launch-1.0', peerArgs(setting, port, payloadType), { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { if (err.length < 4000) err += d; });
  child.stdout.on('data', onData);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const ticks = 100; // USER_HZ on Linux
  return {
    port, pid: child.pid,
    running: () => child.exitCode === null && child.signalCode === null,
    /** user + system CPU seconds so far (/proc/<pid>/stat fields 14, 15). */
    cpuSeconds() {
      try {
        const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return (Number(f[11]) + Number(f[12])) / ticks;
      } catch { return NaN; }
    },
    /** Current and peak RSS, MiB (/proc/<pid>/status VmRSS, VmHWM). */
    rssMiB() {
      try {
        const s = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1]) / 1024;
        return { rss: kb('VmRSS'), peak: kb('VmHWM') };
      } catch { return { rss: NaN, peak: NaN }; }
    },
    stderr: () => err.trim(),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}
