// The package's TypeScript declarations: a typed usage example (pkg-tests/types/usage.ts, with
// compile-time assertions) compiles in strict mode against each entry's .d.ts — web
// (unisono.d.ts), Node ESM (node.d.ts) and CommonJS (node.d.cts) — and no public signature in
// them is `any`. tsc is the repo's devDependency `typescript` (node_modules/.bin/tsc).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

for (const file of ['unisono.d.ts', 'node.d.ts', 'node.d.cts', 'tools.d.ts', 'tools-node.d.ts', 'tools-node.d.cts']) {
  test(`pkg/${file}: no public signature is \`any\``, () => {
    const text = readFileSync(`${ROOT}pkg/${file}`, 'utf8');
    const lines = publicDeclarations(text).split('\n').filter((l) => /\bany\b/.test(l));
    assert.deepEqual(lines.map((l) => l.trim()), [], `\`any\` in pkg/${file}`);
  });
}

test('the entries carry the document types generated from the JSON Schemas', () => {
  const types = readFileSync(`${ROOT}src/types.d.ts`, 'utf8');
  const declared = [...types.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]);
  for (const name of ['Profile', 'Catalog', 'Config', 'Context', 'Offers', 'Model', 'Decision', 'ProfileEvent', 'Channel']) {
    assert.ok(declared.includes(name), `src/types.d.ts declares ${name}`);
  }
  for (const file of ['unisono.d.ts', 'node.d.cts', 'tools.d.ts', 'tools-node.d.cts']) {
    const dts = readFileSync(`${ROOT}pkg/${file}`, 'utf8');
    for (const name of declared) {
      assert.match(dts, new RegExp(`export (interface|type) ${name}\\b`), `pkg/${file} declares ${name}`);
    }
  }
  // The sanity check of the check: the filter above does see an `any`.
  assert.match(publicDeclarations('export function f(x: any): void;'), /\bany\b/);
  assert.doesNotMatch(publicDeclarations('/** any */\nexport interface InitOutput {\n  readonly f: (a: any) => void;\n}'), /\bany\b/);
});

// The fault class of the DOM `Event` the package once exported: an exported name that is also a
// global of the DOM library shadows it in every file that imports it. For every name the
// package's web entry exports, a file (lib dom, no import) says `type _ = Name` under
// `@ts-expect-error`: it compiles only if no such global exists, so a clash is an unused
// directive and tsc fails, naming the line.
test('no export of the package shadows a DOM global', async () => {
  const dts = readFileSync(`${ROOT}pkg/unisono.d.ts`, 'utf8');
  const names = [...new Set([...dts.matchAll(/^export (?:declare )?(?:interface|type|class|function|const|enum) (\w+)/gm)].map((m) => m[1]))].sort();
  assert.ok(names.length > 50 && names.includes('ProfileEvent') && !names.includes('Event'), names.join(' '));
  const dir = mkdtempSync(join(tmpdir(), 'unisono-dom-'));
  try {
    const lines = names.flatMap((n) => ['// @ts-expect-error', `export type Check_${n} = ${n};`]);
    // The sanity check of the check: a real DOM global compiles without the directive.
    lines.push('export type Dom = Event | Response | Node;');
    writeFileSync(join(dir, 'globals.ts'), `${lines.join('\n')}\n`);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'esnext', lib: ['es2022', 'dom', 'esnext.disposable'], types: [] },
      files: ['globals.ts'],
    }));
    try {
      await run(TSC, ['--noEmit', '-p', dir], { cwd: ROOT });
    } catch (e) {
      const clashes = `${e.stdout}`.split('\n').filter((l) => l.includes('TS2578')).map((l) => names[(Number(/\((\d+),/.exec(l)?.[1] ?? 1) - 1) / 2]);
      assert.fail(`exports that shadow a DOM global: ${clashes.join(', ')}\n${e.stdout}${e.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
