// Peer pipelines built from JS/wasm packages, each the shortest correct glue a user would write:
// werift parses and depacketizes RTP into frames, a JS muxer writes the container, and a
// counting sink stands in for the file/socket (so no peer pays for a growing output buffer).
//
// Frame assembly follows werift's own depacketizer: gather a frame's packets until the marker
// bit (or a timestamp change), then dePacketizeRtpPackets(). Input is in order and loss-free, so
// no jitter buffer is needed here (ours still runs its reorder buffer: a cost only ours pays).
import { RtpPacket, OpusRtpPayload, dePacketizeRtpPackets } from 'werift';
import {
  Output, Mp4OutputFormat, WebMOutputFormat, OggOutputFormat, StreamTarget,
  EncodedPacket, EncodedVideoPacketSource, EncodedAudioPacketSource,
} from 'mediabunny';
import * as mp4muxer from 'mp4-muxer';
import * as webmmuxer from 'webm-muxer';
import OpusScript from 'opusscript';
import { OpusDecoder } from 'opus-decoder';
import { rtpFields } from './input.mjs';

const WERIFT_CODEC = { h264: 'MPEG4/ISO/AVC', vp8: 'VP8', opus: 'OPUS' };

/**
 * werift: RTP bytes → RtpPacket → frames. push() returns the frames completed by this packet
 * (usually 0 or 1) as {data, key, ts}, ts being the RTP timestamp unwrapped past 2^32.
 */
class WeriftFramer {
  constructor(codec) {
    this.name = WERIFT_CODEC[codec];
    this.perPacket = codec === 'opus';
    this.group = [];
    this.groupTs = -1;
    this.lastTs = -1;
    this.ext = 0;
  }
  push(buf) {
    const rtp = RtpPacket.deSerialize(buf);
    const ts = rtp.header.timestamp;
    const out = [];
    if (ts !== this.groupTs && this.group.length > 0) this.flush(out);
    if (this.lastTs >= 0) this.ext += (ts - this.lastTs) | 0; // signed 32-bit step: handles wraps
    this.lastTs = ts;
    this.groupTs = ts;
    this.group.push(rtp);
    if (rtp.header.marker || this.perPacket) this.flush(out);
    return out;
  }
  end() {
    const out = [];
    this.flush(out);
    return out;
  }
  flush(out) {
    if (this.group.length === 0) return;
    const f = dePacketizeRtpPackets(this.name, this.group);
    this.group = [];
    if (f.data.length > 0) out.push({ data: f.data, key: f.isKeyframe, ts: this.ext });
  }
}

function depacketizeWithWerift(codec, packets, onFrame) {
  const framer = new WeriftFramer(codec);
  for (let i = 0; i < packets.length; i++) for (const f of framer.push(packets[i].buf)) onFrame(f.data, f.key, f.ts);
  for (const f of framer.end()) onFrame(f.data, f.key, f.ts);
}

/** Holds one frame back so each frame gets its real duration (next timestamp − this one). */
function withDurations(onFrame, defaultTicks) {
  let prev;
  let lastDur = defaultTicks;
  return {
    push(data, key, ts) {
      if (prev) {
        lastDur = ts - prev.ts > 0 ? ts - prev.ts : lastDur;
        onFrame(prev.data, prev.key, prev.ts, lastDur);
      }
      prev = { data, key, ts };
    },
    end() {
      if (prev) onFrame(prev.data, prev.key, prev.ts, lastDur);
      prev = undefined;
    },
  };
}

// --- H.264 helpers (werift gives Annex B with 4-byte start codes) ---------------------------------

function annexBNalus(buf) {
  const out = [];
  let start = -1;
  for (let i = 0; i + 3 < buf.length; i++) {
    if (buf[i] === 0 && buf[i + 1] === 0 && (buf[i + 2] === 1 || (buf[i + 2] === 0 && buf[i + 3] === 1))) {
      if (start >= 0) out.push(buf.subarray(start, i));
      i += buf[i + 2] === 1 ? 2 : 3;
      start = i + 1;
    }
  }
  if (start >= 0 && start < buf.length) out.push(buf.subarray(start));
  return out;
}

