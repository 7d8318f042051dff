#!/usr/bin/env bash
# Prints the EXPORTED_FUNCTIONS of the wasm build (wasm/exports.txt) from the C ABI header, so the
# wasm exports can never drift from te.h. scripts/test-all.sh fails if the file is out of date:
#   bash scripts/gen-wasm-exports.sh > wasm/exports.txt
set -euo pipefail
cd "$(dirname "$0")/.."
grep -E "^[a-z_0-9 *]+\bte_[a-z_0-9]+\(" native/include/te/te.h | grep -oE "te_[a-z_0-9]+\(" | tr -d '(' |
  sort -u | sed 's/^/_/'
