#!/usr/bin/env bash
# Generates the RTP test corpus into test/fixtures/generated (git-ignored; CI regenerates it).
# See docs/corpus.md. Idempotent: skipped when corpus.json carries the hash of this script and
# scripts/corpus/*.ts. Set TE_CORPUS_FORCE=1 to rebuild anyway, TE_CORPUS_DIR to write elsewhere.
#
#   bash scripts/make-corpus.sh        (or: npm run corpus)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${TE_CORPUS_DIR:-$ROOT/test/fixtures/generated}"
MANIFEST="$OUT/corpus.json"

die() { echo "make-corpus: $*" >&2; exit 1; }

HASH="$(cd "$ROOT" && cat scripts/make-corpus.sh $(ls scripts/corpus/*.ts | LC_ALL=C sort) | sha256sum | cut -c1-64)"
if [ -z "${TE_CORPUS_FORCE:-}" ] && [ -f "$MANIFEST" ] && grep -q "\"hash\": \"$HASH\"" "$MANIFEST"; then
  echo "make-corpus: $MANIFEST is up to date ($HASH)"
  exit 0
fi

for tool in gst-launch-1.0 gst-inspect-1.0 ffmpeg ffprobe node; do
  command -v "$tool" >/dev/null 2>&1 || die "required tool '$tool' not found (run scripts/install-system-deps.sh)"
done
[ -x "$ROOT/node_modules/.bin/tsx" ] || die "tsx not installed (run npm install)"
for el in videotestsrc audiotestsrc wavparse audioconvert x264enc vp8enc vp9enc opusenc \
          rtph264pay rtpvp8pay rtpvp9pay rtpopuspay rtpstreampay pcapparse rtpjitterbuffer \
          rtph264depay rtpvp8depay rtpvp9depay rtpopusdepay h264parse vp9parse matroskamux; do
  gst-inspect-1.0 "$el" >/dev/null 2>&1 || die "GStreamer element '$el' missing (gstreamer1.0-plugins-{base,good,bad,ugly})"
done
ENCODERS="$(ffmpeg -hide_banner -encoders 2>/dev/null || true)"
case "$ENCODERS" in *libx264*) ;; *) die "ffmpeg lacks libx264" ;; esac

START=$(date +%s)
"$ROOT/node_modules/.bin/tsx" "$ROOT/scripts/corpus/build-corpus.ts" "$OUT" "$HASH"
echo "make-corpus: done in $(( $(date +%s) - START )) s, $(du -sh "$OUT" | cut -f1)"
