// One npm package for every runtime: `npm pack` pkg/, install the tarball into a fresh temporary
// project (offline: the package has no dependencies), and decide for cust-anna at the London
// kiosk in each runtime a user of the package has, on the device entry ('unisono') from the
// London kiosk's public engine image (examples/sample/images/kiosk-lon-oxford.img):
//   (a) Node ESM            import init, { Engine } from 'unisono'       (the reference; and
//                           'unisono/tools' builds the same decision from the JSON documents)
//   (b) Node CommonJS       const { Engine } = require('unisono')
//   (c) Vite                a production build of a tiny app (main thread + a bundled module
//                           worker), served and run in headless Chromium
//   (d) browser             a plain page whose <script type="module"> imports the package files
//   (e) Web Worker          a module worker importing the package files
//   (f) esbuild, Node       a back end bundled to one ESM and one CommonJS file ('unisono/slim',
//                           the .wasm bytes inlined by esbuild's binary loader), run from a
//                           folder without node_modules
//   (g) webpack, Node       the same back end bundled by webpack (the .wasm as an inline asset)
//   (h) webpack, browser    a production build of the app of (c), run in headless Chromium
//   (i) Bun, (j) Deno       the Node ESM (and for Bun the CommonJS) program of (a) / (b), as is
//   (k) workerd             an edge function (Cloudflare's runtime): 'unisono/slim' with the .wasm
//                           as a Wasm module, answering HTTP
// Every decision must be byte-identical to (a). Vite, esbuild and webpack are the repo's
// devDependencies (node_modules/.bin), so nothing is downloaded here. Chromium as in browser.test.mjs; the
// browser parts are skipped, with a message, only when it is absent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { npmReadme, relativeLinks } from '../scripts/npm-readme.mjs';
import { compileImages } from '../scripts/images.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const NO_CHROMIUM = existsSync(CHROMIUM) ? false : `${CHROMIUM} missing (scripts/bootstrap.sh installs Debian's chromium): browser runtimes not tested`;
const VITE = join(ROOT, 'node_modules/.bin/vite');
const ESBUILD = join(ROOT, 'node_modules/.bin/esbuild');
const WEBPACK = join(ROOT, 'node_modules/.bin/webpack');
const BUN = join(ROOT, 'node_modules/.bin/bun');
const DENO = join(ROOT, 'node_modules/.bin/deno');
const WORKERD = join(ROOT, 'node_modules/.bin/workerd');
const run = promisify(execFile);

// The decision every runtime makes (the context the other pkg-tests use for the kiosk).
const now = JSON.parse(readFileSync(join(ROOT, 'examples/sample/scenarios.json'), 'utf8')).now;
const CONTEXT = JSON.stringify({ channel: 'kiosk', placement: 'home', store: 'lon-oxford', now });
const SAMPLE = ['catalog.json', 'model.json', 'config.json', 'offers.json', 'profiles/cust-anna.json'];
// What a device gets: the London kiosk's public image (compiled in `before`), as sample/kiosk.img.
const IMAGE = 'images/kiosk-lon-oxford.img';

let dir, app, packed, reference, server, origin, browser;

// ---- the temporary project's files

const ESM = `import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import init, { Engine, engineVersion } from 'unisono';
await init(); // a no-op in Node, so browser code runs unchanged
const read = (f) => readFileSync(new URL('./sample/' + f, import.meta.url), 'utf8');
const engine = Engine.fromImage(readFileSync(new URL('./sample/kiosk.img', import.meta.url)));
const decision = engine.decideJson(read('profiles/cust-anna.json'), read('context.json'));
const cjs = createRequire(import.meta.url)('unisono');
// The tools entry: an engine from the JSON documents decides the same decision (with the codes).
const tools = await import('unisono/tools');
const json = new tools.Engine(read('catalog.json'), read('model.json'), read('config.json'), read('offers.json'));
console.log(JSON.stringify({ decision, version: engineVersion(), resolved: import.meta.resolve('unisono'),
  sameInstance: cjs.Engine === Engine && cjs.engineVersion === engineVersion,
  tools: { resolved: import.meta.resolve('unisono/tools'), decision: json.decideJson(read('profiles/cust-anna.json'), read('context.json')) } }));
