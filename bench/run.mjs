// The benchmark's Wasm half and its report: `decide` in Wasm under Node and in headless
// Chromium per catalog size, package sizes, and one table against the targets. Run through
// scripts/bench.sh (which first generates the data and runs the native half).
//
//   node bench/run.mjs DIR [SIZES]    → DIR/results.json, DIR/results.md and DIR/summary.json
//
// Where DIR/SIZE/engine.img exists (scripts/bench.sh compiles it), the image engine is measured
// too: cold loads in fresh Node processes, decide on the session path in Node and Chromium.
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

// --- Node: one fresh process per size and engine kind, so linear memory is that run's alone.
const node = {};
const nodeImage = {};
const failures = [];
const nodeRun = (n, mode, what) => {
  try {
    const out = execFileSync(process.execPath, [join(root, 'bench/node.mjs'), dir, String(n), mode], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out);
  } catch (e) {
    // Recorded, not fatal: the report says which size could not load and why.
    const why = String(e.stderr || e.message).split('\n').filter((l) => /Error|error|memory|abort/i.test(l)).slice(0, 2).join(' ');
    failures.push(`${what}, ${n} skus: ${why || 'failed'}`);
    log(`${what} ${n}: FAILED ${why}`);
    return null;
  }
};
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
for (const n of sizes) {
  const r = nodeRun(n, 'json', 'Wasm/Node');
  if (r) {
    node[n] = r;
    log(`wasm/node ${n}: load ${r.load_ms} ms, memory ${r.wasm_memory_mb_after_load} MB, 200-event session p50 ${r.decide[200].session.p50_us} µs`);
  }
  if (!existsSync(join(dir, String(n), 'engine.img'))) continue;
  // The image's load is timed cold: five fresh processes, one load each, the median reported.
  const cold = [];
  for (let i = 0; i < 5; i++) {
    const c = nodeRun(n, 'image-load', 'Wasm/Node image load');
    if (c) cold.push(c);
  }
  const d = nodeRun(n, 'image', 'Wasm/Node image');
  if (!cold.length || !d) continue;
  nodeImage[n] = {
    load_ms: +median(cold.map((c) => c.load_ms)).toFixed(1),
    load_ms_all: cold.map((c) => c.load_ms),
    process_ms: median(cold.map((c) => c.process_ms)),
    wasm_memory_mb_after_load: median(cold.map((c) => c.wasm_memory_mb_after_load)),
    warm_load_ms: d.load_ms,
    decide: d.decide,
    same_as_json: r ? d.decision_200 === r.decision_200 : null,
  };
  const m = nodeImage[n];
  log(`wasm/node image ${n}: cold load ${m.load_ms} ms (${m.load_ms_all.join(', ')}), memory ${m.wasm_memory_mb_after_load} MB, 200-event session p50 ${m.decide[200].session.p50_us} µs, same decision as JSON: ${m.same_as_json}`);
}

