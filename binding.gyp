# node-gyp build of the same sources as CMakeLists.txt, for users who build from source
# (`npx node-gyp rebuild`). The source lists come from the directory tree through
# scripts/list-sources.mjs, exactly the directories CMake globs. libopus is built from Debian's
# source package with the portable C paths only (the CMake build adds SSE4.1 with runtime CPU
# detection); node-gyp needs Node headers offline: pass --nodedir=/usr or set npm_config_nodedir.
{
  "variables": {
    "opus_dir%": "<!(node scripts/extract-opus.mjs)"
  },
  "targets": [
    {
      "target_name": "te_opus",
      "type": "static_library",
      "sources": ["<!@(node scripts/list-sources.mjs opus <(opus_dir))"],
      "include_dirs": ["<(opus_dir)", "<(opus_dir)/include", "<(opus_dir)/celt", "<(opus_dir)/silk", "<(opus_dir)/silk/float"],
      "defines": ["OPUS_BUILD", "VAR_ARRAYS", "HAVE_LRINTF", "HAVE_LRINT", "PACKAGE_VERSION=\"1.3.1\""],
      "cflags": ["-w", "-fPIC"],
      "direct_dependent_settings": { "include_dirs": ["<(opus_dir)/include"] }
    },
    {
      "target_name": "track_egress",
      "dependencies": ["te_opus"],
      "sources": ["<!@(node scripts/list-sources.mjs core)", "<!@(node scripts/list-sources.mjs napi)"],
      "include_dirs": ["native/include", "native", "<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-fvisibility=hidden"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "ldflags": ["-Wl,--exclude-libs,ALL"]
    }
  ]
}