`;

const CJS = `const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { Engine, engineVersion } = require('unisono');
const read = (f) => readFileSync(join(__dirname, 'sample', f), 'utf8');
const engine = Engine.fromImage(readFileSync(join(__dirname, 'sample', 'kiosk.img')));
const decision = engine.decideJson(read('profiles/cust-anna.json'), read('context.json'));
console.log(JSON.stringify({ decision, version: engineVersion(), resolved: require.resolve('unisono'),
  tools: require.resolve('unisono/tools') }));
`;

// Shared by every browser runtime: load the kiosk's image from /sample/ and decide.
const DECIDE = `export async function decideSample({ Engine }) {
  const get = async (f) => {
    const r = await fetch('/sample/' + f);
    if (!r.ok) throw new Error(f + ': HTTP ' + r.status);
    return r.text();
  };
  const [engine, profile, context] = await Promise.all([
    Engine.load('/sample/kiosk.img'), get('profiles/cust-anna.json'), get('context.json')]);
  return engine.decideJson(profile, context);
}
`;
const report = (expr) => `${expr}.then((r) => { window.__result = r; }, (e) => { window.__result = { error: String(e && e.stack || e) }; });\n`;
const workerBody = (importLine) => `${importLine}
import { decideSample } from './decide.js';
(async () => {
  await init();
  return { decision: await decideSample({ Engine }) };
})().then((r) => postMessage(r), (e) => postMessage({ error: String(e && e.stack || e) }));
`;
const awaitWorker = `(w) => new Promise((ok, fail) => {
  w.onmessage = (e) => (e.data.error ? fail(new Error('worker: ' + e.data.error)) : ok(e.data.decision));
  w.onerror = (e) => fail(new Error('worker: ' + (e.message || 'failed to load')));
})`;
const page = (title, script) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title}</title>
<script type="module" src="${script}"></script></head><body></body></html>
`;

