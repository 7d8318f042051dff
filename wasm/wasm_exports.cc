// Entry translation unit of the WebAssembly build. The module exports the C ABI of te.h
// (the list is wasm/exports.txt, generated from te.h by scripts/gen-wasm-exports.sh); the
// functions themselves live in native/capi and are linked in from te_core.
#include "te/te.h"
