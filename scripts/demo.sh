#!/usr/bin/env bash
# The main job, end to end on a fresh machine: install and build everything (scripts/bootstrap.sh),
# then
#  1. live: start a local LiveKit server (scripts/livekit-server.sh), publish an Opus tone and VP8 +
#     H.264 camera tracks with @livekit/rtc-node, and record each track with `track-egress record`
#     into ./out/live/ — no transcoding (Opus → Ogg passthrough, VP8 → WebM, H.264 → MP4);
#  2. offline: generate RTP captures with GStreamer and ffmpeg (scripts/make-corpus.sh) and export
#     them with `track-egress convert` into ./out (also Opus → WAV);
# and check every file with ffprobe. (The egress service — EgressInfo, HTTP API, S3 and WebSocket
# sinks — comes with the next issues; `record` is its file path today.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
mkdir -p out/live

printf '\n== live: local LiveKit server → track-egress record → ./out/live\n'
export LK_HTTP_PORT="${LK_HTTP_PORT:-27880}" LK_UDP_PORT="${LK_UDP_PORT:-27882}"
export LK_API_KEY="${LK_API_KEY:-devkey}" LK_API_SECRET="${LK_API_SECRET:-track-egress-dev-secret-0123456789abcdef}"
URL="ws://127.0.0.1:$LK_HTTP_PORT"
bash scripts/livekit-server.sh start
trap 'kill "${PUB_PID:-}" 2>/dev/null || true; bash scripts/livekit-server.sh stop >/dev/null 2>&1 || true' EXIT
node --import tsx scripts/demo-publisher.ts "$URL" "$LK_API_KEY" "$LK_API_SECRET" demo 25 out/live/sids.json \
  >out/live/publisher.log 2>&1 &
PUB_PID=$!
for _ in $(seq 100); do [ -s out/live/sids.json ] && break; sleep 0.2; done
[ -s out/live/sids.json ] || { echo "publisher did not start" >&2; exit 1; }
echo "published: $(cat out/live/sids.json)"
sid() { node -e "console.log(JSON.parse(require('fs').readFileSync('out/live/sids.json','utf8')).$1)"; }
recorders=()
for kind in audio vp8 h264; do
  node dist/cli/main.js record --url "$URL" --api-key "$LK_API_KEY" --api-secret "$LK_API_SECRET" \
    --room demo --track "$(sid $kind)" --duration 8 -o out/live/ &
  recorders+=($!)
done
for p in "${recorders[@]}"; do wait "$p"; done
kill "$PUB_PID" 2>/dev/null || true

bash scripts/make-corpus.sh
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
for f in out/live/*.* out/*.*; do
  case "${f##*.}" in json|log) continue ;; esac
  printf '%-34s %s\n' "$f" "$(ffprobe -v error -show_entries stream=codec_name,width,height,sample_rate,channels:format=duration -of csv=p=0 "$f" | tr '\n' ' ')"
done
