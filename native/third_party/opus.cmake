# libopus 1.3.1 built as a static, position-independent library from Debian's `opus` source
# package (never committed; scripts/install-system-deps.sh fetches it with `apt-get source`).
#
# We do not use opus' own CMakeLists.txt (1.3.1's is broken: missing opus_buildtype.cmake, global
# -mavx, runs `git describe` on the enclosing repo). The source lists come from the tarball's own
# *.mk files, so they always match the sources.
#
# One configuration for the addon (x86-64) and for WebAssembly, so both decode Opus to the same PCM
# bit for bit (measured over the corpus and the field cases; see wasm/README.md):
# - float build (like Debian's libopus, which opusdec uses: our x86-64 PCM equals opusdec's);
# - the SSE/SSE2 float kernels (celt/x86/pitch_sse.c: xcorr, inner products, comb filter) always,
#   no run-time CPU detection. SSE2 is baseline on x86-64; under Emscripten the same intrinsics
#   compile to WebAssembly SIMD128 (xmmintrin.h), whose f32x4 add/mul are the same IEEE operations
#   lane for lane. The SSE4.1/AVX paths of 1.3.1 are fixed-point or encoder-only: not needed.
# - -ffp-contract=off: no fused multiply-adds, whatever the target.
# libm: the float decoder calls exp() and cos() (celt_exp2, celt_cos_norm); for every float input
# they can get, glibc (FMA or not) and Emscripten's musl give the same float (checked exhaustively).
# Other native targets (arm64) build the portable C kernels: they sum in another order, so their
# PCM may differ from the wasm build by a few LSB.

set(TE_OPUS_TARBALL "$ENV{HOME}/.cache/track-egress/opus-src/opus_1.3.1.orig.tar.gz"
    CACHE FILEPATH "Debian's opus_1.3.1.orig.tar.gz (from `apt-get source --download-only opus`)")
set(TE_OPUS_SHA256 "65b58e1e25b2a114157014736a3d9dfeaad8d41be1c8179866f144a2fb44ff9d")

if(NOT EXISTS "${TE_OPUS_TARBALL}")
  message(FATAL_ERROR "libopus source not found at ${TE_OPUS_TARBALL}.\n"
                      "Run scripts/install-system-deps.sh (apt-get source opus) or set TE_OPUS_TARBALL.")
endif()
file(SHA256 "${TE_OPUS_TARBALL}" _opus_sha)
if(NOT _opus_sha STREQUAL TE_OPUS_SHA256)
  message(FATAL_ERROR "${TE_OPUS_TARBALL}: sha256 ${_opus_sha} != expected ${TE_OPUS_SHA256}")
endif()

set(OPUS_DIR "${CMAKE_BINARY_DIR}/opus-1.3.1")
if(NOT EXISTS "${OPUS_DIR}/opus_sources.mk")
  file(ARCHIVE_EXTRACT INPUT "${TE_OPUS_TARBALL}" DESTINATION "${CMAKE_BINARY_DIR}")
endif()

# Reads `VAR = a.c \ b.c` from one of opus' .mk files into a CMake list of absolute paths.
function(te_opus_mk_list out mkfile var)
  file(READ "${OPUS_DIR}/${mkfile}" _mk)
  string(REGEX REPLACE "\\\\\n" " " _mk "${_mk}")
  string(REGEX MATCH "(^|\n)${var} *=[^\n]*" _line "${_mk}")
  string(REGEX REPLACE "(^|\n)${var} *=" "" _line "${_line}")
  string(REGEX MATCHALL "[^ \t]+\\.c" _files "${_line}")
  list(TRANSFORM _files PREPEND "${OPUS_DIR}/")
  set(${out} ${_files} PARENT_SCOPE)
endfunction()

te_opus_mk_list(_celt celt_sources.mk CELT_SOURCES)
te_opus_mk_list(_silk silk_sources.mk SILK_SOURCES)
te_opus_mk_list(_silk_float silk_sources.mk SILK_SOURCES_FLOAT)
te_opus_mk_list(_opus opus_sources.mk OPUS_SOURCES)
te_opus_mk_list(_opus_float opus_sources.mk OPUS_SOURCES_FLOAT)
set(_opus_srcs ${_celt} ${_silk} ${_silk_float} ${_opus} ${_opus_float})

set(_opus_defs OPUS_BUILD VAR_ARRAYS HAVE_LRINTF HAVE_LRINT "PACKAGE_VERSION=\"1.3.1\"")

if(EMSCRIPTEN OR CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
  # pitch_sse.c holds the float kernels; CELT_SOURCES_SSE2 (vq_sse2.c: the encoder's PVQ search,
  # pitch_sse2.c: fixed-point only) must come along because the SSE2 defines declare them.
  te_opus_mk_list(_celt_sse2 celt_sources.mk CELT_SOURCES_SSE2)
  set(_opus_sse ${OPUS_DIR}/celt/x86/pitch_sse.c ${_celt_sse2})
  list(APPEND _opus_srcs ${_opus_sse})
  list(APPEND _opus_defs OPUS_X86_MAY_HAVE_SSE OPUS_X86_PRESUME_SSE OPUS_X86_MAY_HAVE_SSE2
       OPUS_X86_PRESUME_SSE2)
  if(EMSCRIPTEN)
    set_source_files_properties(${_opus_sse} PROPERTIES COMPILE_OPTIONS "-msimd128;-msse;-msse2")
  endif()
endif()

add_library(te_opus STATIC ${_opus_srcs})
target_compile_definitions(te_opus PRIVATE ${_opus_defs})
target_include_directories(te_opus PRIVATE ${OPUS_DIR} ${OPUS_DIR}/celt ${OPUS_DIR}/silk
                           ${OPUS_DIR}/silk/float)
target_include_directories(te_opus PUBLIC ${OPUS_DIR}/include)
set_target_properties(te_opus PROPERTIES POSITION_INDEPENDENT_CODE ON C_STANDARD 99)
# GCC 12 warns (harmlessly) in silk; third-party code is not ours to fix. Always optimized, even in
# Debug/sanitizer builds, so decoding stays fast in tests; never -ffast-math (see above).
target_compile_options(te_opus PRIVATE -w -O2 -ffp-contract=off)
