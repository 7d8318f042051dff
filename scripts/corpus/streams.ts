/**
 * The corpus' source streams: how GStreamer (or ffmpeg) makes each RTP stream, how GStreamer's
 * own depayloader turns it back into a reference file, and the SDP a WebRTC peer would announce.
 * Every stream is ~3 s, 320x240 @ 30 fps or 48 kHz audio in 20 ms frames, with a fixed SSRC,
 * sequence-number and timestamp offset (some chosen so the 16-bit sequence number or the 32-bit
 * timestamp wraps mid-stream). Encoders run single-threaded (libvpx in "good" mode, not realtime,
 * whose speed adapts to wall time) so regeneration gives byte-identical RTP.
 */

/** One source stream of the corpus. */
export type StreamDef = {
  name: string;
  codec: 'h264' | 'vp8' | 'vp9' | 'opus';
  media: 'video' | 'audio';
  encodingName: string;
  clockRate: number;
  /** Decoded channel count (opus: 1 mono, 2 stereo; video: 0). */
  channels: number;
  payloadType: number;
  ssrc: number;
  source: 'gstreamer' | 'ffmpeg';
  /** Frame duration for pacing video; undefined for audio. */
  frameUs?: number;
  /** gst-launch-1.0 pipeline up to (not including) `rtpstreampay ! filesink`; '' for ffmpeg. */
  gst: string;
  /** Depayloader chain for the reference (after rtpstreamdepay, before matroskamux). */
  depay: string;
  /** Extra caps fields for application/x-rtp-stream when making the reference. */
  extraCaps?: string;
  /** fmtp announced in the SDP (H.264 gets profile-level-id / sprop-parameter-sets added). */
  fmtp: Record<string, string>;
  /** What the stream exercises, for docs/corpus.md and the manifest. */
  notes: string;
};

const VIDEO = 'videotestsrc num-buffers=90 pattern=zone-plate kx2=20 ky2=20 kt=1 ! video/x-raw,width=320,height=240,framerate=30/1';

/**
 * An Opus stream (PT 111, 48 kHz, 20 ms frames): the SDP always says opus/48000/2 (RFC 7587 §7)
 * with the channel count in `stereo`/`sprop-stereo`, which the reference's caps repeat.
 */
function opusStream(o: { name: string; channels: 1 | 2; ssrc: number; gst: string; usedtx?: boolean; notes: string }): StreamDef {
  const stereo = o.channels === 2 ? '1' : '0';
  return {
    name: o.name, codec: 'opus', media: 'audio', encodingName: 'opus', clockRate: 48000, channels: o.channels, payloadType: 111,
    ssrc: o.ssrc, source: 'gstreamer', gst: o.gst, depay: 'rtpopusdepay',
    extraCaps: `encoding-params=(string)2,sprop-stereo=(string)${stereo}`,
    fmtp: { minptime: '10', useinbandfec: '1', ...(o.usedtx ? { usedtx: '1' } : {}), stereo, 'sprop-stereo': stereo },
    notes: o.notes,
  };
}

