#!/usr/bin/env node
// Prints the C/C++ sources of one part of the build, one per line, for binding.gyp:
//   node scripts/list-sources.mjs core|napi|opus|opus-x86 <opus_dir>
// CMakeLists.txt globs the same directories, so both build systems compile the same files.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.cc') ? [p] : [];
  });

// Same reading of opus' *.mk lists as native/third_party/opus.cmake.
const mkList = (dir, file, name) => {
  const text = readFileSync(join(dir, file), 'utf8').replace(/\\\n/g, ' ');
  const line = text.split('\n').find((l) => l.startsWith(`${name} =`) || l.startsWith(`${name}=`)) ?? '';
  return line.split('=')[1].trim().split(/\s+/).filter((f) => f.endsWith('.c')).map((f) => join(dir, f));
};

const [part, opusDir] = process.argv.slice(2);
let files;
if (part === 'core') files = [...walk(join(root, 'native/core')), ...walk(join(root, 'native/capi'))];
else if (part === 'napi') files = walk(join(root, 'native/napi'));
else if (part === 'opus') {
  files = [
    ['celt_sources.mk', 'CELT_SOURCES'], ['silk_sources.mk', 'SILK_SOURCES'],
    ['silk_sources.mk', 'SILK_SOURCES_FLOAT'], ['opus_sources.mk', 'OPUS_SOURCES'],
    ['opus_sources.mk', 'OPUS_SOURCES_FLOAT'],
  ].flatMap(([f, n]) => mkList(opusDir, f, n));
} else if (part === 'opus-x86') {
  // The SSE/SSE2 float kernels native/third_party/opus.cmake adds on x86-64 (see there why).
  files = [join(opusDir, 'celt/x86/pitch_sse.c'), ...mkList(opusDir, 'celt_sources.mk', 'CELT_SOURCES_SSE2')];
} else {
  console.error('usage: list-sources.mjs core|napi|opus|opus-x86 <opus_dir>');
  process.exit(2);
}
console.log(files.map((f) => relative(root, f)).sort().join('\n'));