const FILES = {
  'package.json': JSON.stringify({ name: 'unisono-packaging-check', private: true, version: '0.0.0',
    dependencies: { unisono: 'file:../unisono.tgz' } }, null, 2),
  'esm.mjs': ESM,
  'cjs.cjs': CJS,
  // (c) a Vite app: index.html + main.js (+ a worker Vite bundles), `import init, { Engine } from 'unisono'`.
  'vite/index.html': page('unisono in a Vite app', './main.js'),
  'vite/decide.js': DECIDE,
  'vite/main.js': `import init, { Engine } from 'unisono';
import { decideSample } from './decide.js';
const waitFor = ${awaitWorker};
${report(`(async () => {
  await init();
  const main = await decideSample({ Engine });
  const worker = await waitFor(new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }));
  return { main, worker };
})()`)}`,
  'vite/worker.js': workerBody(`import init, { Engine } from 'unisono';`),
  // A second page importing the package for nothing: with sideEffects: false it ships no Wasm.
  'vite/unused.html': page('unisono imported, unused', './unused.js'),
  'vite/unused.js': `import 'unisono';\ndocument.title = 'unused';\n`,
  'vite/vite.config.mjs': `export default {
  logLevel: 'warn',
  build: { rollupOptions: { input: { main: 'index.html', unused: 'unused.html' } } },
};
`,
  // (f) and (g): a Node back end that a bundler turns into one file. 'unisono/slim' is the web
  // build, which does not look for its .wasm on disk; the bundler inlines the bytes.
  'backend/server.js': `import { initSync, Engine } from 'unisono/slim';
import wasm from 'unisono/unisono_bg.wasm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
initSync({ module: typeof wasm === 'string' ? Buffer.from(wasm, 'base64') : wasm });
const read = (f) => readFileSync(join(process.env.SAMPLE_DIR, f), 'utf8');
const engine = Engine.fromImage(readFileSync(join(process.env.SAMPLE_DIR, 'kiosk.img')));
console.log(JSON.stringify({ decision: engine.decideJson(read('profiles/cust-anna.json'), read('context.json')) }));
`,
  'backend/webpack.config.cjs': `module.exports = {
  mode: 'production', target: 'node', entry: './server.js',
  output: { path: require('node:path').join(__dirname, 'dist-webpack'), filename: 'server.cjs', library: { type: 'commonjs2' } },
  module: { rules: [{ test: /\\.wasm$/, type: 'asset/inline', generator: { dataUrl: (content) => content.toString('base64') } }] },
  performance: { hints: false },
};
`,
  // (h) the Vite app's pages, built by webpack instead (webpack turns the glue's
  // new URL('unisono_bg.wasm', import.meta.url) into an emitted asset).
  'webpack/webpack.config.cjs': `module.exports = {
  mode: 'production', target: 'web', entry: './main.js',
  output: { path: require('node:path').join(__dirname, 'dist'), filename: 'main.js', publicPath: '/webpack/' },
  performance: { hints: false },
};
`,
  'webpack/index.html': `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>unisono in a webpack app</title>
<script src="/webpack/main.js"></script></head><body></body></html>
`,
  'webpack/decide.js': DECIDE,
  'webpack/main.js': `import init, { Engine } from 'unisono';
import { decideSample } from './decide.js';
${report(`(async () => { await init(); return { main: await decideSample({ Engine }) }; })()`)}`,
  // (k) an edge function: workerd serves it; the runtime hands the .wasm over as a WebAssembly.Module.
  'edge/worker.js': `import { initSync, Engine } from 'unisono/slim';
import wasm from 'unisono/unisono_bg.wasm';
import image from './sample/kiosk.img';
import profile from './sample/profiles/cust-anna.json';
import context from './sample/context.json';

initSync({ module: wasm });
const engine = Engine.fromImage(image); // an ArrayBuffer (a data module)

export default {
  async fetch() {
    return new Response(engine.decideJson(profile, context), { headers: { 'content-type': 'application/json' } });
  },
};
`,
  'edge/config.capnp': `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .edge) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);

const edge :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "unisono/slim", esModule = embed "../node_modules/unisono/unisono.js"),
    (name = "unisono/unisono_glue.js", esModule = embed "../node_modules/unisono/unisono_glue.js"),
    (name = "unisono/unisono_bg.wasm", wasm = embed "../node_modules/unisono/unisono_bg.wasm"),
    (name = "sample/kiosk.img", data = embed "../sample/kiosk.img"),
${['profiles/cust-anna.json', 'context.json'].map((f) => `    (name = "sample/${f}", text = embed "../sample/${f}"),`).join('\n')}
  ],
  compatibilityDate = "2026-11-01",
);
`,
  // (d) and (e): the package files imported directly by URL, no bundler.
  'plain/index.html': page('unisono, plain module script', './main.js'),
  'plain/worker.html': page('unisono in a module worker', './start-worker.js'),
  'plain/decide.js': DECIDE,
  'plain/main.js': `import init, { Engine } from '/node_modules/unisono/unisono.js';
import { decideSample } from './decide.js';
${report(`(async () => { await init(); return { main: await decideSample({ Engine }) }; })()`)}`,
  'plain/start-worker.js': `const waitFor = ${awaitWorker};
${report(`waitFor(new Worker('./worker.js', { type: 'module' })).then((worker) => ({ worker }))`)}`,
  'plain/worker.js': workerBody(`import init, { Engine } from '/node_modules/unisono/unisono.js';`),
};

// ---- a minimal static server: longest mount prefix wins; .wasm as application/wasm

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.json': 'application/json; charset=utf-8', '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8' };

function serve(mounts) {
  const log = [];
  const srv = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const [prefix, base] = mounts.find(([p]) => path.startsWith(p)) ?? [];
    let file = base && resolve(base, '.' + sep + path.slice(prefix.length));
    if (file && path.endsWith('/')) file = join(file, 'index.html');
    try {
      if (!file || !(file + sep).startsWith(base + sep)) throw new Error('outside');
      const body = await readFile(file);
      const type = TYPES[extname(file)] ?? 'application/octet-stream';
      log.push({ path, status: 200, type });
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body);
    } catch {
      log.push({ path, status: 404 });
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    }
  });
  return new Promise((ok) => srv.listen(0, '127.0.0.1', () => ok(Object.assign(srv, { log }))));
}

