#!/usr/bin/env bash
# The main demo (`npm run demo`), on a fresh machine: install and build everything
# (scripts/bootstrap.sh: system packages, npm ci, livekit-server, MinIO, native addon, wasm, TS),
# then scripts/demo.ts: a local livekit-server and MinIO, `track-egress serve`, a publisher with an
# H.264 and an Opus track, and LiveKit's own `EgressClient.startTrackEgress` for both into
# ./recordings and for the H.264 track into MinIO; ~10 s later stopEgress, each EgressInfo
# (status, file_results), where the files are, and ffprobe of each; then everything is stopped.
# Idempotent: a second run only rebuilds what changed and adds new timestamped recordings.
#   bash scripts/demo.sh [SECONDS] [--cluster]      (default 10; --cluster: the production way, with
#                                                   Redis and serve as a worker of the livekit-server)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
[ -x "${TE_CACHE:-$HOME/.cache/track-egress}/bin/minio" ] || bash scripts/minio.sh install
exec node --import tsx scripts/demo.ts "$@"