/** All source streams, in manifest order. */
export const STREAMS: readonly StreamDef[] = [
  {
    name: 'h264-baseline',
    codec: 'h264', media: 'video', encodingName: 'H264', clockRate: 90000, channels: 0, payloadType: 96,
    ssrc: 0x1a2b3c01, source: 'gstreamer', frameUs: 33_333,
    gst: `${VIDEO} ! x264enc threads=1 bframes=0 key-int-max=30 speed-preset=superfast tune=zerolatency bitrate=250 ! video/x-h264,profile=constrained-baseline ! rtph264pay pt=96 mtu=1000 ssrc=0x1a2b3c01 seqnum-offset=65400 timestamp-offset=1000 config-interval=-1 aggregate-mode=zero-latency`,
    depay: 'rtph264depay ! h264parse', fmtp: {},
    notes: 'constrained baseline, FU-A (mtu 1000), SPS+PPS in STAP-A before every IDR (aggregate-mode=zero-latency, config-interval=-1), sequence number wraps',
  },
  {
    name: 'h264-main',
    codec: 'h264', media: 'video', encodingName: 'H264', clockRate: 90000, channels: 0, payloadType: 102,
    ssrc: 0x1a2b3c02, source: 'gstreamer', frameUs: 33_333,
    gst: `${VIDEO} ! x264enc threads=1 bframes=0 key-int-max=30 speed-preset=superfast bitrate=250 ! video/x-h264,profile=main ! rtph264pay pt=102 mtu=1200 ssrc=0x1a2b3c02 seqnum-offset=100 timestamp-offset=4294900000 config-interval=-1 aggregate-mode=max-stap`,
    depay: 'rtph264depay ! h264parse', fmtp: {},
    notes: 'main profile (CABAC), no B-frames, STAP-A max-stap aggregation, mtu 1200, RTP timestamp wraps',
  },
  {
    name: 'h264-high-bframes',
    codec: 'h264', media: 'video', encodingName: 'H264', clockRate: 90000, channels: 0, payloadType: 96,
    ssrc: 0x1a2b3c03, source: 'gstreamer', frameUs: 33_333,
    gst: `${VIDEO} ! x264enc threads=1 bframes=2 b-adapt=false key-int-max=30 speed-preset=superfast bitrate=250 ! video/x-h264,profile=high ! rtph264pay pt=96 mtu=1000 ssrc=0x1a2b3c03 seqnum-offset=2000 timestamp-offset=3000 config-interval=-1 aggregate-mode=zero-latency`,
    depay: 'rtph264depay ! h264parse', fmtp: {},
    notes: 'high profile with 2 B-frames (RTP timestamps are PTS: not monotonic in send order), IDR every 30 frames, FU-A',
  },
  {
    name: 'h264-ffmpeg',
    codec: 'h264', media: 'video', encodingName: 'H264', clockRate: 90000, channels: 0, payloadType: 96,
    ssrc: 0x1a2b3c04, source: 'ffmpeg', frameUs: 33_333,
    gst: '', depay: 'rtph264depay ! h264parse', fmtp: {},
    notes: "ffmpeg's RTP muxer (libx264 main, -g 30, pkt_size 1200), captured live from UDP with real arrival times; its RTCP SR shares the port (RFC 5761 style); ffmpeg's own SDP",
  },
  {
    name: 'vp8',
    codec: 'vp8', media: 'video', encodingName: 'VP8', clockRate: 90000, channels: 0, payloadType: 97,
    ssrc: 0x1a2b3c05, source: 'gstreamer', frameUs: 33_333,
    gst: `${VIDEO} ! vp8enc deadline=100000 cpu-used=8 threads=1 keyframe-max-dist=30 target-bitrate=250000 ! rtpvp8pay pt=97 mtu=1000 picture-id-mode=15-bit picture-id-offset=0 ssrc=0x1a2b3c05 seqnum-offset=65500 timestamp-offset=7000`,
    depay: 'rtpvp8depay', fmtp: {},
    notes: 'VP8, 15-bit PictureID, keyframe every 30 frames, partitions split at mtu 1000, sequence number wraps',
  },
  {
    name: 'vp9',
    codec: 'vp9', media: 'video', encodingName: 'VP9', clockRate: 90000, channels: 0, payloadType: 98,
    ssrc: 0x1a2b3c06, source: 'gstreamer', frameUs: 33_333,
    gst: `${VIDEO} ! vp9enc deadline=100000 cpu-used=8 threads=1 keyframe-max-dist=30 target-bitrate=250000 ! rtpvp9pay pt=98 mtu=1000 picture-id-mode=15-bit ssrc=0x1a2b3c06 seqnum-offset=300 timestamp-offset=9000`,
    depay: 'rtpvp9depay ! vp9parse', fmtp: { 'profile-id': '0' },
    notes: 'VP9 profile 0, non-flexible mode with 15-bit PictureID (rtpvp9pay), keyframe every 30 frames',
  },
  opusStream({
    name: 'opus-mono', channels: 1, ssrc: 0x1a2b3c07,
    gst: 'audiotestsrc num-buffers=150 samplesperbuffer=960 wave=sine freq=440 ! audio/x-raw,rate=48000,channels=1 ! opusenc frame-size=20 bitrate=32000 ! rtpopuspay pt=111 ssrc=0x1a2b3c07 seqnum-offset=10 timestamp-offset=4294960000',
    notes: 'Opus mono 20 ms frames, 32 kbit/s, RTP timestamp wraps after ~0.15 s',
  }),
  opusStream({
    name: 'opus-stereo', channels: 2, ssrc: 0x1a2b3c08,
    gst: 'audiotestsrc num-buffers=150 samplesperbuffer=960 wave=ticks freq=660 ! audio/x-raw,rate=48000,channels=2 ! opusenc frame-size=20 bitrate=64000 ! rtpopuspay pt=111 ssrc=0x1a2b3c08 seqnum-offset=20 timestamp-offset=50000',
    notes: 'Opus stereo 20 ms frames, 64 kbit/s',
  }),
  opusStream({
    name: 'opus-dtx', channels: 1, ssrc: 0x1a2b3c09, usedtx: true,
    // @WAV@ is replaced by a tone/silence WAV that build-corpus.ts makes with ffmpeg first.
    gst: 'filesrc location=@WAV@ ! wavparse ! audioconvert ! audio/x-raw,rate=48000,channels=1 ! opusenc frame-size=20 bitrate=24000 audio-type=voice dtx=true ! rtpopuspay pt=111 dtx=true ssrc=0x1a2b3c09 seqnum-offset=30 timestamp-offset=60000',
    notes: 'Opus mono with DTX: 0.5 s tone / 0.5 s silence; rtpopuspay dtx=true drops the empty DTX frames so RTP timestamps jump over the silences',
  }),
];
