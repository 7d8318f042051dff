#!/usr/bin/env bash
# Builds wasm/dist/track_egress.cjs with Debian's Emscripten (3.1.6) from the same CMake tree as
# the addon. See wasm/README.md for the flags and why.
set -euo pipefail
cd "$(dirname "$0")/.."
OPUS_TARBALL="${TE_OPUS_TARBALL:-$HOME/.cache/track-egress/opus-src/opus_1.3.1.orig.tar.gz}"
# Debian's emcc needs acorn from /usr/share/nodejs to link (tools/acorn-optimizer.js).
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"
command -v emcmake >/dev/null || { echo "emcmake not found: run scripts/install-system-deps.sh" >&2; exit 1; }
emcmake cmake -S . -B build-wasm -G Ninja -DCMAKE_BUILD_TYPE=Release -DTE_OPUS_TARBALL="$OPUS_TARBALL" >/dev/null
cmake --build build-wasm -j"${JOBS:-2}" --target track_egress_wasm
ls -l wasm/dist/track_egress.cjs
