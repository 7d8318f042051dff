# libopus 1.3.1 built as a static, position-independent library from Debian's `opus` source
# package (never committed; scripts/install-system-deps.sh fetches it with `apt-get source`).
#
# We do not use opus' own CMakeLists.txt (1.3.1's is broken: missing opus_buildtype.cmake, global
# -mavx, runs `git describe` on the enclosing repo). The source lists come from the tarball's own
# *.mk files, so they always match the sources. On x86-64 (not Emscripten) the SSE/SSE2/SSE4.1
# intrinsics files get their ISA flag individually and runtime CPU detection picks them (RTCD), as
# autotools' configure would; everything else, including wasm, builds the portable C paths.

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

if(NOT EMSCRIPTEN AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
  te_opus_mk_list(_celt_sse celt_sources.mk CELT_SOURCES_SSE)
  te_opus_mk_list(_celt_sse2 celt_sources.mk CELT_SOURCES_SSE2)
  te_opus_mk_list(_celt_sse41 celt_sources.mk CELT_SOURCES_SSE4_1)
  te_opus_mk_list(_silk_sse41 silk_sources.mk SILK_SOURCES_SSE4_1)
  list(APPEND _opus_srcs ${_celt_sse} ${_celt_sse2} ${_celt_sse41} ${_silk_sse41})
  set_source_files_properties(${_celt_sse41} ${_silk_sse41} PROPERTIES COMPILE_OPTIONS "-msse4.1")
  # Same as configure's config.h on x86-64: SSE/SSE2 are baseline, SSE4.1/AVX chosen at run time.
  list(APPEND _opus_defs OPUS_HAVE_RTCD CPU_INFO_BY_ASM OPUS_X86_MAY_HAVE_SSE OPUS_X86_PRESUME_SSE
       OPUS_X86_MAY_HAVE_SSE2 OPUS_X86_PRESUME_SSE2 OPUS_X86_MAY_HAVE_SSE4_1 OPUS_X86_MAY_HAVE_AVX)
endif()

add_library(te_opus STATIC ${_opus_srcs})
target_compile_definitions(te_opus PRIVATE ${_opus_defs})
target_include_directories(te_opus PRIVATE ${OPUS_DIR} ${OPUS_DIR}/celt ${OPUS_DIR}/silk
                           ${OPUS_DIR}/silk/float)
target_include_directories(te_opus PUBLIC ${OPUS_DIR}/include)
set_target_properties(te_opus PROPERTIES POSITION_INDEPENDENT_CODE ON C_STANDARD 99)
# GCC 12 warns (harmlessly) in silk; third-party code is not ours to fix. Always optimized, even in
# Debug/sanitizer builds, so decoding stays fast in tests.
target_compile_options(te_opus PRIVATE -w -O2)