// ---- Chromium, launched on first use

async function chromium() {
  if (browser) return browser;
  const { chromium: pw } = await import('playwright-core');
  for (const v of ['XDG_CONFIG_HOME', 'XDG_CACHE_HOME']) process.env[v] = dir; // keep Chromium's files out of HOME
  browser = await pw.launchPersistentContext(join(dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return browser;
}

/** Load `path`, wait for window.__result; console errors / warnings and failed requests fail the test. */
async function resultOf(path) {
  const p = await (await chromium()).newPage();
  const problems = [];
  p.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`); });
  p.on('pageerror', (e) => problems.push(`pageerror: ${e}`));
  p.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  const seen = server.log.length;
  try {
    await p.goto(origin + path);
    await p.waitForFunction(() => window.__result, null, { timeout: 60_000 });
    const r = await p.evaluate(() => window.__result);
    assert.equal(r.error, undefined, r.error);
    assert.deepEqual(problems, []);
    const served = server.log.slice(seen);
    assert.deepEqual(served.filter((l) => l.status !== 200), [], 'every request found its file');
    const wasm = served.filter((l) => l.path.endsWith('.wasm'));
    assert.ok(wasm.length >= 1 && wasm.every((l) => l.type === 'application/wasm'), 'the .wasm is fetched as application/wasm');
    return r;
  } finally {
    await p.close();
  }
}

const sh = (file, args, cwd) => run(file, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'unisono-packaging-'));
  app = join(dir, 'app');
  // npm pack, as a publish would; offline install into the fresh project (npm cache kept in dir).
  const npm = ['--cache', join(dir, 'npm-cache'), '--no-audit', '--no-fund', '--loglevel=error'];
  const { stdout } = await sh('npm', ['pack', join(ROOT, 'pkg'), '--pack-destination', dir, '--json', ...npm], ROOT);
  packed = JSON.parse(stdout)[0];
  cpSync(join(dir, packed.filename), join(dir, 'unisono.tgz'));
  for (const [rel, text] of Object.entries(FILES)) {
    mkdirSync(join(app, rel, '..'), { recursive: true });
    writeFileSync(join(app, rel), text);
  }
  mkdirSync(join(app, 'sample/profiles'), { recursive: true });
  for (const f of SAMPLE) cpSync(join(ROOT, 'examples/sample', f), join(app, 'sample', f));
  writeFileSync(join(app, 'sample/context.json'), CONTEXT);
  compileImages();
  cpSync(join(ROOT, 'examples/sample', IMAGE), join(app, 'sample/kiosk.img'));
  await sh('npm', ['install', '--offline', '--no-package-lock', ...npm], app);
  assert.ok(existsSync(join(app, 'node_modules/unisono/package.json')), 'the tarball is installed');
});

after(async () => {
  await browser?.close();
  server?.close();
  server?.closeAllConnections();
  if (dir && !process.env.UNISONO_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
});

test('npm pack ships exactly the package files, with sideEffects: false', (t) => {
  const files = packed.files.map((f) => f.path).sort();
  const schemas = ['catalog', 'config', 'context', 'decision', 'model', 'offers', 'profile']
    .map((n) => `schemas/${n}.schema.json`);
  assert.deepEqual(files, ['LICENSE-APACHE', 'LICENSE-MIT', 'README.md', 'node.cjs', 'node.d.cts', 'node.d.ts', 'node.js', 'node_glue.cjs', 'package.json',
    ...schemas, 'tools-node.cjs', 'tools-node.d.cts', 'tools-node.d.ts', 'tools-node.js', 'tools-node_glue.cjs',
    'tools.d.ts', 'tools.js', 'tools_bg.wasm', 'tools_bg.wasm.d.ts', 'tools_glue.js',
    'unisono.d.ts', 'unisono.js', 'unisono_bg.wasm', 'unisono_bg.wasm.d.ts', 'unisono_glue.js']);
  const pkg = JSON.parse(readFileSync(join(app, 'node_modules/unisono/package.json'), 'utf8'));
  assert.equal(pkg.sideEffects, false);
  assert.equal(pkg.license, 'MIT OR Apache-2.0');
  assert.ok(pkg.engines?.node, 'engines.node');
  const installed = readdirSync(join(app, 'node_modules/unisono'), { recursive: true })
    .filter((f) => f !== 'schemas').map((f) => f.split(sep).join('/')).sort();
  assert.deepEqual(installed, files);
  // Each schema is importable through `exports` and is the committed file.
  for (const f of schemas) {
    const shipped = readFileSync(createRequire(join(app, 'x.cjs')).resolve(`unisono/${f}`), 'utf8');
    assert.equal(shipped, readFileSync(join(ROOT, f), 'utf8'), f);
  }
  t.diagnostic(`tarball ${packed.filename}: ${(packed.size / 1024).toFixed(1)} KB packed, ${(packed.unpackedSize / 1024).toFixed(1)} KB unpacked`);
});

test('the shipped README is the repository README with every relative link as a plain mention', () => {
  const repo = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const shipped = readFileSync(join(app, 'node_modules/unisono/README.md'), 'utf8');
  // npmjs.com shows the README without the repository: a relative link there leads nowhere.
  assert.deepEqual(relativeLinks(shipped), [], 'the shipped README has no relative links');
  assert.equal(shipped, npmReadme(repo), 'the shipped README is scripts/npm-readme.mjs of README.md');
  // Nothing is lost: each file the README links to is still named, and the code is unchanged.
  const linked = relativeLinks(repo).map((t) => t.split('#')[0]);
  assert.ok(linked.length > 0, 'the repository README links to docs/ (the check would be empty otherwise)');
  for (const path of linked) assert.ok(shipped.includes(`\`${path}\` in the repository`), `the shipped README names ${path}`);
  const fences = (md) => md.split('\n').filter((l) => /^\s*(```|~~~)/.test(l)).length;
  assert.equal(fences(shipped), fences(repo), 'code blocks are kept');
});

test('npm README rewriting: relative links become mentions; anchors, URLs, code spans and code blocks stay', () => {
  const md = [
    '**Docs:** [concepts](docs/concepts.md) · [`docs/api.md`](docs/api.md) · [limits](docs/robustness.md#limits)',
    '[site](https://unisono.dev/x) · [errors](#errors) · code `[a](b.md)` · ![shot](www/shot.png)',
    '```js',
    "// [not a link](docs/x.md)",
    '```',
  ].join('\n');
  assert.equal(npmReadme(md), [
    '**Docs:** concepts (`docs/concepts.md` in the repository) · `docs/api.md` in the repository · limits (`docs/robustness.md` in the repository)',
    '[site](https://unisono.dev/x) · [errors](#errors) · code `[a](b.md)` · shot',
    '```js',
    "// [not a link](docs/x.md)",
    '```',
  ].join('\n'));
  assert.deepEqual(relativeLinks(md), ['docs/concepts.md', 'docs/api.md', 'docs/robustness.md#limits', 'www/shot.png']);
  assert.deepEqual(relativeLinks(npmReadme(md)), []);
  // Forms the rewriting cannot make absolute fail the build instead of shipping a dead link.
  assert.throws(() => npmReadme('[docs]: docs/concepts.md'), /reference-style/);
  assert.throws(() => npmReadme('<a href="docs/concepts.md">concepts</a>'), /HTML link/);
});

