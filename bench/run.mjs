// The benchmark's Wasm half and its report: `decide` in Wasm under Node and in headless
// Chromium per catalog size, package sizes, and one table against the targets. Run through
// scripts/bench.sh (which first generates the data and runs the native half).
//
//   node bench/run.mjs DIR [SIZES]    → DIR/results.json and DIR/results.md
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { tmpdir, cpus } from 'node:os';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const root = resolve(new URL('..', import.meta.url).pathname);
const dir = resolve(process.argv[2] ?? 'target/bench');
const sizes = (process.argv[3] ?? '1000,10000,50000,200000').split(',').map(Number);
const native = JSON.parse(readFileSync(join(dir, 'native.json'), 'utf8'));
const log = (s) => process.stderr.write(s + '\n');

// --- Node: one fresh process per size, so linear memory is that size's alone.
const node = {};
const failures = [];
for (const n of sizes) {
  let out;
  try {
    out = execFileSync(process.execPath, [join(root, 'bench/node.mjs'), dir, String(n)], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    // Recorded, not fatal: the report says which size could not load and why.
    const why = String(e.stderr || e.message).split('\n').filter((l) => /Error|error|memory|abort/i.test(l)).slice(0, 2).join(' ');
    failures.push(`Wasm/Node, ${n} skus: ${why || 'failed'}`);
    log(`wasm/node ${n}: FAILED ${why}`);
    continue;
  }
  node[n] = JSON.parse(out);
  log(`wasm/node ${n}: load ${node[n].load_ms} ms, memory ${node[n].wasm_memory_mb_after_load} MB, 200-event session p50 ${node[n].decide[200].session.p50_us} µs`);
}

// --- Chromium: one fresh page per size; cross-origin isolated so performance.now() is
// precise to 5 µs instead of 100 µs.
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const browser = {};
if (existsSync(chromiumPath)) {
  const types = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path.startsWith('/target/bench/') ? join(dir, path.slice('/target/bench/'.length)) : join(root, path);
    if (!file.startsWith(root) && !file.startsWith(dir)) return res.writeHead(403).end();
    try {
      const body = readFileSync(file);
      res.writeHead(200, {
        'content-type': types[extname(file)] ?? 'application/octet-stream',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { chromium } = await import('playwright-core');
  const tmp = mkdtempSync(join(tmpdir(), 'unisono-bench-'));
  for (const v of ['XDG_CONFIG_HOME', 'XDG_CACHE_HOME']) process.env[v] = tmp;
  const b = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    for (const n of sizes) {
      const page = await b.newPage();
      await page.goto(`http://127.0.0.1:${server.address().port}/bench/browser.html?dir=/target/bench&size=${n}`);
      let r;
      try {
        await page.waitForFunction(() => window.benchResult, null, { timeout: 600_000, polling: 500 });
        r = await page.evaluate(() => window.benchResult);
      } catch (e) {
        r = { error: String(e.message || e) };
      }
      if (r.error) {
        failures.push(`Wasm/Chromium, ${n} skus: ${r.error.split('\n')[0]}`);
        log(`wasm/chromium ${n}: FAILED ${r.error.split('\n')[0]}`);
        await page.close().catch(() => {});
        continue;
      }
      browser[n] = r.ok;
      log(`wasm/chromium ${n}: load ${r.ok.load_ms} ms, memory ${r.ok.wasm_memory_mb_after_load} MB, 200-event session p50 ${r.ok.decide[200].session.p50_us} µs`);
      await page.close();
    }
  } finally {
    await b.close();
    server.close();
    rmSync(tmp, { recursive: true, force: true });
  }
} else {
  log(`no Chromium at ${chromiumPath}: browser columns skipped`);
}

// --- Package sizes (as built by scripts/build-pkg.sh).
const size = (f) => {
  const buf = readFileSync(join(root, 'pkg', f));
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
};
const files = readdirSync(join(root, 'pkg')).filter((f) => /\.(js|cjs|wasm)$/.test(f));
const pkgSizes = Object.fromEntries(files.map((f) => [f, size(f)]));
const tarball = (() => {
  try {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--loglevel=error'], { cwd: join(root, 'pkg'), encoding: 'utf8' });
    return JSON.parse(out)[0].size;
  } catch {
    return null;
  }
})();

// --- Report.
const kb = (b) => (b / 1024).toFixed(1);
const T = { p50: 100, p99: 1000, ratio: 1.3, load: 50, wasmGz: 120 * 1024, pkgGz: 150 * 1024, build: 1e6, mem200k: 100 };
const at50k = 50000;
const checks = [];
const check = (what, target, measured, ok, why = '') => checks.push({ what, target, measured, ok, why });
if (node[at50k]) {
  const s = node[at50k].decide[200].session;
  const nat = native[at50k].decide[200].session;
  check('decide p50, Wasm/Node, 200 events, 50k skus (session)', `≤ ${T.p50} µs`, `${s.p50_us} µs`, s.p50_us <= T.p50);
  check('decide p99, Wasm/Node, 200 events, 50k skus (session)', `≤ ${T.p99} µs`, `${s.p99_us} µs`, s.p99_us <= T.p99);
  const ratio = s.p50_us / nat.p50_us;
  check('Wasm / native (p50, same path)', `≤ ${T.ratio}×`, `${ratio.toFixed(2)}×`, ratio <= T.ratio);
  check('Engine load, Wasm/Node, 50k skus', `≤ ${T.load} ms`, `${node[at50k].load_ms} ms`, node[at50k].load_ms <= T.load);
  check('Engine load, native, 50k skus', `≤ ${T.load} ms`, `${native[at50k].load_ms} ms`, native[at50k].load_ms <= T.load);
}
const wasmGz = pkgSizes['unisono_bg.wasm']?.gzip ?? 0;
check('.wasm gzip', `≤ ${kb(T.wasmGz)} KB`, `${kb(wasmGz)} KB`, wasmGz <= T.wasmGz);
if (tarball) check('npm package (tarball, gzip)', `≤ ${kb(T.pkgGz)} KB`, `${kb(tarball)} KB`, tarball <= T.pkgGz);
const buildRates = sizes.map((n) => native[n].build_events_per_s);
const worstBuild = Math.min(...buildRates);
check('model build, native, one core (slowest size)', `≥ ${T.build / 1e6}M events/s`, `${(worstBuild / 1e6).toFixed(2)}M events/s`, worstBuild >= T.build);
if (sizes.includes(200000)) {
  const m = browser[200000]?.wasm_memory_mb_after_decides;
  check('200k skus in a Chromium tab: Wasm memory', `≤ ${T.mem200k} MB`, m === undefined ? 'did not load' : `${m} MB`, m !== undefined && m <= T.mem200k);
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
const results = { date, machine, sizes, native, node, browser, package: pkgSizes, tarball, checks, failures };
writeFileSync(join(dir, 'results.json'), JSON.stringify(results, null, 2) + '\n');

const lines = [];
lines.push(`unisono benchmark, ${date}, ${machine}`, '');
lines.push('| skus | model build (events/s) | model raw / gzip | load native / Node / Chromium | Wasm memory after load (Node / Chromium) |');
lines.push('|---:|---:|---:|---:|---:|');
for (const n of sizes) {
  const v = native[n];
  lines.push(`| ${n.toLocaleString('en')} | ${Math.round(v.build_events_per_s).toLocaleString('en')} (${v.events.toLocaleString('en')} events) | ${(v.model_bytes / 1048576).toFixed(1)} MB / ${(v.model_gzip_bytes / 1048576).toFixed(1)} MB | ${v.load_ms} / ${node[n]?.load_ms ?? '–'} / ${browser[n]?.load_ms ?? '–'} ms | ${node[n]?.wasm_memory_mb_after_load ?? '–'} / ${browser[n]?.wasm_memory_mb_after_load ?? '–'} MB |`);
}
lines.push('', '`decide` p50 / p99 in µs (home placement, web, 21 offers). native: session | JSON text; Wasm: session | JSON text | JS object.', '');
lines.push('| skus | events | native session | native JSON | Node session | Node JSON | Node object | Chromium session | Chromium JSON | Chromium object |');
lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const pp = (x) => (x ? `${x.p50_us} / ${x.p99_us}` : '–');
for (const n of sizes) {
  for (const p of [0, 20, 200, 2000]) {
    const a = native[n].decide[p];
    const b = node[n]?.decide[p];
    const c = browser[n]?.decide[p];
    lines.push(`| ${n.toLocaleString('en')} | ${p} | ${pp(a?.session)} | ${pp(a?.json)} | ${pp(b?.session)} | ${pp(b?.json)} | ${pp(b?.object)} | ${pp(c?.session)} | ${pp(c?.json)} | ${pp(c?.object)} |`);
  }
}
lines.push('', '| package file | raw KB | gzip KB | brotli KB |', '|---|---:|---:|---:|');
for (const [f, s] of Object.entries(pkgSizes)) lines.push(`| ${f} | ${kb(s.raw)} | ${kb(s.gzip)} | ${kb(s.brotli)} |`);
if (tarball) lines.push(`| npm tarball | | ${kb(tarball)} | |`);
lines.push('', '| target | wanted | measured | |', '|---|---|---|---|');
for (const c of checks) lines.push(`| ${c.what} | ${c.target} | ${c.measured} | ${c.ok ? 'met' : 'MISSED'} |`);
if (failures.length) lines.push('', 'Failures:', ...failures.map((f) => `- ${f}`));
writeFileSync(join(dir, 'results.md'), lines.join('\n') + '\n');
console.log(lines.join('\n'));
