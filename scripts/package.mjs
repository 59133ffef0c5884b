// Completes pkg/ after wasm-bindgen (see build-pkg.sh): the Node entries, package.json with
// conditional exports, the README, and a size report.
//
// One package, one .wasm, two wasm-bindgen glues, and over each the public API of js/api.js
// (argument checks, UnisonoError, an instance that survives a failed call):
//   unisono.js       the API over unisono_glue.js, wasm-bindgen --target web (ESM, async
//                    `init()`): browsers, bundlers, workers
//   node.cjs         the API over node_glue.cjs, wasm-bindgen --target nodejs (CommonJS, reads
//                    the .wasm synchronously): require()
//   node.js          Node ESM: re-exports node.cjs (Node's "ES module wrapper" for dual packages),
//                    so `import` and `require` in one process share one Wasm instance and one
//                    Engine class, and the glue is not shipped a third time.
// The nodejs target was chosen over bundling the web glue to CommonJS (esbuild): no extra tool,
// its output is the generator's own (tested upstream), and it is smaller than the web glue.
// The glues' .d.ts describe the API (js/api.js has the same classes and methods, and the Rust
// doc comments become its JSDoc), so they ship as the entries' types.
import { readFileSync, writeFileSync, copyFileSync, readdirSync, mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { npmReadme } from './npm-readme.mjs';

const cargo = readFileSync('Cargo.toml', 'utf8');
const version = cargo.match(/^version = "(.*)"/m)[1];
const description = cargo.match(/^description = "(.*)"/m)[1];

// --- js/api.js: the one source of the API layer, as ESM and as a CommonJS body.
const api = readFileSync('js/api.js', 'utf8');
const exported = [...api.matchAll(/^export (?:class|function) (\w+)/gm)].map((m) => m[1]);
if (exported.join() !== 'UnisonoError,createApi') {
  throw new Error(`js/api.js exports ${exported}: update scripts/package.mjs`);
}
const apiBody = api.replace(/^export (class|function) /gm, '$1 ');

/**
 * The entries of one Wasm build: `web` (unisono / tools) over `${web}_glue.js`, and the Node
 * entries `${node}.cjs` (over `${node}_glue.cjs`), `${node}.js` and their types. `kind` tells
 * the API layer which build it wraps. Returns the exported names.
 */
async function entries({ web, node, kind }) {
  // --- NODE_glue.cjs / NODE.cjs / NODE.d.cts: the nodejs-target glue, reading the .wasm next to it.
  const cjs = readFileSync(`target/pkg-nodejs/${web}.js`, 'utf8');
  const tail = 'let wasm = wasmInstance.exports;\nwasm.__wbindgen_start();\n';
  if (!cjs.includes(`const wasmPath = \`\${__dirname}/${web}_bg.wasm\`;`) || !cjs.endsWith(tail)) {
    throw new Error(`target/pkg-nodejs/${web}.js no longer loads \${__dirname}/${web}_bg.wasm the same way: update scripts/package.mjs`);
  }
  // The API layer needs the instance's exports (its stack pointer); the nodejs glue keeps them private.
  writeFileSync(`pkg/${node}_glue.cjs`, cjs.replace(`/* @ts-self-types="./${web}.d.ts" */\n`, '') + 'exports.__wasm = wasm;\n');
  writeFileSync(`pkg/${node}.cjs`, `/* @ts-self-types="./${node}.d.cts" */
// unisono${kind === 'tools' ? '/tools' : ''} for require(): the API of js/api.js over the nodejs-target glue
// (instantiated synchronously when loaded).
'use strict';
const glue = require('./${node}_glue.cjs');

${apiBody}
module.exports = createApi(glue, () => glue.__wasm, undefined, ${JSON.stringify(kind)});
`);
  copyFileSync(`target/pkg-nodejs/${web}.d.ts`, `pkg/${node}.d.cts`);

  // --- WEB.js: the API over the web glue (wasm-bindgen wrote it as WEB.js).
  renameSync(`pkg/${web}.js`, `pkg/${web}_glue.js`);
  writeFileSync(`pkg/${web}.js`, `/* @ts-self-types="./${web}.d.ts" */
// unisono${kind === 'tools' ? '/tools' : ''} for browsers, workers and bundlers: the API of js/api.js over the
// web-target glue. \`await init()\` (or \`initSync({ module })\`) before the first call;
// \`Engine.load\` initialises by itself.
import __wbg_init, * as glue from './${web}_glue.js';

${apiBody}
let instance;

export const { ${'${names}'} } = /*#__PURE__*/ createApi(glue, () => instance, () => instance ?? init(), ${JSON.stringify(kind)});

/** Instantiate the Wasm module synchronously from its bytes or a compiled \`WebAssembly.Module\`. */
export function initSync(module) {
  instance = glue.initSync(module);
  return instance;
}

/** Fetch and instantiate the Wasm module (next to this file unless given); resolves when ready. */
export default async function init(module_or_path) {
  instance = await __wbg_init(module_or_path);
  return instance;
}
`);

  // The API both entries export (the web one adds \`initSync\` and the default \`init\`).
  const names = Object.keys(createRequire(import.meta.url)(`../pkg/${node}.cjs`)).sort();
  const created = names.filter((n) => n !== 'UnisonoError');
  writeFileSync(`pkg/${web}.js`, readFileSync(`pkg/${web}.js`, 'utf8')
    .replace('${names}', created.join(', ')) + 'export { UnisonoError };\n');
  const webNames = Object.keys(await import(new URL(`../pkg/${web}.js`, import.meta.url).href)).sort();
  const expectWeb = [...names, 'default', 'initSync'].sort();
  if (JSON.stringify(webNames) !== JSON.stringify(expectWeb)) {
    throw new Error(`${web}.js exports ${webNames}, ${node}.cjs ${names}: the entries would differ`);
  }

  // --- NODE.js / NODE.d.ts: Node ESM.
  writeFileSync(`pkg/${node}.js`, `// Node ESM entry: the CommonJS build (${node}.cjs, instantiated synchronously when loaded),
// re-exported, so \`import\` and \`require\` share one Wasm instance. Ready to use on import.
import unisono from './${node}.cjs';

export const { ${names.join(', ')} } = unisono;

/** Already initialized in Node: a no-op, so code shared with browsers can always \`await init()\`. */
export default async function init() {}
`);
  writeFileSync(`pkg/${node}.d.ts`, `export * from './${node}.cjs';

/** Already initialized in Node: a no-op, so code shared with browsers can always \`await init()\`. */
export default function init(moduleOrPath?: unknown): Promise<void>;
`);
  return names;
}

const deviceNames = await entries({ web: 'unisono', node: 'node', kind: 'device' });
const toolsNames = await entries({ web: 'tools', node: 'tools-node', kind: 'tools' });
const missing = deviceNames.filter((n) => !toolsNames.includes(n));
if (missing.length) throw new Error(`the tools entry lacks ${missing}: it must be a superset of the device entry`);

// --- package.json
/** The `exports` conditions of one entry: its web build, and its Node builds as ESM / CommonJS. */
function conditions(web, node) {
  const browser = { types: `./${web}.d.ts`, default: `./${web}.js` };
  return {
    browser,
    worker: browser,
    node: {
      import: { types: `./${node}.d.ts`, default: `./${node}.js` },
      require: { types: `./${node}.d.cts`, default: `./${node}.cjs` },
    },
    ...browser,
  };
}

const pkg = {
  name: 'unisono',
  version,
  description,
  license: 'MIT OR Apache-2.0',
  // Private fields, `#x in obj`, class static blocks, FinalizationRegistry: Node 16.11+; tested on 20.
  engines: { node: '>=18' },
  type: 'module',
  main: './node.cjs', // resolvers without `exports` support
  module: './unisono.js',
  types: './unisono.d.ts',
  // The first matching condition wins. Browsers, bundlers building for the web and web workers
  // get the web glue (`await init()` fetches unisono_bg.wasm next to it: bundlers rewrite that
  // `new URL('unisono_bg.wasm', import.meta.url)` into an emitted asset); Node gets the
  // synchronously instantiated build, as ESM or CommonJS; anything else the web glue.
  exports: {
    '.': conditions('unisono', 'node'),
    // The web build without a condition picking another one: for bundled Node back ends and
    // edge runtimes, which hand the .wasm to `initSync({ module })` / `init(…)` themselves
    // (README, "Bundlers, edge runtimes"): node.cjs finds it next to itself, which a bundle breaks.
    './slim': { types: './unisono.d.ts', default: './unisono.js' },
    './unisono_bg.wasm': './unisono_bg.wasm',
    // The authoring tools (their own, larger .wasm): engines from JSON documents, `compile`,
    // `buildModel`, `validate`. For Node back ends and back-office pages, never a device page.
    './tools': conditions('tools', 'tools-node'),
    './tools_bg.wasm': './tools_bg.wasm',
    // The documents' JSON Schemas (draft 2020-12), e.g. `unisono/schemas/profile.schema.json`.
    './schemas/*': './schemas/*',
    './package.json': './package.json',
  },
  files: ['unisono.js', 'unisono_glue.js', 'unisono.d.ts', 'unisono_bg.wasm', 'unisono_bg.wasm.d.ts',
    'node.js', 'node.d.ts', 'node.cjs', 'node_glue.cjs', 'node.d.cts',
    'tools.js', 'tools_glue.js', 'tools.d.ts', 'tools_bg.wasm', 'tools_bg.wasm.d.ts',
    'tools-node.js', 'tools-node.d.ts', 'tools-node.cjs', 'tools-node_glue.cjs', 'tools-node.d.cts',
    'README.md', 'LICENSE-MIT', 'LICENSE-APACHE',
    'schemas'],
  // No module needs to run for its effect: unisono.js only defines functions and classes, and the
  // Node entries' one effect (instantiating the Wasm module) is only observable through their
  // exports, never through a global. A bundler may therefore drop any of them whose exports are
  // unused. (Bundlers reach node.js / node.cjs only when building for Node.)
  sideEffects: false,
  keywords: ['personalization', 'recommendations', 'omnichannel', 'wasm'],
};
writeFileSync('pkg/package.json', JSON.stringify(pkg, null, 2) + '\n');
// The README with its relative links as plain mentions of the repository's files: they lead
// nowhere on npmjs.com (scripts/npm-readme.mjs).
writeFileSync('pkg/README.md', npmReadme(readFileSync('README.md', 'utf8')));
for (const f of ['LICENSE-MIT', 'LICENSE-APACHE']) copyFileSync(f, `pkg/${f}`);
// schemas/*.schema.json: generated from the Rust types and checked by tests/schemas.rs.
mkdirSync('pkg/schemas', { recursive: true });
const schemas = readdirSync('schemas').filter((f) => f.endsWith('.schema.json')).sort();
if (schemas.length === 0) throw new Error('schemas/ has no *.schema.json');
for (const f of schemas) copyFileSync(`schemas/${f}`, `pkg/schemas/${f}`);

const listed = new Set([...pkg.files, 'package.json']);
const extra = readdirSync('pkg').filter((f) => !listed.has(f));
if (extra.length) throw new Error(`pkg/ has files the package.json 'files' list leaves out: ${extra}`);

// --- size report
const kb = (n) => (n / 1024).toFixed(1).padStart(7) + ' KB';
const sizes = {};
const rows = [];
for (const f of readdirSync('pkg').sort()) {
  if (!/\.(c?js|wasm)$/.test(f)) continue;
  const buf = readFileSync(`pkg/${f}`);
  const s = {
    raw: buf.length,
    gz: gzipSync(buf, { level: 9 }).length,
    br: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
  sizes[f] = s;
  rows.push(`  ${f.padEnd(24)} raw ${kb(s.raw)}   gzip ${kb(s.gz)}   brotli ${kb(s.br)}`);
}
const sum = (files, k) => files.reduce((n, f) => n + sizes[f][k], 0);
const total = (label, files) =>
  `  ${label.padEnd(24)} raw ${kb(sum(files, 'raw'))}   gzip ${kb(sum(files, 'gz'))}   brotli ${kb(sum(files, 'br'))}`;
console.log(`unisono ${version} package sizes (after wasm-bindgen + wasm-opt -Oz):`);
console.log(rows.join('\n'));
console.log(total('browser (web js + wasm)', ['unisono.js', 'unisono_glue.js', 'unisono_bg.wasm']));
console.log(total('node (cjs + esm + wasm)', ['node.cjs', 'node_glue.cjs', 'node.js', 'unisono_bg.wasm']));
console.log(total('tools, web (js + wasm)', ['tools.js', 'tools_glue.js', 'tools_bg.wasm']));