test('(a) Node ESM: import init, { Engine } from "unisono" (sync init, shares the CommonJS instance)', async () => {
  const out = JSON.parse((await sh(process.execPath, ['esm.mjs'], app)).stdout);
  assert.match(out.resolved, /\/node_modules\/unisono\/node\.js$/);
  assert.equal(out.sameInstance, true, 'import and require give the same Engine: one Wasm instance');
  const d = JSON.parse(out.decision);
  assert.equal(d.profileId, 'cust-anna');
  assert.equal(d.channel, 'kiosk');
  assert.equal(d.recommendations[0].sku, 'HK-COF-0001');
  assert.equal(d.versions.engine, out.version);
  assert.ok(d.offers.length > 0 && d.offers.every((o) => o.content.code === undefined), 'a public image: no codes');
  // 'unisono/tools' from the JSON documents: the same decision, with the codes.
  assert.match(out.tools.resolved, /\/node_modules\/unisono\/tools-node\.js$/);
  const full = JSON.parse(out.tools.decision);
  assert.equal(full.decisionId, d.decisionId);
  assert.deepEqual(full.recommendations, d.recommendations);
  assert.deepEqual(full.offers.map((o) => o.id), d.offers.map((o) => o.id));
  reference = out.decision;
});

test('(b) Node CommonJS: require("unisono")', async () => {
  assert.ok(reference, 'the Node ESM decision (a) is the reference');
  const out = JSON.parse((await sh(process.execPath, ['cjs.cjs'], app)).stdout);
  assert.match(out.resolved, /\/node_modules\/unisono\/node\.cjs$/);
  assert.match(out.tools, /\/node_modules\/unisono\/tools-node\.cjs$/);
  assert.equal(out.decision, reference);
});

