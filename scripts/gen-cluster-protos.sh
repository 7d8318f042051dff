#!/usr/bin/env bash
# Regenerates src/cluster/gen/ (committed) from the upstream .proto files that the pinned
# livekit-server (v1.13.5) is built with:
#
#   github.com/livekit/psrpc    v0.7.2                                  internal/internal.proto
#   github.com/livekit/protocol v1.50.5-0.20260728075222-28e604c046c6  protobufs/rpc/egress.proto
#
# Both versions are the ones livekit-server v1.13.5's go.mod requires; the script checks that
# against that go.mod when it is in the Go module cache. The modules come from the Go module cache
# (`go mod download`, i.e. the Go module proxy, fetches them if missing). The compiler is the npm
# package @bufbuild/buf, the generator @bufbuild/protoc-gen-es 1.10.1 (pinned: its version is
# written into the output) — the generation that matches the @bufbuild/protobuf v1 runtime
# @livekit/protocol 1.51.0 is built on, so the generated rpc
# messages embed @livekit/protocol's own classes (imports of livekit_*.proto are rewritten to
# "@livekit/protocol"; google/protobuf/* to "@bufbuild/protobuf").
#
#   bash scripts/gen-cluster-protos.sh            # writes src/cluster/gen/
#   bash scripts/gen-cluster-protos.sh --check    # exit 1 if src/cluster/gen/ is stale (npm test)
set -euo pipefail
cd "$(dirname "$0")/.."

PSRPC_MODULE=github.com/livekit/psrpc
PSRPC_VERSION=v0.7.2
PROTOCOL_MODULE=github.com/livekit/protocol
PROTOCOL_VERSION=v1.50.5-0.20260728075222-28e604c046c6
LIVEKIT_SERVER_MODULE=github.com/livekit/livekit-server
LIVEKIT_SERVER_VERSION=v1.13.5
OUT=src/cluster/gen

die() { echo "gen-cluster-protos.sh: $*" >&2; exit 1; }
command -v go >/dev/null || die "Go is required (to locate the upstream modules)"
[ -x node_modules/.bin/buf ] && [ -x node_modules/.bin/protoc-gen-es ] ||
  die "node_modules/.bin/buf or protoc-gen-es missing: run npm ci"

proxy="$(go env GOPROXY | tr ',|' '\n\n' | grep -v -x -e direct -e off -e '' | paste -sd, -)"
# Directory of MODULE@VERSION in the module cache, downloading it if needed.
module_dir() {
  local dir
  dir="$(go env GOMODCACHE)/$(echo "$1" | sed 's/[A-Z]/!\L&/g')@$2"
  if [ ! -d "$dir" ]; then
    dir="$(cd /tmp && GOFLAGS=-mod=mod GOPROXY="${proxy:-https://proxy.golang.org}" GOTOOLCHAIN=local \
      go mod download -json "$1@$2" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  fi
  [ -d "$dir" ] || die "could not locate $1@$2"
  echo "$dir"
}

PSRPC_DIR="$(module_dir "$PSRPC_MODULE" "$PSRPC_VERSION")"
PROTOCOL_DIR="$(module_dir "$PROTOCOL_MODULE" "$PROTOCOL_VERSION")"
lk_mod="$(go env GOMODCACHE)/cache/download/$LIVEKIT_SERVER_MODULE/@v/$LIVEKIT_SERVER_VERSION.mod"
if [ -f "$lk_mod" ]; then
  grep -q "^[[:space:]]*$PSRPC_MODULE $PSRPC_VERSION\$" "$lk_mod" &&
    grep -q "^[[:space:]]*$PROTOCOL_MODULE $PROTOCOL_VERSION\$" "$lk_mod" ||
    die "livekit-server $LIVEKIT_SERVER_VERSION's go.mod requires other psrpc/protocol versions than this script's"
fi

# A throwaway proto root laid out as the files import each other: rpc/egress.proto imports
# "options.proto" (psrpc), "logger/options.proto" and "livekit_egress.proto" (protocol).
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/proto/rpc" "$work/proto/logger" "$work/out"
cp "$PSRPC_DIR/internal/internal.proto" "$work/proto/internal.proto"
cp "$PSRPC_DIR/protoc-gen-psrpc/options/options.proto" "$work/proto/options.proto"
cp "$PROTOCOL_DIR"/protobufs/livekit_*.proto "$work/proto/"
cp "$PROTOCOL_DIR/protobufs/logger/options.proto" "$work/proto/logger/options.proto"
cp "$PROTOCOL_DIR/protobufs/rpc/egress.proto" "$work/proto/rpc/egress.proto"
chmod -R u+w "$work/proto"
printf 'version: v2\n' >"$work/proto/buf.yaml"

template="$(cat <<JSON
{"version":"v2","plugins":[{"local":"$PWD/node_modules/.bin/protoc-gen-es","out":"$work/out",
 "opt":["target=ts","import_extension=.js","rewrite_imports=./livekit_*_pb.js:@livekit/protocol"]}]}
JSON
)"
(cd "$work/proto" && "$OLDPWD/node_modules/.bin/buf" generate --template "$template" \
  --path internal.proto --path rpc/egress.proto)
