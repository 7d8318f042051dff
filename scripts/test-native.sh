#!/usr/bin/env bash
# C++ unit tests under ASan + UBSan, then a short libFuzzer run of every fuzz target (clang-14).
# FUZZ_SECONDS (default 20) bounds each fuzzer. Prints a "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
OPUS_TARBALL="${TE_OPUS_TARBALL:-$HOME/.cache/track-egress/opus-src/opus_1.3.1.orig.tar.gz}"
JOBS="${JOBS:-2}"

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTE_BUILD_TESTS=ON \
  -DTE_SANITIZE=address,undefined -DTE_OPUS_TARBALL="$OPUS_TARBALL" >/dev/null
cmake --build build-asan -j"$JOBS" --target te_tests
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ./build-asan/te_tests --gtest_brief=1 | tee build-asan/te_tests.log
passed=$(grep -oE '\[  PASSED  \] [0-9]+' build-asan/te_tests.log | grep -oE '[0-9]+$' || echo 0)

# The C ABI's exception barrier on WebAssembly: a test-only build of the core (TE_TESTING, with
# te_test_fail_next) linked into a small program (test/native/capi/wasm_barrier_main.cc), run
# under node. The shipped wasm module has no test hook.
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"
emcmake cmake -S . -B build-wasm-test -G Ninja -DCMAKE_BUILD_TYPE=Release -DTE_BUILD_TESTS=ON \
  -DTE_OPUS_TARBALL="$OPUS_TARBALL" >/dev/null
cmake --build build-wasm-test -j"$JOBS" --target te_capi_wasm_test
node build-wasm-test/te_capi_wasm_test.cjs

# Fuzzers: clang with -fsanitize=fuzzer,address,undefined.
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTE_FUZZ=ON \
  -DTE_SANITIZE=fuzzer-no-link,address,undefined -DTE_OPUS_TARBALL="$OPUS_TARBALL" >/dev/null
cmake --build build-fuzz -j"$JOBS"
fuzzed=0
for f in build-fuzz/*_fuzz; do
  [ -f "$f" ] && [ -x "$f" ] || continue # the corpus-<target> dirs match the glob too
  name="$(basename "$f")"
  corpus="build-fuzz/corpus-$name"
  seeds="test/native/fuzz/corpus/$name"
  [ -d "$seeds" ] || { echo "FUZZ: no seed corpus $seeds (see test/native/fuzz/corpus/README.md)"; exit 1; }
  mkdir -p "$corpus"
  # Every crash input ever found (test/native/fuzz/reports/<target>/) must still pass.
  shopt -s nullglob
  reports=(test/native/fuzz/reports/"$name"/*)
  shopt -u nullglob
  if [ ${#reports[@]} -gt 0 ]; then
    "$f" "${reports[@]}" >"$corpus.reports.log" 2>&1 ||
      { echo "FUZZ REGRESSION in $f (a saved report crashes again)"; tail -40 "$corpus.reports.log"; exit 1; }
  fi
  # Starts from the committed seeds (read-only second corpus dir; new inputs go to $corpus).
  "$f" -max_total_time="${FUZZ_SECONDS:-20}" -print_final_stats=0 "$corpus" "$seeds" >"$corpus.log" 2>&1 ||
    { echo "FUZZ FAILURE in $f (save the crash input under test/native/fuzz/reports/$name/)"; tail -40 "$corpus.log"; exit 1; }
  echo "fuzz $name: $(ls "$seeds" | wc -l) seeds, ${#reports[@]} reports replayed, $(grep -oE 'Done [0-9]+ runs' "$corpus.log" || echo 'ran')"
  fuzzed=$((fuzzed + 1))
done

# binding.gyp must build the same sources as CMake (users who build from source use node-gyp):
# build it in a scratch copy, load it, and check it reports the same versions.
scratch=$(mktemp -d)
cp -r native scripts binding.gyp package.json "$scratch"/
ln -s "$PWD/node_modules" "$scratch/node_modules"
# npm's bundled node-gyp (node-gyp@latest needs Node 22); headers from /usr/include/node, offline.
NODE_GYP="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")/node_modules/node-gyp/bin/node-gyp.js"
(cd "$scratch" && node "$NODE_GYP" rebuild --nodedir=/usr -j "$JOBS" >"$scratch/gyp.log" 2>&1) ||
  { echo "node-gyp build failed:"; tail -30 "$scratch/gyp.log"; exit 1; }
node -e "
  const a = require('$scratch/build/Release/track_egress.node');
  const abi = Number(/#define TE_ABI_VERSION (\d+)/.exec(require('fs').readFileSync('native/include/te/te.h', 'utf8'))[1]);
  const version = require('./package.json').version;
  if (a.abiVersion !== abi || a.version !== version || a.opusVersion !== 'libopus 1.3.1') throw new Error('gyp addon: ' + a.abiVersion + ' ' + a.version + ' ' + a.opusVersion);
  const r = new a.Recorder(4, new Float64Array([3, 1]), ''); r.close();
  console.log('binding.gyp build: loads, ' + a.opusVersion);"
rm -rf "$scratch"

echo "native: ${passed} passed, 0 failed (+ ${fuzzed} fuzz targets clean, binding.gyp build loads)"
