// The package's TypeScript declarations: a typed usage example (pkg-tests/types/usage.ts, with
// compile-time assertions) compiles in strict mode against each entry's .d.ts — web
// (unisono.d.ts), Node ESM (node.d.ts) and CommonJS (node.d.cts) — and no public signature in
// them is `any`. tsc is the repo's devDependency `typescript` (node_modules/.bin/tsc).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TSC = `${ROOT}node_modules/.bin/tsc`;
const run = promisify(execFile);

for (const [entry, config] of [
  ['unisono.d.ts (browsers, bundlers, workers)', 'tsconfig.json'],
  ['node.d.ts (Node ESM)', 'tsconfig.node.json'],
  ['node.d.cts (Node CommonJS)', 'tsconfig.cjs.json'],
]) {
  test(`tsc --strict: the typed usage example compiles against pkg/${entry}`, async () => {
    try {
      await run(TSC, ['--noEmit', '-p', `pkg-tests/types/${config}`], { cwd: ROOT });
    } catch (e) {
      assert.fail(`tsc -p pkg-tests/types/${config} failed:\n${e.stdout}${e.stderr}`);
    }
  });
}

/** The declarations a user sees: comments dropped, and wasm-bindgen's `InitOutput` (the raw
 * Wasm exports, whose externref parameters it types `any`) left out. */
export function publicDeclarations(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  return code.replace(/export interface InitOutput \{[\s\S]*?\n\}/, '');
}

for (const file of ['unisono.d.ts', 'node.d.ts', 'node.d.cts']) {
  test(`pkg/${file}: no public signature is \`any\``, () => {
    const text = readFileSync(`${ROOT}pkg/${file}`, 'utf8');
    const lines = publicDeclarations(text).split('\n').filter((l) => /\bany\b/.test(l));
    assert.deepEqual(lines.map((l) => l.trim()), [], `\`any\` in pkg/${file}`);
  });
}

test('the entries carry the document types generated from the JSON Schemas', () => {
  const types = readFileSync(`${ROOT}src/types.d.ts`, 'utf8');
  const declared = [...types.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]);
  for (const name of ['Profile', 'Catalog', 'Config', 'Context', 'Offers', 'Model', 'Decision', 'Event', 'Channel']) {
    assert.ok(declared.includes(name), `src/types.d.ts declares ${name}`);
  }
  for (const file of ['unisono.d.ts', 'node.d.cts']) {
    const dts = readFileSync(`${ROOT}pkg/${file}`, 'utf8');
    for (const name of declared) {
      assert.match(dts, new RegExp(`export (interface|type) ${name}\\b`), `pkg/${file} declares ${name}`);
    }
  }
  // The sanity check of the check: the filter above does see an `any`.
  assert.match(publicDeclarations('export function f(x: any): void;'), /\bany\b/);
  assert.doesNotMatch(publicDeclarations('/** any */\nexport interface InitOutput {\n  readonly f: (a: any) => void;\n}'), /\bany\b/);
});
