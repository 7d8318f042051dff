#!/usr/bin/env bash
# A pinned MinIO (S3-compatible server) for the S3 output tests and the demo.
#
#   bash scripts/minio.sh install   # go install github.com/minio/minio@<pinned> into $TE_CACHE/bin/minio
#   bash scripts/minio.sh path      # prints the binary's path (fails if not installed)
#
# The tests start their own server on free loopback ports in a temp dir (test/support/minio.ts).
# Building takes about 4 min on 2 cores and gives a ~150 MB binary; a second install is a no-op.
#
# Environment (optional): TE_CACHE  cache root (default ~/.cache/track-egress)
set -euo pipefail

MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
MINIO_MODULE="github.com/minio/minio"
CACHE="${TE_CACHE:-$HOME/.cache/track-egress}"
BIN_DIR="$CACHE/bin"
BIN="$BIN_DIR/minio"

die() { echo "minio.sh: $*" >&2; exit 1; }

# MinIO built from a pseudo-version reports "DEVELOPMENT.GOGET"; the module version is in the build info.
installed() { [ -x "$BIN" ] && go version -m "$BIN" 2>/dev/null | grep -q "^\s*mod\s\+$MINIO_MODULE\s\+$MINIO_VERSION\b"; }

cmd_install() {
  if installed; then
    echo "minio $MINIO_VERSION already installed: $BIN"
    return 0
  fi
  mkdir -p "$BIN_DIR"
  local tmp
  tmp="$(mktemp -d "$BIN_DIR/.minio-build.XXXXXX")"
  trap 'rm -rf "$tmp"' RETURN
  echo "building minio $MINIO_VERSION (about 4 min on first run)"
  bash "$(dirname "$0")/go-install.sh" "$MINIO_MODULE@$MINIO_VERSION" "$tmp"
  [ -x "$tmp/minio" ] || die "go install produced no binary in $tmp"
  mv -f "$tmp/minio" "$BIN"
  installed || die "built binary does not report module version $MINIO_VERSION ($(go version -m "$BIN" | sed -n 3p))"
  echo "installed $BIN"
}

cmd_path() { installed || die "not installed; run: bash scripts/minio.sh install"; echo "$BIN"; }

case "${1:-}" in
  install) cmd_install ;;
  path) cmd_path ;;
  *) echo "usage: $0 install|path" >&2; exit 2 ;;
esac
