# node-gyp build of the same sources as CMakeLists.txt, for users who build from source
# (`npx node-gyp rebuild`). The source lists come from the directory tree through
# scripts/list-sources.mjs, exactly the directories CMake globs. libopus is built from Debian's
# source package with the configuration of native/third_party/opus.cmake (float, SSE/SSE2 kernels
# on x64 without run-time CPU detection, -ffp-contract=off), so its PCM equals the CMake addon's and
# the wasm build's; node-gyp needs Node headers offline: pass --nodedir=/usr or set npm_config_nodedir.
{
  "variables": {
    "opus_dir%": "<!(node scripts/extract-opus.mjs)",
    "te_version%": "<!(node -p \"require('./package.json').version\")"
  },
  "targets": [
    {
      "target_name": "te_opus",
      "type": "static_library",
      "sources": ["<!@(node scripts/list-sources.mjs opus <(opus_dir))"],
      "include_dirs": ["<(opus_dir)", "<(opus_dir)/include", "<(opus_dir)/celt", "<(opus_dir)/silk", "<(opus_dir)/silk/float"],
      "defines": ["OPUS_BUILD", "VAR_ARRAYS", "HAVE_LRINTF", "HAVE_LRINT", "PACKAGE_VERSION=\"1.3.1\""],
      "cflags": ["-w", "-fPIC", "-O2", "-ffp-contract=off"],
      "conditions": [
        ["target_arch=='x64'", {
          "sources": ["<!@(node scripts/list-sources.mjs opus-x86 <(opus_dir))"],
          "defines": ["OPUS_X86_MAY_HAVE_SSE", "OPUS_X86_PRESUME_SSE", "OPUS_X86_MAY_HAVE_SSE2", "OPUS_X86_PRESUME_SSE2"]
        }]
      ],
      "direct_dependent_settings": { "include_dirs": ["<(opus_dir)/include"] }
    },
    {
      "target_name": "track_egress",
      "dependencies": ["te_opus"],
      "sources": ["<!@(node scripts/list-sources.mjs core)", "<!@(node scripts/list-sources.mjs napi)"],
      "include_dirs": ["native/include", "native", "<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "TE_VERSION_STRING=\"<(te_version)\""],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-fvisibility=hidden"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "ldflags": ["-Wl,--exclude-libs,ALL"]
    }
  ]
}