# @livekit/protocol exports everything from its package root only ("exports": {".": …}), and
# protoc-gen-es 1.x's rewrite_imports keeps the file name ("@livekit/protocol/livekit_egress_pb.js").
# Cut it back to the package root; fail if the generator's output ever stops matching.
grep -q '"@livekit/protocol/livekit_[a-z_]*_pb.js"' "$work/out/rpc/egress_pb.ts" ||
  die "unexpected protoc-gen-es output: no @livekit/protocol import in rpc/egress_pb.ts"
sed -i 's#"@livekit/protocol/livekit_[a-z_]*_pb\.js"#"@livekit/protocol"#' "$work/out/rpc/egress_pb.ts"

# Field tables of every message in the upstream livekit_egress.proto, so that a unit test can hold
# them against @livekit/protocol's runtime classes (version skew between the npm package and the
# server's protocol module: test/unit/cluster/upstream-fields.test.ts).
(cd "$work/proto" && "$OLDPWD/node_modules/.bin/buf" build --path livekit_egress.proto -o "$work/image.json")
node - "$work/image.json" "$work/out/livekit-egress-fields.ts" <<'NODE'
const fs = require('node:fs');
const [image, out] = process.argv.slice(2);
const file = JSON.parse(fs.readFileSync(image, 'utf8')).file.find((f) => f.name === 'livekit_egress.proto');
const rows = [];
const walk = (messages, prefix) => {
  for (const m of messages ?? []) {
    const name = `${prefix}.${m.name}`;
    if (m.options?.mapEntry) continue;
    const fields = (m.field ?? []).map((f) => `[${f.number}, '${f.name}']`).join(', ');
    rows.push(`  '${name}': [${fields}],`);
    walk(m.nestedType, name);
  }
};
walk(file.messageType, file.package);
fs.writeFileSync(out, `// @generated by scripts/gen-cluster-protos.sh — do not edit.
// [number, name] of every field of every message in livekit_egress.proto of the protocol module
// in UPSTREAM_VERSIONS (the one livekit-server is built with).
export const UPSTREAM_EGRESS_FIELDS: Record<string, readonly (readonly [number, string])[]> = {
${rows.join('\n')}
};
`);
NODE

cat >"$work/out/versions.ts" <<TS
// @generated by scripts/gen-cluster-protos.sh — do not edit.
// The upstream versions the messages in this directory were generated from: the psrpc and
// protocol modules livekit-server $LIVEKIT_SERVER_VERSION's go.mod requires.
export const UPSTREAM_VERSIONS = {
  livekitServer: '$LIVEKIT_SERVER_VERSION',
  psrpc: '$PSRPC_VERSION',
  protocol: '$PROTOCOL_VERSION',
} as const;
TS

if [ "${1:-}" = "--check" ]; then
  diff -ru "$OUT" "$work/out" ||
    die "$OUT is stale: bash scripts/gen-cluster-protos.sh"
else
  rm -rf "$OUT"
  mkdir -p "$OUT"
  cp -r "$work/out/." "$OUT/"
  echo "generated $(cd "$OUT" && find . -name '*.ts' | sort | tr '\n' ' ')"
fi
