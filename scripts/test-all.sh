#!/usr/bin/env bash
# `npm test`: everything, from a fresh machine. Bootstraps (system packages, npm ci, native prebuild,
# wasm, tsc), generates the media corpus, runs the C++ tests under ASan/UBSan + fuzz smoke, then
# the whole TypeScript suite once per backend (native, then wasm). Ends with one
# "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/gen-wasm-exports.sh | diff -u wasm/exports.txt - ||
  { echo "wasm/exports.txt is stale: bash scripts/gen-wasm-exports.sh > wasm/exports.txt" >&2; exit 1; }

node scripts/gen-abi.mjs | diff -u src/core/abi.generated.ts - ||
  { echo "src/core/abi.generated.ts is stale: node scripts/gen-abi.mjs > src/core/abi.generated.ts" >&2; exit 1; }

bash scripts/bootstrap.sh
# After the bootstrap: it needs npm's buf/protoc-gen-es and Go's module cache (filled by the
# livekit-server install).
bash scripts/gen-cluster-protos.sh --check
printf '\n== typecheck (src, tests, scripts)\n'
npx tsc -p tsconfig.test.json
printf '\n== media corpus\n'
bash scripts/make-corpus.sh

printf '\n== C++ tests (ASan/UBSan) and fuzzers\n'
bash scripts/test-native.sh | tee /tmp/te-native.log
native_passed=$(grep -oE '^native: [0-9]+ passed' /tmp/te-native.log | grep -oE '[0-9]+')

total_passed=$native_passed
total_failed=0
for backend in native wasm; do
  printf '\n== TypeScript suite, TRACK_EGRESS_BACKEND=%s\n' "$backend"
  report="/tmp/te-vitest-$backend.json"
  set +e
  # What runs once (on native) instead of once per backend:
  #  - test/service/ (the egress service on livekit-server + MinIO, above the Recorder) and
  #    test/cluster/ (psrpc on Redis + livekit-server): the backends' byte-identical output is
  #    asserted by test/unit/core/backend-contract;
  #  - every file that cannot reach the core backend at all (scripts/backend-free-tests.mjs:
  #    its import graph never reaches src/core/load-backend.ts and it starts no Node child), so
  #    TRACK_EGRESS_BACKEND changes nothing in it. The list is computed on each run: a file that
  #    starts using the core runs on both backends again without anyone editing this script.
  exclude=()
  if [ "$backend" != native ]; then
    exclude=(--exclude 'test/service/**' --exclude 'test/cluster/**')
    while IFS= read -r f; do exclude+=(--exclude "$f"); done < <(node scripts/backend-free-tests.mjs)
  fi
  TRACK_EGRESS_BACKEND=$backend npx vitest run "${exclude[@]}" --reporter=default --reporter=json --outputFile="$report"
  status=$?
  set -e
  p=$(node -e "const r=require('$report');console.log(r.numPassedTests)")
  f=$(node -e "const r=require('$report');console.log(r.numFailedTests)")
  s=$(node -e "const r=require('$report');console.log(r.numPendingTests+r.numTodoTests)")
  echo "vitest[$backend]: $p passed, $f failed, $s skipped"
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
  [ $status -eq 0 ] || total_failed=$((total_failed > 0 ? total_failed : 1))
done

echo
echo "${total_passed} passed, ${total_failed} failed"
[ "$total_failed" -eq 0 ]
