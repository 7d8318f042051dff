#!/usr/bin/env bash
# Makes a fresh machine ready: Debian packages + libopus source (scripts/install-system-deps.sh),
# npm dependencies, and the builds (native addon as a prebuild, wasm, TypeScript). Incremental:
# a second run only rebuilds what changed. Sourced by demo.sh and test-all.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

step "system packages and libopus source"
bash scripts/install-system-deps.sh

if [ ! -d node_modules/cmake-js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi

step "livekit-server (pinned, for the end-to-end tests)"
bash scripts/livekit-server.sh install

step "MinIO (pinned, for the S3 output tests and the demo)"
bash scripts/minio.sh install

step "native addon (cmake-js via prebuildify → prebuilds/linux-x64)"
# prebuildify builds with cmake-js, strips the .node and moves it to prebuilds/, which is what
# users install; node-gyp-build loads it from there (tests run against the shipped artifact).
rm -f build/Release/track_egress.node
npx prebuildify --napi --strip --tag-libc --node-gyp ./scripts/prebuildify-cmake-js.sh
ls -l prebuilds/linux-x64/

step "wasm (Emscripten)"
bash scripts/build-wasm.sh

step "TypeScript"
npx tsc -p tsconfig.json
chmod +x dist/cli/main.js
