#!/usr/bin/env node
// Prints, one per line, the vitest files that cannot reach the core backend, so that
// scripts/test-all.sh runs them once (on native) instead of once per backend.
//
// The rule (static, conservative): a test file is backend-free when
//   1. its transitive graph of relative imports (static `import`/`export … from`, `import('…')`
//      with a literal; `import type` statements excluded, they are erased), resolved like tsx: .js → .ts, dir → index.ts) reaches neither
//      src/core/load-backend.ts nor a built copy of it (dist/core/load-backend.js) — every
//      backend is created there, TRACK_EGRESS_BACKEND is read there — and imports the package
//      by name nowhere; and
//   2. no file of that graph starts a Node child (`process.execPath`): a child could run the
//      CLI or a Recorder with the inherited TRACK_EGRESS_BACKEND.
// Anything else (a non-literal dynamic import, a new way of loading the core) must be added
// here before a file that uses it can be called backend-free.
//
//   node scripts/backend-free-tests.mjs            # the list
//   node scripts/backend-free-tests.mjs --why FILE # the import chain that makes FILE backend-bound
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const PACKAGE = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name;
const CORE_LOADER = /^(src\/core\/load-backend\.ts|dist\/core\/load-backend\.js)$/;
const SPAWNS_NODE = /process\.execPath/;
// `import type …` / `export type …` statements are erased by TypeScript and load nothing.
const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?!type\s)[^'"`;]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[\s;])import\s+['"]([^'"]+)['"]/g;

/** Resolves a relative specifier the way tsx does for this repo; null for bare specifiers. */
function resolveImport(from, spec) {
  if (!spec.startsWith('.')) return null;
  const p = resolve(dirname(from), spec);
  for (const c of [p, p.replace(/\.js$/, '.ts'), p.replace(/\.mjs$/, '.mts'), `${p}.ts`, join(p, 'index.ts')]) {
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  throw new Error(`${relative(root, from)}: cannot resolve ${spec}`);
}

/** Why `file` may reach the core: the chain of files, or null when it cannot. */
function coreChain(file, seen = new Set()) {
  if (seen.has(file)) return null;
  seen.add(file);
  const rel = relative(root, file);
  if (CORE_LOADER.test(rel)) return [rel];
  const src = readFileSync(file, 'utf8');
  if (SPAWNS_NODE.test(src)) return [`${rel} (starts a Node child)`];
  for (const m of src.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec === PACKAGE || spec.startsWith(`${PACKAGE}/`)) return [`${rel} (imports ${spec})`];
    const dep = resolveImport(file, spec);
    const chain = dep && coreChain(dep, seen);
    if (chain) return [rel, ...chain];
  }
  return null;
}

function testFiles(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []);
}

if (process.argv[2] === '--why') {
  const chain = coreChain(resolve(process.argv[3]));
  console.log(chain ? chain.join('\n  → ') : 'backend-free');
} else {
  for (const f of testFiles('test').sort()) if (!coreChain(join(root, f))) console.log(f);
}
