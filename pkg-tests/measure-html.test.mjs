// The HTML report of `unisono measure` (native CLI, not the npm package) in headless Chromium:
// the page loads under its own Content-Security-Policy without a console error or a violation,
// makes no request, and its SVG charts have one interval bar per revenue comparison in the JSON
// report and one curve per comparison with a daily curve. Uses the CLI as cargo builds it for
// the tests (target/debug/unisono, brought up to date here; UNISONO_BIN overrides).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { watch, assertClean } from './browser-guard.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BIN = process.env.UNISONO_BIN ?? join(ROOT, 'target/debug/unisono');
let context, dir;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: scripts/bootstrap.sh installs Debian's chromium`);
  // Never a stale binary: cargo returns at once when it is up to date.
  if (!process.env.UNISONO_BIN) execFileSync('cargo', ['build', '--quiet', '--bin', 'unisono'], { cwd: ROOT, stdio: 'inherit' });
  dir = mkdtempSync(join(tmpdir(), 'unisono-measure-'));
  for (const v of ['XDG_CONFIG_HOME', 'XDG_CACHE_HOME']) process.env[v] = dir;
  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await context?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('measure --html: charts match the JSON report, no console error, no request', async () => {
  const run = (...args) => execFileSync(BIN, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  run('measure', 'synth', '--customers', '4000', '--seed', '3', '--out-dir', dir);
  const html = join(dir, 'report.html');
  const report = JSON.parse(run('measure', '--events', join(dir, 'events.ndjson'), '--offers', join(dir, 'offers.json'),
    '--json', '--html', html));
  assert.equal(report.schema, 'unisono.measure-report/1');
  const comparisons = [report.offers.programme, ...report.offers.items.map((o) => o.vs_holdout)].filter(Boolean);
  const bars = comparisons.flatMap((c) => c.metrics.filter((m) => m.metric === 'revenue' && m.absolute)).length;
  const curves = comparisons.filter((c) => c.curve.length > 0).length;
  assert.ok(bars >= 10 && curves >= 4, `${bars} bars, ${curves} curves`);
  assert.doesNotMatch(readFileSync(html, 'utf8'), /<script|https?:\/\//);

  const page = await context.newPage();
  const w = await watch(page);
  await page.goto(pathToFileURL(html).href);
  const seen = await page.evaluate(() => ({
    bars: document.querySelectorAll('svg.forest rect.ci').length,
    estimates: document.querySelectorAll('svg.forest circle.est').length,
    curves: document.querySelectorAll('svg.curve').length,
    bands: document.querySelectorAll('svg.curve polygon.band').length,
    // Laid out, not just parsed: the forest plot has a real size.
    width: document.querySelector('svg.forest')?.getBoundingClientRect().width ?? 0,
    title: document.title,
  }));
  assert.deepEqual(
    { bars: seen.bars, estimates: seen.estimates, curves: seen.curves, bands: seen.bands },
    { bars, estimates: bars, curves, bands: curves },
  );
  assert.ok(seen.width > 300, `forest plot width ${seen.width}`);
  assert.equal(seen.title, 'unisono measure');
  assertClean(w, 'measure report');
  assert.deepEqual(w.requests.filter((u) => !u.startsWith('file:') && u !== 'data:,'), [], 'no request leaves the file');
  await page.close();
});
