// The kiosk keeps working offline (headless Debian chromium via playwright-core, as in
// browser.test.mjs): load it once online, let its service worker (www/kiosk-sw.js) take control,
// then cut the network AND stop the server, reload — it still decides from the cached page,
// package and artifacts, shows that it is offline, and a tap still updates the screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { start } from '../www/serve.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOT = process.env.KIOSK_OFFLINE_SCREENSHOT; // optional: where to save a screenshot of the offline kiosk
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
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await context?.close();
  stopServer();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function stopServer() {
  if (!server?.listening) return;
  server.close();
  server.closeAllConnections();
}

const tiles = () => document.querySelectorAll('#k-grid [data-sku]').length;

test('the kiosk decides offline from its service worker cache', async () => {
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));

  // Online: the page loads, registers the worker; the worker precaches and claims the page.
  await page.goto(new URL('www/kiosk.html?store=man-arndale', url).href);
  await page.waitForFunction(tiles, null, { timeout: 20_000 });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
  assert.equal(await page.getAttribute('#k-net', 'data-state'), 'online');
  const online = await page.evaluate(() => ({
    store: document.getElementById('k-store').textContent,
    skus: [...document.querySelectorAll('#k-grid [data-sku]')].map((c) => c.dataset.sku),
  }));

  // Offline: no network and no server.
  await context.setOffline(true);
  stopServer();
  await page.waitForFunction(() => document.getElementById('k-net').dataset.state === 'offline', null, { timeout: 5_000 });

  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('#k-grid [data-sku]').length >= 4, null, { timeout: 20_000 });
  assert.equal(await page.evaluate(() => navigator.onLine), false);
  assert.equal(await page.getAttribute('#k-net', 'data-state'), 'offline');
  assert.match(await page.textContent('#k-net'), /offline/i);
  const offline = await page.evaluate(() => ({
    store: document.getElementById('k-store').textContent,
    skus: [...document.querySelectorAll('#k-grid [data-sku]')].map((c) => c.dataset.sku),
    controlled: navigator.serviceWorker.controller !== null,
    heading: document.getElementById('k-heading').textContent,
  }));
  assert.ok(offline.controlled, 'the reloaded page is served by the service worker');
  assert.equal(offline.store, online.store);
  assert.deepEqual(offline.skus, online.skus, 'same artifacts, same clock start, same decision');
  assert.equal(offline.heading, 'Popular in store today');
  if (SHOT) await page.screenshot({ path: SHOT });

  // A tap still records a view and decides again.
  const first = offline.skus[0];
  await page.click(`#k-grid [data-sku="${first}"]`);
  await page.waitForFunction(() => /You looked at/.test(document.getElementById('k-session').textContent), null, { timeout: 5_000 });
  assert.equal(await page.textContent('#k-heading'), 'Picked for you');
  assert.ok(await page.evaluate(() => document.querySelectorAll('#k-session .k-chip').length) >= 1);
  assert.equal(await page.isVisible('#k-reset'), true);

  assert.deepEqual(errors, []);
  await page.close();
});