function h264CodecString(annexB) {
  const sps = annexBNalus(annexB).find((n) => (n[0] & 0x1f) === 7);
  if (!sps) return undefined;
  return 'avc1.' + [sps[1], sps[2], sps[3]].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** AVCDecoderConfigurationRecord from the first SPS/PPS (what mp4-muxer needs as description). */
function avcC(annexB) {
  const nalus = annexBNalus(annexB);
  const sps = nalus.find((n) => (n[0] & 0x1f) === 7);
  const pps = nalus.find((n) => (n[0] & 0x1f) === 8);
  if (!sps || !pps) return undefined;
  const out = new Uint8Array(11 + sps.length + pps.length);
  out.set([1, sps[1], sps[2], sps[3], 0xff, 0xe1, sps.length >> 8, sps.length & 0xff]);
  out.set(sps, 8);
  out.set([1, pps.length >> 8, pps.length & 0xff], 8 + sps.length);
  out.set(pps, 11 + sps.length);
  return out;
}

/** Annex B → AVCC (4-byte lengths): one copy per frame, which mp4-muxer requires. */
function annexBToAvcc(annexB) {
  const nalus = annexBNalus(annexB);
  let size = 0;
  for (const n of nalus) size += 4 + n.length;
  const out = new Uint8Array(size);
  let o = 0;
  for (const n of nalus) {
    out[o] = n.length >>> 24; out[o + 1] = (n.length >>> 16) & 0xff; out[o + 2] = (n.length >>> 8) & 0xff; out[o + 3] = n.length & 0xff;
    out.set(n, o + 4);
    o += 4 + n.length;
  }
  return out;
}

// --- mediabunny (async API: every add() is awaited, as its docs ask for back-pressure) ------------

function countingStreamTarget() {
  const counter = { bytes: 0 };
  const writable = new WritableStream({ write(chunk) { counter.bytes += chunk.data.byteLength; } });
  return { target: new StreamTarget(writable), counter };
}

export async function mediabunnyPeer(codec, packets, video) {
  const { target, counter } = countingStreamTarget();
  const format =
    codec === 'h264' ? new Mp4OutputFormat({ fastStart: 'fragmented', minimumFragmentDuration: 2 })
    : codec === 'vp8' ? new WebMOutputFormat({ appendOnly: true, minimumClusterDuration: 2 })
    : new OggOutputFormat();
  const output = new Output({ format, target });
  const clock = codec === 'opus' ? 48000 : 90000;
  const source = codec === 'opus' ? new EncodedAudioPacketSource('opus') : new EncodedVideoPacketSource(codec === 'h264' ? 'avc' : 'vp8');
  if (codec === 'opus') output.addAudioTrack(source);
  else output.addVideoTrack(source, { frameRate: 30 });
  await output.start();

  // A streaming loop: each completed frame is awaited into the muxer before the next packet.
  const ready = [];
  const hold = withDurations((data, key, ts, dur) => ready.push({ data, key, ts, dur }), codec === 'opus' ? 960 : 3000);
  const framer = new WeriftFramer(codec);
  let first = -1;
  let n = 0;
  const drain = async () => {
    for (let i = 0; i < ready.length; i++) {
      const f = ready[i];
      let meta;
      if (first < 0) {
        first = f.ts;
        meta = codec === 'opus'
          ? { decoderConfig: { codec: 'opus', numberOfChannels: 2, sampleRate: 48000, description: OpusRtpPayload.createCodecPrivate(48000) } }
          : { decoderConfig: { codec: codec === 'h264' ? h264CodecString(f.data) : 'vp8', codedWidth: video.width, codedHeight: video.height } };
      }
      n++;
      await source.add(new EncodedPacket(f.data, f.key ? 'key' : 'delta', (f.ts - first) / clock, f.dur / clock), meta);
    }
    ready.length = 0;
  };
  for (let i = 0; i < packets.length; i++) {
    const frames = framer.push(packets[i].buf);
    if (frames.length === 0) continue;
    for (const f of frames) hold.push(f.data, f.key, f.ts);
    await drain();
  }
  for (const f of framer.end()) hold.push(f.data, f.key, f.ts);
  hold.end();
  await drain();
  await output.finalize();
  return { outBytes: counter.bytes, detail: `${n} frames` };
}


// --- mp4-muxer / webm-muxer (synchronous APIs) ---------------------------------------------------

export function mp4MuxerPeer(packets, video) {
  let bytes = 0;
  const muxer = new mp4muxer.Muxer({
    target: new mp4muxer.StreamTarget({ onData: (d, _position) => { bytes += d.byteLength; } }),
    video: { codec: 'avc', width: video.width, height: video.height },
    fastStart: 'fragmented',
    minFragmentDuration: 2,
    firstTimestampBehavior: 'offset',
  });
  let n = 0;
  let first = -1;
  const hold = withDurations((data, key, ts, dur) => {
    if (first < 0) first = ts;
    const meta = n++ === 0 ? { decoderConfig: { codec: h264CodecString(data), codedWidth: video.width, codedHeight: video.height, description: avcC(data) } } : undefined;
    muxer.addVideoChunkRaw(annexBToAvcc(data), key ? 'key' : 'delta', ((ts - first) * 1e6) / 90000, (dur * 1e6) / 90000, meta);
  }, 3000);
  depacketizeWithWerift('h264', packets, (data, key, ts) => hold.push(data, key, ts));
  hold.end();
  muxer.finalize();
  return { outBytes: bytes, detail: `${n} frames` };
}

export function webmMuxerPeer(packets, video) {
  let bytes = 0;
  const muxer = new webmmuxer.Muxer({
    target: new webmmuxer.StreamTarget({ onData: (d, _position) => { bytes += d.byteLength; } }),
    video: { codec: 'V_VP8', width: video.width, height: video.height, frameRate: 30 },
    streaming: true,
    firstTimestampBehavior: 'offset',
  });
  let n = 0;
  let first = -1;
  depacketizeWithWerift('vp8', packets, (data, key, ts) => {
    if (first < 0) first = ts;
    muxer.addVideoChunkRaw(data, key ? 'key' : 'delta', ((ts - first) * 1e6) / 90000);
    n++;
  });
  muxer.finalize();
  return { outBytes: bytes, detail: `${n} frames` };
}

// --- Opus → PCM s16le 48 kHz stereo --------------------------------------------------------------

/** opusscript (libopus via Emscripten): decode() returns interleaved s16 already. */
export function makeOpusscript() {
  return (packets) => {
    const dec = new OpusScript(48000, 2, OpusScript.Application.AUDIO);
    let bytes = 0;
    try {
      for (const p of packets) {
        const f = rtpFields(p.buf);
        const pcm = dec.decode(p.buf.subarray(f.payloadOffset, f.payloadEnd));
        bytes += pcm.byteLength;
      }
    } finally {
      dec.delete();
    }
    return { outBytes: bytes, detail: `${bytes / 4} frames/ch` };
  };
}

/** opus-decoder (libopus wasm, float planar out): converted to interleaved s16 like ours. */
export async function makeOpusDecoder() {
  const probe = new OpusDecoder({ channels: 2, sampleRate: 48000 });
  await probe.ready; // compile the wasm once, outside the timed loop
  probe.free();
  return async (packets) => {
    const dec = new OpusDecoder({ channels: 2, sampleRate: 48000, preSkip: 0 });
    await dec.ready;
    let bytes = 0;
    try {
      for (const p of packets) {
        const f = rtpFields(p.buf);
        const { channelData, samplesDecoded } = dec.decodeFrame(p.buf.subarray(f.payloadOffset, f.payloadEnd));
        const l = channelData[0];
        const r = channelData[1] ?? l;
        const out = new Int16Array(samplesDecoded * 2);
        for (let i = 0; i < samplesDecoded; i++) {
          const a = l[i], b = r[i];
          out[2 * i] = a >= 1 ? 32767 : a <= -1 ? -32768 : Math.round(a * 32767);
          out[2 * i + 1] = b >= 1 ? 32767 : b <= -1 ? -32768 : Math.round(b * 32767);
        }
        bytes += out.byteLength;
      }
    } finally {
      dec.free();
    }
    return { outBytes: bytes, detail: `${bytes / 4} frames/ch` };
  };
}
