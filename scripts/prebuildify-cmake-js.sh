#!/usr/bin/env bash
# prebuildify only knows node-gyp's command line; this shim maps it onto cmake-js so the prebuild is
# the same CMake build as `npm run build:native`. prebuildify then strips build/Release/*.node and
# moves it to prebuilds/linux-x64/track-egress.glibc.node.
set -euo pipefail
cd "$(dirname "$0")/.."
args=(rebuild -p "${JOBS:-2}")
for a in "$@"; do
  case "$a" in
    --arch=*) args+=(--arch "${a#--arch=}") ;;
    --debug) args+=(--debug) ;;
  esac
done
exec npx cmake-js "${args[@]}" --CDTE_OPUS_TARBALL="${TE_OPUS_TARBALL:-$HOME/.cache/track-egress/opus-src/opus_1.3.1.orig.tar.gz}"
