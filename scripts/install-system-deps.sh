#!/usr/bin/env bash
# Installs the Debian packages track-egress needs to build and test, and fetches libopus's source
# package (Debian's `opus`) into $TE_CACHE/opus-src. Idempotent; safe to run on every CI run.
#
#   emscripten             wasm build (Debian's emcc 3.1.6, frozen cache — see wasm/README.md)
#   ffmpeg, gstreamer1.0-* test corpus generation and independent decoding of our outputs
#   mkvtoolnix, opus-tools independent validators (mkvinfo, opusinfo/opusdec)
#   libclang-rt-14-dev     ASan/UBSan/libFuzzer runtime for clang (fuzz targets)
#   tinyproxy              a real HTTP proxy for the S3 proxy test (never started as a service)
#   redis-server           the Redis of the cluster tests (livekit-server's store and psrpc bus);
#                          test/support/redis-server.ts starts private ones, never the service
set -euo pipefail
CACHE="${TE_CACHE:-$HOME/.cache/track-egress}"
mkdir -p "$CACHE"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

# deb-src entry so `apt-get source opus` works (the machine only has binary entries).
if ! grep -rqs "deb-src" /etc/apt/sources.list.d/ /etc/apt/sources.list 2>/dev/null; then
  $SUDO tee /etc/apt/sources.list.d/track-egress-src.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  NEED_UPDATE=1
fi

PKGS=(emscripten ffmpeg mkvtoolnix opus-tools
      gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
      gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
      clang-14 libclang-rt-14-dev dpkg-dev libgtest-dev ninja-build tinyproxy redis-server)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ] || [ -n "${NEED_UPDATE:-}" ]; then
  $SUDO apt-get update -qq
fi
if [ "${#missing[@]}" -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# libopus source from Debian's archive (never committed). Verified against the known orig sha256.
OPUS_DIR="$CACHE/opus-src"
if [ ! -f "$OPUS_DIR/opus_1.3.1.orig.tar.gz" ]; then
  mkdir -p "$OPUS_DIR"
  (cd "$OPUS_DIR" && apt-get source --download-only -qq opus >/dev/null)
fi
echo "65b58e1e25b2a114157014736a3d9dfeaad8d41be1c8179866f144a2fb44ff9d  $OPUS_DIR/opus_1.3.1.orig.tar.gz" | sha256sum -c --quiet
echo "system deps ready; opus source in $OPUS_DIR"