// --- Chromium: one fresh page per size; cross-origin isolated so performance.now() is
// precise to 5 µs instead of 100 µs.
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const browser = {};
const browserImage = {};
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
    const onePage = async (n, image) => {
      const what = image ? 'Wasm/Chromium image' : 'Wasm/Chromium';
      const page = await b.newPage();
      await page.goto(`http://127.0.0.1:${server.address().port}/bench/browser.html?dir=/target/bench&size=${n}${image ? '&image=1' : ''}`);
      let r;
      try {
        await page.waitForFunction(() => window.benchResult, null, { timeout: 600_000, polling: 500 });
        r = await page.evaluate(() => window.benchResult);
      } catch (e) {
        r = { error: String(e.message || e) };
      }
      await page.close().catch(() => {});
      if (r.error) {
        failures.push(`${what}, ${n} skus: ${r.error.split('\n')[0]}`);
        log(`${what} ${n}: FAILED ${r.error.split('\n')[0]}`);
        return null;
      }
      log(`${what} ${n}: load ${r.ok.load_ms} ms, memory ${r.ok.wasm_memory_mb_after_load} MB, 200-event session p50 ${r.ok.decide[200].session.p50_us} µs`);
      return r.ok;
    };
    for (const n of sizes) {
      const r = await onePage(n, false);
      if (r) browser[n] = r;
      if (!existsSync(join(dir, String(n), 'engine.img'))) continue;
      const i = await onePage(n, true);
      if (i) browserImage[n] = { ...i, same_as_json: r ? i.decision_200 === r.decision_200 : null };
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

// --- The image path against the image targets (issue 14), and target/bench/summary.json.
const nativeImage = existsSync(join(dir, 'native-image.json')) ? JSON.parse(readFileSync(join(dir, 'native-image.json'), 'utf8')) : {};
const gz9 = (file) => (existsSync(file) ? gzipSync(readFileSync(file), { level: 9 }).length : undefined);
const images = Object.fromEntries(sizes.map((n) => {
  const f = (name) => join(dir, String(n), name);
  const raw = (name) => (existsSync(f(name)) ? readFileSync(f(name)).length : undefined);
  return [n, { full_bytes: raw('engine.img'), full_gzip_bytes: gz9(f('engine.img')), public_web_bytes: raw('public-web.img'), public_web_gzip_bytes: gz9(f('public-web.img')) }];
}));
for (const r of [...Object.values(node), ...Object.values(browser), ...Object.values(nodeImage), ...Object.values(browserImage)]) delete r.decision_200;
const cpuModel = (() => {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1].trim();
  } catch {
    return undefined;
  }
})() ?? cpus()[0]?.model ?? '?';
const machine = `${cpus().length} × ${cpuModel}, Node ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
// Flat keys, numbers only (but date and machine); a figure that was not measured is left out.
const summary = {
  date,
  machine,
  load_ms_node_50k: nodeImage[at50k]?.load_ms,
  decide_p50_us_node_50k_200: nodeImage[at50k]?.decide[200].session.p50_us,
  decide_p99_us_node_50k_200: nodeImage[at50k]?.decide[200].session.p99_us,
  decide_p50_us_chromium_50k_200: browserImage[at50k]?.decide[200].session.p50_us,
  decide_p50_us_native_50k_200: nativeImage[at50k]?.decide[200].session.p50_us,
  runtime_wasm_gzip_bytes: wasmGz || undefined,
  tools_wasm_gzip_bytes: pkgSizes['tools_bg.wasm']?.gzip,
  wasm_memory_mb_50k: nodeImage[at50k]?.wasm_memory_mb_after_load,
  wasm_memory_mb_200k: nodeImage[200000]?.wasm_memory_mb_after_load,
  image_gzip_bytes_50k: images[at50k]?.full_gzip_bytes,
  image_public_web_gzip_bytes_50k: images[at50k]?.public_web_gzip_bytes,
};
for (const k of Object.keys(summary)) if (summary[k] === undefined || summary[k] === null) delete summary[k];
writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');

const I = { load: 20, p50: 60, p99: 300, native: 25, mem50k: 15, mem200k: 60 };
const imageChecks = [];
const icheck = (what, target, value, unit, limit) => {
  if (value === undefined) return;
  imageChecks.push({ what, target: `≤ ${target}`, measured: `${value}${unit}`, ok: value <= limit });
};
const mb = (b) => (b === undefined ? undefined : +(b / 1048576).toFixed(2));
icheck('engine load from the image, Node, 50k (median of 5 cold processes)', `${I.load} ms`, summary.load_ms_node_50k, ' ms', I.load);
icheck('decide p50, Wasm/Node, 50k, 200 events (image, session)', `${I.p50} µs`, summary.decide_p50_us_node_50k_200, ' µs', I.p50);
icheck('decide p99, Wasm/Node, 50k, 200 events (image, session)', `${I.p99} µs`, summary.decide_p99_us_node_50k_200, ' µs', I.p99);
icheck('decide p50, Wasm/Chromium, 50k, 200 events (image, session)', `${I.p50} µs`, summary.decide_p50_us_chromium_50k_200, ' µs', I.p50);
icheck('decide p99, Wasm/Chromium, 50k, 200 events (image, session)', `${I.p99} µs`, browserImage[at50k]?.decide[200].session.p99_us, ' µs', I.p99);
icheck('decide p50, native, 50k, 200 events (image, session)', `${I.native} µs`, summary.decide_p50_us_native_50k_200, ' µs', I.native);
icheck('device runtime .wasm, gzip -9 (the only .wasm: no split yet)', '100 KB', wasmGz ? +kb(wasmGz) : undefined, ' KB', 100);
icheck('Wasm memory after loading the image, 50k', `${I.mem50k} MB`, summary.wasm_memory_mb_50k, ' MB', I.mem50k);
icheck('Wasm memory after loading the image, 200k', `${I.mem200k} MB`, summary.wasm_memory_mb_200k, ' MB', I.mem200k);
icheck('full image, 50k, gzip -9', '2 MB', mb(summary.image_gzip_bytes_50k), ' MB', 2);
icheck('public web image, 50k, gzip -9', '2 MB', mb(summary.image_public_web_gzip_bytes_50k), ' MB', 2);

const results = { date, machine, sizes, native, node, browser, native_image: nativeImage, node_image: nodeImage, browser_image: browserImage, images, package: pkgSizes, tarball, checks, image_checks: imageChecks, summary, failures };
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
lines.push('', '### Engine images (`unisono compile`, `Engine.fromImage`)', '');
lines.push('Load: native median of 5 in one process (verify / decode / assemble); Node median of 5 cold processes (read + `Engine.fromImage`), warm = 2nd of 3 in one process; Chromium 2nd of 3 in one page. Image sizes gzip -9. Same = the image engine\'s 200-event decision is byte-identical to the JSON engine\'s.', '');
lines.push('| skus | image raw / gzip (full) | public web raw / gzip | load native (verify / decode / assemble) | load Node cold / warm / Chromium | Wasm memory after load, Node cold | same native / Node / Chromium |');
lines.push('|---:|---:|---:|---:|---:|---:|---:|');
const m2 = (b) => (b === undefined ? '–' : `${(b / 1048576).toFixed(2)} MB`);
for (const n of sizes) {
  const a = nativeImage[n];
  const b = nodeImage[n];
  const c = browserImage[n];
  const im = images[n];
  lines.push(`| ${n.toLocaleString('en')} | ${m2(im.full_bytes)} / ${m2(im.full_gzip_bytes)} | ${m2(im.public_web_bytes)} / ${m2(im.public_web_gzip_bytes)} | ${a ? `${a.load_ms} (${a.verify_ms} / ${a.decode_ms} / ${a.assemble_ms}) ms` : '–'} | ${b?.load_ms ?? '–'} / ${b?.warm_load_ms ?? '–'} / ${c?.load_ms ?? '–'} ms | ${b?.wasm_memory_mb_after_load ?? '–'} MB | ${a?.same_as_json ?? '–'} / ${b?.same_as_json ?? '–'} / ${c?.same_as_json ?? '–'} |`);
}
lines.push('', '`decide` on the image engine, session path, p50 / p99 in µs.', '');
lines.push('| skus | events | native | Node | Chromium |', '|---:|---:|---:|---:|---:|');
for (const n of sizes) {
  for (const p of [0, 20, 200, 2000]) {
    lines.push(`| ${n.toLocaleString('en')} | ${p} | ${pp(nativeImage[n]?.decide[p]?.session)} | ${pp(nodeImage[n]?.decide[p]?.session)} | ${pp(browserImage[n]?.decide[p]?.session)} |`);
  }
}
lines.push('', '| image target (issue 14) | wanted | measured | |', '|---|---|---|---|');
for (const c of imageChecks) lines.push(`| ${c.what} | ${c.target} | ${c.measured} | ${c.ok ? 'met' : 'MISSED'} |`);
if (failures.length) lines.push('', 'Failures:', ...failures.map((f) => `- ${f}`));
writeFileSync(join(dir, 'results.md'), lines.join('\n') + '\n');
console.log(lines.join('\n'));
