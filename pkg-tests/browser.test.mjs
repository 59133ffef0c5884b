// The web build in headless Chromium (Debian's chromium, driven by playwright-core; no browser
// download): the conformance vectors give the same bytes as native and Node, and the demo page
// loads and decides for every channel without a console error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { start } from '../www/serve.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let server, url, context, dir;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: scripts/bootstrap.sh installs Debian's chromium`);
  ({ server, url } = await start(0));
  dir = mkdtempSync(join(tmpdir(), 'unisono-chromium-'));
  // Keep Chromium's files out of HOME.
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
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(path) {
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(new URL(path, url).href);
  return { page, errors };
}

test('conformance vectors in Chromium = native, byte for byte', async () => {
  const { page, errors } = await open('pkg-tests/browser/conformance.html');
  await page.waitForFunction(() => window.__result, null, { timeout: 120_000 });
  const r = await page.evaluate(() => window.__result);
  assert.equal(r.error, undefined, r.error);
  assert.ok(r.total >= 200);
  assert.equal(r.total, r.expected);
  assert.deepEqual(r.failures, []);
  assert.match(r.userAgent, /Chrome/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the demo page shows the three channels with recommendations', async () => {
  const { page, errors } = await open('www/');
  await page.waitForFunction(() => document.querySelectorAll('[data-sku]').length >= 10, null, { timeout: 60_000 });
  const text = await page.evaluate(() => document.body.innerText);
  for (const word of ['Web', 'App', 'Kiosk']) assert.match(text, new RegExp(word, 'i'));
  assert.deepEqual(errors, []);
  await page.close();
});
