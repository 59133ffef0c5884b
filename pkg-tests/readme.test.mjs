// The documentation's code cannot drift from the package: every ```js block of README.md and
// docs/*.md runs against the BUILT package (pkg/), the README's hello world runs on its own
// inline data (no prelude), the JSON examples of docs/formats.md are documents the engine
// accepts, and the commands the shell blocks name exist.
//
// How a js block runs: it is written to a temporary directory as a module of its own (`.cjs` when it
// uses require() and no import), where `node_modules/unisono` links to pkg/. So `import … from
// 'unisono'` resolves through the package's `exports` exactly as in an application. Node runs it
// with a prelude (--import) that provides what the snippets assume:
//   - globals `catalog`, `model`, `config`, `offers` (the sample artifacts, as objects) and
//     `profile` (cust-anna);
//   - the working directory holds `artifacts/{catalog,model,config,offers}.json`, `profiles/` and
//     `images/` (the sample's engine images: backend, web, app, public, kiosk-STORE);
//   - `fetch`: GET …/<name>.json serves the sample file of that name (artifacts and profiles),
//     GET …/<name>.img the sample's engine image of that name (examples/sample/images/),
//     GET …/profile or …/profiles/<id> a sample profile (404 for unknown ids), any other method
//     answers 204 (a data platform accepting events);
//   - browser stand-ins: `navigator.sendBeacon`, a minimal `document`, `location`
//     (`?store=lon-oxford&sku=HK-COF-0001`), `addEventListener`;
//   - setInterval timers and http servers are unref'd, so a long-running snippet (kiosk, server)
//     lets the process end; PORT=0.
// After the block's top level has run, each `curl 'http://…'` shown in its comments is sent to the
// server it started, and must answer 2xx. Blocks fenced ```js no-run are not run (a service
// worker needs a browser).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, symlinkSync, mkdirSync, readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unisono, sample } from './helpers.mjs';
import { compileImages } from '../scripts/images.mjs';