test('(c) Vite production build, run in Chromium (main thread and a bundled module worker)', async (t) => {
  assert.ok(reference, 'the Node ESM decision (a) is the reference');
  assert.ok(existsSync(VITE), `${VITE} missing: scripts/bootstrap.sh runs npm ci`);
  await sh(process.execPath, [VITE, 'build'], join(app, 'vite'));
  const dist = join(app, 'vite/dist');
  const assets = readdirSync(join(dist, 'assets'));
  const js = assets.filter((f) => f.endsWith('.js')).map((f) => [f, readFileSync(join(dist, 'assets', f), 'utf8')]);
  assert.equal(assets.filter((f) => f.endsWith('.wasm')).length, 1, `one .wasm emitted: ${assets}`);
  const emitted = readFileSync(join(dist, 'assets', assets.find((f) => f.endsWith('.wasm'))));
  assert.deepEqual(emitted, readFileSync(join(app, 'node_modules/unisono/unisono_bg.wasm')), 'the device runtime, not the tools');
  assert.ok(js.some(([, s]) => s.includes('__wbindgen')), 'the web glue is bundled');
  for (const [f, s] of js) assert.ok(!/node:fs|readFileSync|__dirname/.test(s), `${f}: the browser build resolved a Node entry`);
  // sideEffects: false in practice: the page that imports 'unisono' without using it gets none of it.
  // (Without it, Rolldown keeps the glue's top-level statements in a chunk that page imports.)
  const loaded = new Set();
  const follow = (text) => {
    for (const [, f] of text.matchAll(/["/]([\w.-]+\.js)"/g)) {
      if (loaded.has(f) || !existsSync(join(dist, 'assets', f))) continue;
      loaded.add(f);
      follow(readFileSync(join(dist, 'assets', f), 'utf8'));
    }
  };
  follow(readFileSync(join(dist, 'unused.html'), 'utf8'));
  assert.ok(loaded.size >= 1, 'unused.html loads its script');
  for (const f of loaded) assert.ok(!readFileSync(join(dist, 'assets', f), 'utf8').includes('__wbindgen'), `unused.html loads ${f}, which holds the glue`);

  if (NO_CHROMIUM) return t.skip(NO_CHROMIUM);
  await startServer();
  const r = await resultOf('/index.html');
  assert.equal(r.main, reference, 'Vite app, main thread');
  assert.equal(r.worker, reference, 'Vite app, bundled module worker');
});

test('(f) esbuild: a Node back end bundled to one ESM and one CommonJS file, run without node_modules', async () => {
  assert.ok(reference, 'the Node ESM decision (a) is the reference');
  const out = join(dir, 'bundled');
  mkdirSync(out, { recursive: true });
  for (const [format, file] of [['esm', 'server.mjs'], ['cjs', 'server.cjs']]) {
    await sh(ESBUILD, ['server.js', '--bundle', '--platform=node', '--target=node20', `--format=${format}`, '--loader:.wasm=binary',
      '--log-level=error', `--outfile=${join(out, file)}`], join(app, 'backend'));
    const env = { ...process.env, SAMPLE_DIR: join(app, 'sample') };
    const { stdout } = await run(process.execPath, [file], { cwd: out, env, encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(JSON.parse(stdout).decision, reference, `esbuild --format=${format}`);
  }
  assert.equal(existsSync(join(out, 'node_modules')), false);
});

test('(g) webpack: a Node back end bundled to one file', async () => {
  assert.ok(reference, 'the Node ESM decision (a) is the reference');
  await sh(process.execPath, [WEBPACK, '--config', 'webpack.config.cjs'], join(app, 'backend'));
  const env = { ...process.env, SAMPLE_DIR: join(app, 'sample') };
  const out = join(dir, 'bundled-webpack');
  mkdirSync(out, { recursive: true });
  cpSync(join(app, 'backend/dist-webpack/server.cjs'), join(out, 'server.cjs'));
  const { stdout } = await run(process.execPath, ['server.cjs'], { cwd: out, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(JSON.parse(stdout).decision, reference);
});

test('(h) webpack: a browser build, run in Chromium', { skip: NO_CHROMIUM }, async () => {
  assert.ok(reference, 'the Node ESM decision (a) is the reference');
  await sh(process.execPath, [WEBPACK, '--config', 'webpack.config.cjs'], join(app, 'webpack'));
  const emitted = readdirSync(join(app, 'webpack/dist'));
  assert.equal(emitted.filter((f) => f.endsWith('.wasm')).length, 1, `one .wasm emitted: ${emitted}`);
  await startServer();
  const r = await resultOf('/webpack/index.html');
  assert.equal(r.main, reference);
});

test('(i) Bun: the Node ESM and CommonJS programs, unchanged', async () => {
  assert.ok(reference, 'the Node ESM decision (a) is the reference');
  const env = { ...process.env, BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0', DO_NOT_TRACK: '1' };
  for (const file of ['esm.mjs', 'cjs.cjs']) {
    const { stdout } = await run(BUN, [file], { cwd: app, env, encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(JSON.parse(stdout).decision, reference, `bun ${file}`);
  }
});

test('(j) Deno: the Node ESM program, unchanged (npm package from node_modules)', async () => {
  assert.ok(reference, 'the Node ESM decision (a) is the reference');
  const env = { ...process.env, DENO_DIR: join(dir, 'deno'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
  const { stdout } = await run(DENO, ['run', '--allow-read', '--allow-env', 'esm.mjs'], { cwd: app, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(JSON.parse(stdout).decision, reference);
});

test('(k) workerd: an edge function answers over HTTP with the same decision', async () => {
  assert.ok(reference, 'the Node ESM decision (a) is the reference');
  const port = await new Promise((ok) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => ok(free));
    });
  });
  const { spawn } = await import('node:child_process');
  const child = spawn(WORKERD, ['serve', 'config.capnp', `--socket-addr=http=127.0.0.1:${port}`], { cwd: join(app, 'edge') });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  try {
    let body;
    for (let i = 0; i < 100 && body === undefined; i++) {
      try {
        body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      } catch {
        await new Promise((ok) => setTimeout(ok, 200));
      }
    }
    assert.equal(body, reference, `workerd: ${log}`);
  } finally {
    child.kill();
  }
});

test('(d) browser: <script type="module"> importing the package files, async init()', { skip: NO_CHROMIUM }, async () => {
  assert.ok(reference, 'the Node ESM decision (a) is the reference');
  await startServer();
  const r = await resultOf('/plain/index.html');
  assert.equal(r.main, reference);
});

test('(e) Web Worker: a module worker importing the package files', { skip: NO_CHROMIUM }, async () => {
  assert.ok(reference, 'the Node ESM decision (a) is the reference');
  await startServer();
  const r = await resultOf('/plain/worker.html');
  assert.equal(r.worker, reference);
});

async function startServer() {
  if (server) return;
  // The Vite build at / (its default base), the plain pages, the installed package, the inputs.
  server = await serve([
    ['/node_modules/', join(app, 'node_modules')],
    ['/sample/', join(app, 'sample')],
    ['/plain/', join(app, 'plain')],
    ['/webpack/index.html', join(app, 'webpack/index.html')],
    ['/webpack/', join(app, 'webpack/dist')],
    ['/', join(app, 'vite/dist')],
  ]);
  origin = `http://127.0.0.1:${server.address().port}`;
}
