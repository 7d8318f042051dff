#!/usr/bin/env bash
# `go install MODULE@VERSION` into DIR, with modules from the Go module proxy only (GOPROXY's
# "direct" VCS fallback dropped), GOTOOLCHAIN=local (never fetches another Go) and at most 2
# parallel jobs (the machine is shared). Used by livekit-server.sh and minio.sh.
#
#   bash scripts/go-install.sh github.com/minio/minio@v0.0.0-... /path/to/bindir
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 MODULE@VERSION DIR" >&2; exit 2; }
command -v go >/dev/null || { echo "go-install.sh: Go is required (go install $1)" >&2; exit 1; }
proxy="$(go env GOPROXY | tr ',|' '\n\n' | grep -v -x -e direct -e off -e '' | paste -sd, -)"
GOBIN="$2" GOPROXY="${proxy:-https://proxy.golang.org}" GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:-} -p=2" nice go install "$1"