const root = new URL('../', import.meta.url);
const rootPath = fileURLToPath(root);
// The document formats page: its JSON examples (profile, catalog, model, config, offer, rule,
// context) are checked below.
const FORMATS = 'docs/formats.md';
const DOCS = ['README.md', ...readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/** Fenced code blocks: `{lang, info, code, line}` (1-based line of the opening fence). */
export function codeBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^(\s*)(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$/);
    if (!open) continue;
    const [, indent, fence, lang, rest] = open;
    const body = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = lines[j].match(/^\s*(`{3,}|~{3,})\s*$/);
      if (close && close[1][0] === fence[0] && close[1].length >= fence.length) break;
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
    }
    blocks.push({ lang: lang.toLowerCase(), info: `${lang} ${rest}`.trim(), code: body.join('\n'), line: i + 1 });
    i = j;
  }
  return blocks;
}

const runnable = (b) => ['js', 'javascript', 'mjs', 'cjs'].includes(b.lang) && !/\bno-run\b/.test(b.info);
const isCommonJs = (b) => b.lang === 'cjs' || (/\brequire\(/.test(b.code) && !/^\s*(import|export)\b/m.test(b.code));

const PRELUDE = `// Test prelude for documentation snippets (pkg-tests/readme.test.mjs).
import { readFileSync, existsSync } from 'node:fs';
import http from 'node:http';

const sample = new URL(${JSON.stringify(new URL('examples/sample/', root).href)});
const read = (rel) => readFileSync(new URL(rel, sample), 'utf8');
const has = (rel) => /\\.json$/.test(rel) && !rel.includes('..') && existsSync(new URL(rel, sample));

for (const name of ['catalog', 'model', 'config', 'offers']) globalThis[name] = JSON.parse(read(name + '.json'));
globalThis.profile = JSON.parse(read('profiles/cust-anna.json'));

// fetch: the sample files by name; events posted anywhere are accepted.
const realFetch = globalThis.fetch;
globalThis.__realFetch = realFetch;
globalThis.__sent = [];
globalThis.fetch = async (input, init = {}) => {
  const href = typeof input === 'string' || input instanceof URL ? String(input) : input.url;
  const url = new URL(href, 'https://shop.example/');
  const method = String(init.method ?? input?.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    globalThis.__sent.push({ url: url.href, body: init.body });
    return new Response(null, { status: 204 });
  }
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const name = parts.at(-1) ?? '';
  const json = (text) => new Response(text, { headers: { 'content-type': 'application/json' } });
  for (const rel of [name, 'profiles/' + name, 'profiles/' + name + '.json']) if (has(rel)) return json(read(rel));
  // Engine images by name (web.img, kiosk-lon-oxford.img …): the sample's, compiled by the test.
  if (/^[\\w-]+\\.img$/.test(name) && existsSync(new URL('images/' + name, sample))) {
    return new Response(readFileSync(new URL('images/' + name, sample)), { headers: { 'content-type': 'application/octet-stream' } });
  }
  if (name === 'profile' || name === 'me') return json(read('profiles/cust-anna.json'));
  return new Response('not found', { status: 404 });
};

// Browser stand-ins.
class FakeElement {
  constructor(tag) {
    Object.assign(this, { tagName: String(tag).toUpperCase(), children: [], dataset: {}, style: {}, attributes: {}, textContent: '', hidden: false });
    this.classList = { add() {}, remove() {}, toggle() {}, contains: () => false };
  }
  append(...c) { this.children.push(...c); }
  prepend(...c) { this.children.unshift(...c); }
  replaceChildren(...c) { this.children = c; }
  remove() {}
  addEventListener() {}
  removeEventListener() {}
  setAttribute(k, v) { this.attributes[k] = String(v); }
  getAttribute(k) { return this.attributes[k] ?? null; }
  querySelector() { return new FakeElement('div'); }
  querySelectorAll() { return []; }
  closest() { return null; }
}
if (typeof globalThis.document === 'undefined') {
  globalThis.document = {
    documentElement: Object.assign(new FakeElement('html'), { lang: 'en-GB' }),
    body: new FakeElement('body'),
    createElement: (tag) => new FakeElement(tag),
    createTextNode: (text) => ({ textContent: String(text) }),
    querySelector: () => new FakeElement('div'),
    querySelectorAll: () => [],
    getElementById: () => new FakeElement('div'),
    addEventListener() {},
  };
}
globalThis.location ??= new URL('https://shop.example/?store=lon-oxford&sku=HK-COF-0001');
globalThis.addEventListener ??= () => {};
globalThis.removeEventListener ??= () => {};
if (typeof globalThis.navigator === 'undefined') {
  Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
}
try {
  if (!('onLine' in navigator)) Object.defineProperty(navigator, 'onLine', { value: true, configurable: true });
  navigator.sendBeacon ??= (url, body) => { globalThis.__sent.push({ url: String(url), body }); return true; };
} catch {}

// Long-running snippets must not keep the test process alive.
const setIntervalReal = globalThis.setInterval;
globalThis.setInterval = (...args) => setIntervalReal(...args).unref();
globalThis.__servers = [];
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (...args) {
  globalThis.__servers.push(this);
  const result = listen.apply(this, args);
  this.unref();
  return result;
};
`;

const RUNNER = `// Runs one snippet, then the requests its comments show (pkg-tests/readme.test.mjs).
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

await import(pathToFileURL(resolve(process.argv[2])).href);
const requests = JSON.parse(process.env.SNIPPET_REQUESTS || '[]');
if (requests.length) {
  const server = globalThis.__servers.at(-1);
  if (!server) throw new Error('the snippet shows curl requests but started no server');
  if (!server.listening) await once(server, 'listening');
  const { port } = server.address();
  for (const shown of requests) {
    const url = new URL(shown);
    url.protocol = 'http:';
    url.host = '127.0.0.1:' + port;
    const res = await globalThis.__realFetch(url);
    const body = await res.text();
    if (!res.ok) throw new Error(shown + ' → HTTP ' + res.status + ': ' + body.slice(0, 500));
    console.log(shown + ' → ' + res.status + ' ' + body.slice(0, 120));
  }
}
for (const server of globalThis.__servers) server.close();
`;

let dir;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'unisono-docs-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(fileURLToPath(new URL('pkg/', root)), join(dir, 'node_modules', 'unisono'), 'dir');
  mkdirSync(join(dir, 'artifacts'));
  for (const f of ['catalog.json', 'model.json', 'config.json', 'offers.json']) {
    writeFileSync(join(dir, 'artifacts', f), readFileSync(new URL(`examples/sample/${f}`, root)));
  }
  symlinkSync(fileURLToPath(new URL('examples/sample/profiles/', root)), join(dir, 'profiles'), 'dir');
  // The sample's engine images, for snippets that load one (`images/web.img` here, or fetched).
  compileImages();
  symlinkSync(fileURLToPath(new URL('examples/sample/images/', root)), join(dir, 'images'), 'dir');
  writeFileSync(join(dir, 'prelude.mjs'), PRELUDE);
  writeFileSync(join(dir, 'runner.mjs'), RUNNER);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(file, env, timeoutMs = 60_000, { prelude = true } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...(prelude ? ['--import', './prelude.mjs', 'runner.mjs'] : []), file], {
      cwd: dir,
      env: { ...process.env, PORT: '0', NODE_OPTIONS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => {
      out += `\n[killed after ${timeoutMs} ms: the snippet kept the process alive or hung]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}

/** `curl 'http://…'` in the snippet's comments: requests the runner sends to its server. */
const curlRequests = (code) => [...code.matchAll(/curl\s+(?:-\S+\s+)*['"]?(https?:\/\/[^\s'"]+)/g)].map((m) => m[1]);

let n = 0;
for (const doc of DOCS) {
  const blocks = codeBlocks(readFileSync(new URL(doc, root), 'utf8'));
  for (const block of blocks.filter(runnable)) {
    const id = ++n;
    test(`${doc}:${block.line} runs against the built package`, async (t) => {
      const file = `snippet-${id}.${isCommonJs(block) ? 'cjs' : 'mjs'}`;
      writeFileSync(join(dir, file), `${block.code}\n`);
      const { code, signal, out } = await run(file, { SNIPPET_REQUESTS: JSON.stringify(curlRequests(block.code)) });
      assert.ok(code === 0 && !signal,
        `the \`\`\`js block at ${doc}:${block.line} failed (exit ${code ?? signal}); fix the snippet or mark it \`\`\`js no-run:\n${out}`);
      // The README shows what its one-log blocks print (`console.log(…); // true`): it must be so.
      const logs = [...block.code.matchAll(/console\.log\(/g)].length;
      const shown = block.code.match(/console\.log\(.*\);[ \t]*\/\/[ \t]*(.+?)[ \t]*$/m)?.[1];
      if (doc === 'README.md' && logs === 1 && shown) {
        assert.ok(out.split('\n').some((l) => l.trim() === shown), `${doc}:${block.line}: the comment says it prints ${JSON.stringify(shown)}; it printed:\n${out}`);
      }
      for (const line of out.trim().split('\n').filter(Boolean).slice(0, 8)) t.diagnostic(line.slice(0, 160));
    });
  }
}

test('README.md has js examples and every js block is run or marked no-run', () => {
  const blocks = codeBlocks(readFileSync(new URL('README.md', root), 'utf8'));
  assert.ok(blocks.filter(runnable).length >= 3, 'the README quickstart blocks are found');
  for (const doc of DOCS) {
    for (const b of codeBlocks(readFileSync(new URL(doc, root), 'utf8'))) {
      // A typo in the info string (```javscript, ```jsx) would silently skip a block.
      assert.ok(!/^j/.test(b.lang) || ['js', 'javascript', 'json', 'jsonc'].includes(b.lang), `${doc}:${b.line}: unknown fence language ${b.lang}`);
    }
  }
});

test('the README hello world runs on its own inline data (no prelude, no files) and prints recommendations', async () => {
  const blocks = codeBlocks(readFileSync(new URL('README.md', root), 'utf8')).filter(runnable);
  const hello = blocks.find((b) => /\bbuildModel\(/.test(b.code));
  assert.ok(hello, 'README.md has a js block that builds its model in place with buildModel');
  assert.ok(blocks.indexOf(hello) === 0, 'the hello world is the README\'s first js block');
  assert.ok(!/\b(readFileSync|fetch)\(|from 'node:fs'/.test(hello.code), 'the hello world reads no files');
  assert.ok(hello.code.split('\n').length <= 45, `the hello world is short (${hello.code.split('\n').length} lines)`);
  const file = 'hello-world.mjs';
  writeFileSync(join(dir, file), `${hello.code}\n`);
  const { code, signal, out } = await run(file, {}, 60_000, { prelude: false });
  assert.ok(code === 0 && !signal, `README.md:${hello.line}: the hello world failed without the prelude (exit ${code ?? signal}):\n${out}`);
  const skus = new Set([...hello.code.matchAll(/sku:\s*'([^']+)'/g)].map((m) => m[1]));
  const printed = out.split('\n').filter((l) => [...skus].some((sku) => l.includes(sku)));
  assert.ok(printed.length >= 2, `the hello world prints recommendations of its catalog (${[...skus]}):\n${out}`);
  // The output the README shows under the loop (`// SKU · reason`) is the output.
  const shown = hello.code.split('\n').filter((l) => /^\/\/ \S+ · /.test(l)).map((l) => l.slice(3));
  assert.deepEqual(printed, shown, `README.md:${hello.line}: the output shown in the hello world is what it prints`);
});

test(`the JSON examples of ${FORMATS} are documents the engine accepts`, () => {
  const { Engine } = unisono;
  const blocks = codeBlocks(readFileSync(new URL(FORMATS, root), 'utf8')).filter((b) => b.lang === 'json');
  const anna = sample.profile('cust-anna');
  const ctx = { channel: 'web', now: sample.scenarios.now };
  const offerDoc = (offers) => ({ schema: 'unisono.offers/1', offers });
  const checked = new Set();
  for (const b of blocks) {
    let doc;
    assert.doesNotThrow(() => { doc = JSON.parse(b.code); }, `${FORMATS}:${b.line}: not valid JSON`);
    const where = `${FORMATS}:${b.line}`;
    const kind = doc.schema ?? (doc.and || doc.or ? 'rule' : doc.content ? 'offer' : doc.channel && doc.now ? 'context' : 'other');
    try {
      switch (kind) {
        case 'unisono.profile/1':
          new Engine(sample.catalog, sample.model, sample.config, sample.offers).decide(doc, ctx);
          break;
        case 'unisono.catalog/1':
          new Engine(doc, sample.model, sample.config).decide(anna, ctx);
          break;
        case 'unisono.config/1':
          new Engine(sample.catalog, sample.model, doc).decide(anna, ctx);
          break;
        case 'unisono.model/2': {
          // Illustrative (placeholder checksum): the field names must be the real ones, the
          // columns consistent.
          const real = JSON.parse(sample.model);
          assert.deepEqual(Object.keys(doc).sort(), Object.keys(real).sort(), `${where}: model fields`);
          assert.deepEqual(Object.keys(doc.neighbours).sort(), Object.keys(real.neighbours).sort(), `${where}: neighbour columns`);
          assert.equal(doc.neighbours.lengths.length, doc.skus.length, `${where}: a length per sku`);
          assert.equal(doc.neighbours.lengths.reduce((a, b) => a + b, 0), doc.neighbours.items.length, `${where}: lengths add up`);
          assert.equal(doc.neighbours.scores.length, doc.neighbours.items.length, `${where}: a score per entry`);
          break;
        }
        case 'offer':
          new Engine(sample.catalog, sample.model, sample.config, offerDoc([doc])).decide(anna, ctx);
          break;
        case 'rule':
          new Engine(sample.catalog, sample.model, sample.config,
            offerDoc([{ id: 'RULE', name: 'rule', content: { 'en-GB': { title: 'rule' } }, eligibility: doc }])).decide(anna, ctx);
          break;
        case 'context':
          new Engine(sample.catalog, sample.model, sample.config, sample.offers).decide(anna, doc);
          break;
        default:
          continue;
      }
    } catch (err) {
      assert.fail(`${where}: the ${kind} example is rejected: ${err.code} at ${err.path}: ${err.message}`);
    }
    checked.add(kind);
  }
  for (const kind of ['unisono.profile/1', 'unisono.catalog/1', 'unisono.config/1', 'offer', 'rule', 'context']) {
    assert.ok(checked.has(kind), `no ${kind} example found in ${FORMATS}`);
  }
});

// --- shell blocks: the commands they name exist

const cliSource = ['src/bin/unisono/main.rs', ...readdirSync(new URL('src/bin/unisono/', root)).map((f) => `src/bin/unisono/${f}`)]
  .filter((f, i, all) => all.indexOf(f) === i && f.endsWith('.rs'))
  .map((f) => readFileSync(new URL(f, root), 'utf8'))
  .join('\n');
const mainRs = readFileSync(new URL('src/bin/unisono/main.rs', root), 'utf8');

/** Subcommands the CLI dispatches on (`Some("decide") => …`, `Some("a" | "b") => …` in main). */
function cliCommands() {
  const main = mainRs.slice(mainRs.indexOf('fn main('));
  const body = main.slice(0, main.indexOf('\n}\n'));
  const names = new Set();
  for (const arm of body.matchAll(/Some\(([^)]*)\)\s*(?:\|[^=]*)?=>/g)) {
    for (const s of arm[1].matchAll(/"([^"]+)"/g)) names.add(s[1]);
  }
  return names;
}

/** Second words the usage text lists: `unisono import segment|ga4 …` → import: {segment, ga4}. */
function cliSubcommands() {
  const usage = mainRs.match(/const USAGE: &str = "([\s\S]*?)";/)?.[1] ?? '';
  const subs = new Map();
  for (const m of usage.matchAll(/^\s*unisono\s+([\w-]+)\s+([a-z][\w|-]*)/gm)) {
    if (!subs.has(m[1])) subs.set(m[1], new Set());
    for (const s of m[2].split('|')) subs.get(m[1]).add(s);
  }
  return subs;
}

/** Shell lines of a markdown file (comments dropped, `\` continuations joined). */
function shellCommands(markdown) {
  const out = [];
  for (const b of codeBlocks(markdown).filter((x) => ['sh', 'bash', 'shell', 'console'].includes(x.lang))) {
    const joined = b.code.replace(/\\\n\s*/g, ' ');
    joined.split('\n').forEach((raw, k) => {
      const line = raw.replace(/^\$\s+/, '').replace(/\s+#\s.*$/, '').replace(/^#.*$/, '').trim();
      if (line) out.push({ line, at: b.line + 1 + k });
    });
  }
  return out;
}

test('shell blocks in README.md and docs/ name CLI subcommands, flags and scripts that exist', () => {
  const commands = cliCommands();
  const subs = cliSubcommands();
  assert.ok(commands.has('decide') && commands.has('build-model'), `CLI commands parsed from main.rs: ${[...commands]}`);
  let checked = 0;
  for (const doc of DOCS) {
    for (const { line, at } of shellCommands(readFileSync(new URL(doc, root), 'utf8'))) {
      const where = `${doc}:~${at}: ${line}`;
      for (const part of line.split(/&&|;|\|\|/)) {
        const cmd = part.trim();
        const cli = cmd.match(/--bin unisono\s+--\s+(\S+)(.*)$/);
        if (cli) {
          checked++;
          const [, sub, rest] = cli;
          assert.ok(commands.has(sub), `${where}: \`unisono ${sub}\` is not a command of src/bin/unisono/main.rs (${[...commands].join(', ')})`);
          const second = rest.trim().split(/\s+/)[0] ?? '';
          if (subs.has(sub) && /^[a-z]/.test(second)) {
            for (const s of second.split('|')) {
              assert.ok(subs.get(sub).has(s), `${where}: \`unisono ${sub} ${s}\` is not in the CLI usage`);
            }
          }
          for (const flag of rest.matchAll(/(?<![\w-])(--[a-z][\w-]*)/g)) {
            assert.ok(cliSource.includes(`"${flag[1]}"`), `${where}: flag ${flag[1]} is not read by the CLI (src/bin/unisono/)`);
          }
        }
        const example = cmd.match(/cargo run\b.*--example\s+(\w+)/);
        if (example) {
          checked++;
          assert.ok(existsSync(new URL(`examples/${example[1]}.rs`, root)), `${where}: examples/${example[1]}.rs does not exist`);
        }
        // Scripts run directly or through node.
        const script = cmd.match(/^(?:node(?:\s+--?[\w-]+(?:=\S+)?)*\s+)?(\.?\/?(?:scripts|fuzz|www|examples)\/[\w./-]+\.(?:sh|mjs|js|py))\b/)
          ?? cmd.match(/^(?:python3\s+)(\S+\.py)\b/);
        if (script) {
          checked++;
          assert.ok(existsSync(join(rootPath, script[1])), `${where}: ${script[1]} does not exist`);
        }
      }
    }
  }
  assert.ok(checked >= 10, `only ${checked} commands checked: is the shell-block parser still finding them?`);
});
