#!/usr/bin/env bash
# The main job, end to end on a fresh machine: install and build everything (scripts/bootstrap.sh),
# generate RTP captures with GStreamer and ffmpeg (scripts/make-corpus.sh), and export each track
# with `track-egress convert` into ./out — H.264 → MP4, VP8/VP9 → WebM, Opus → Ogg (passthrough)
# and Opus → WAV — then check every file with ffprobe.
# (When the LiveKit egress layer lands, this becomes an egress from a local LiveKit server.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/make-corpus.sh
mkdir -p out
C=test/fixtures/generated
convert() { node dist/cli/main.js convert "$@"; }
printf '\n== track-egress convert → ./out\n'
convert $C/captures/h264-high-bframes.pcap --sdp $C/streams/h264-high-bframes.sdp -o out/h264-high-bframes.mp4
convert $C/captures/h264-ffmpeg.pcap --sdp $C/streams/h264-ffmpeg.sdp --streaming -o out/h264-ffmpeg.fragmented.mp4
convert $C/captures/vp8.pcap --sdp $C/streams/vp8.sdp -o out/vp8.webm
convert $C/captures/vp9.pcap --sdp $C/streams/vp9.sdp -o out/vp9.webm
convert $C/captures/opus-stereo.pcap --sdp $C/streams/opus-stereo.sdp -o out/opus-stereo.ogg
convert $C/captures/opus-dtx.pcap --sdp $C/streams/opus-dtx.sdp -o out/opus-dtx.ogg
convert $C/captures/opus-stereo.pcap --sdp $C/streams/opus-stereo.sdp -o out/opus-stereo-16k-mono.wav --sample-rate 16000 --channels 1
convert $C/captures/h264-baseline.loss.pcap --sdp $C/streams/h264-baseline.sdp -o out/h264-baseline.loss.mp4
printf '\n== ffprobe of ./out\n'
for f in out/*; do
  printf '%-34s %s\n' "$f" "$(ffprobe -v error -show_entries stream=codec_name,width,height,sample_rate,channels:format=duration -of csv=p=0 "$f" | tr '\n' ' ')"
done
